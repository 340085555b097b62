import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("DETERRENCE_BIN", os.path.join(ROOT, "build", "engine", "deterrence"))


def run_engine(*args):
    subprocess.run([BINARY, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def game_config(folder, records=True, extra=""):
    """The baseline game in `folder` (with its data), per-draw records on when asked."""
    shutil.copytree(os.path.join(ROOT, "configs", "data"), os.path.join(folder, "data"), dirs_exist_ok=True)
    with open(os.path.join(ROOT, "configs", "baseline.yaml")) as f:
        text = f.read()
    if records:
        text = text.replace("outcomes: false", "outcomes: true ").replace("parameters: false", "parameters: true ")
    path = os.path.join(folder, "game.yaml")
    with open(path, "w") as f:
        f.write(text + extra)
    return path


@pytest.fixture(scope="session")
def game_run(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("game"))
    out = os.path.join(folder, "game.h5")
    run_engine("run", game_config(folder), "--draws", "600", "--quiet", "--out", out)
    return out


@pytest.fixture(scope="session")
def sweep_run(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("sweep"))
    out = os.path.join(folder, "sweep.h5")
    config = game_config(folder, records=False,
                         extra="sweep:\n  model_options.policies.economic_nato.fund_cap: [1, 10, 40]\n")
    run_engine("run", config, "--draws", "300", "--quiet", "--out", out)
    return out

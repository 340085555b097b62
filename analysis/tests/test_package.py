"""`pip install ./analysis` works offline (Debian's setuptools and pip, a venv seeing Debian's
packages) and gives a package of its own name, importable and runnable from any folder."""
import os
import shutil
import subprocess
import sys

import pytest

from analysis.tests.conftest import ROOT


def test_the_analysis_folder_installs_as_deterrence_analysis(game_run, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(os.path.join(ROOT, "analysis"), source, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    venv = tmp_path / "venv"
    try:
        subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True,
                       capture_output=True)
    except subprocess.CalledProcessError as error:
        pytest.skip(f"python3-venv is not usable here: {error.stderr.decode()[-300:]}")
    python = str(venv / "bin" / "python3")
    install = subprocess.run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--quiet",
                              str(source)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = ("import deterrence_analysis as d, sys\n"
              "r = d.open_results(sys.argv[1])\n"
              "print(round(float(r.outcome_shares()['share'].sum()), 6))\n"
              "print(d.__file__)\n")
    run = subprocess.run([python, "-c", script, game_run], cwd=elsewhere, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    total, where = run.stdout.split()
    assert float(total) == pytest.approx(5.0)  # 5 policies, shares summing to 1 each
    assert str(venv) in where  # the installed copy, not the project folder
    report = subprocess.run([python, "-m", "deterrence_analysis", "report", game_run, "--out", str(tmp_path / "r")],
                            cwd=elsewhere, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr[-2000:]
    assert (tmp_path / "r" / "index.html").exists()

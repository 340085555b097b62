"""The world-scale data set (configs/data/world/) is what its script makes from the extracts
beside it, and the engine accepts it."""
import os
import subprocess

import yaml

from .conftest import BINARY, ROOT


def test_the_world_data_set_is_what_its_script_writes(tmp_path):
    subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "configs", "data", "world", "make_world.py"), "--out",
                    str(tmp_path)], check=True, capture_output=True)
    for name in ("countries.yaml", "issues.yaml", "salience.yaml"):
        with open(tmp_path / name) as made, open(os.path.join(ROOT, "configs", "data", "world", name)) as shipped:
            assert made.read() == shipped.read(), name
    countries = yaml.safe_load((tmp_path / "countries.yaml").read_text())["countries"]
    codes = [c["code"] for c in countries]
    assert len(codes) == len(set(codes)) >= 190
    assert not {"CHN", "HKG", "MAC", "WLD", "EUU"} & set(codes)  # not the coercer, not aggregates
    usa = next(c for c in countries if c["code"] == "USA")
    assert usa["exports"] == 124.6 and "IMF DOTS 2020" in usa["source"]  # the default set's DOTS 2020 figure
    assert all("ASSUMPTION" in c["note"] or c["code"] == "TWN" for c in countries)


def test_the_engine_accepts_the_world_experiment():
    result = subprocess.run([BINARY, "validate", os.path.join(ROOT, "configs", "experiments", "world.yaml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout

"""Results files as labelled arrays: every group with dimensions opens with xarray (Debian's
python3-xarray + python3-h5netcdf) with named, labelled axes and the values h5py reads; netCDF's
`ncdump -h` reads the files; `to_xarray()` gives the same Datasets for format 3 and format 2 files."""
import os
import shutil
import subprocess

import h5py
import numpy as np
import pytest

from analysis.results import open_results
from analysis.tests.conftest import ROOT, game_config, run_engine

xr = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

FORMAT2 = os.path.join(ROOT, "tests", "fixtures", "format2")


def labels(f, path):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in f[path][()]]


def check_group(path, group, dims):
    """Opens `group` with xarray: its variables' dims, its coordinates and its values equal h5py's."""
    ds = xr.open_dataset(path, group=group, engine="h5netcdf")
    with h5py.File(path, "r") as f:
        g = f[group]
        seen = 0
        for name, item in g.items():
            if not isinstance(item, h5py.Dataset) or name not in ds.data_vars:
                continue
            assert ds[name].dims[: len(dims)] == tuple(dims), (group, name, ds[name].dims)
            np.testing.assert_array_equal(ds[name].values, item[()])
            seen += 1
        assert seen >= 3, group
        for d in dims:
            assert [str(v) for v in ds[d].values] == labels(f, f"{group}/{d}")
    return ds


def test_every_output_group_of_a_run_opens_with_xarray(game_run):
    with h5py.File(game_run, "r") as f:
        outputs = {name: [d.decode() if isinstance(d, bytes) else d for d in np.atleast_1d(g.attrs["dims"])]
                   for name, g in f["outputs"].items()}
        policies = labels(f, "dims/policy")
    for name, dims in outputs.items():
        ds = check_group(game_run, f"outputs/{name}", dims)
        if "policy" in dims:
            assert list(ds["policy"].values) == policies
    share = xr.open_dataset(game_run, group="outputs/outcome_share", engine="h5netcdf")
    assert share["mean"].attrs["units"] == "1"
    assert float(share["mean"].sel(policy="economic_nato", outcome="DETERRED")) >= 0
    payoff = xr.open_dataset(game_run, group="outputs/mean_target_payoff", engine="h5netcdf")
    assert payoff["mean"].attrs["units"] == "USD bn per episode"
    assert payoff["quantiles"].dims == ("policy", "quantile_levels")
    outcome = xr.open_dataset(game_run, group="outputs/outcome", engine="h5netcdf")
    assert outcome["share"].dims == ("policy", "episode", "category")
    assert list(outcome["category"].values)[2] == "DETERRED"


def test_records_open_with_the_draw_dimension_and_parameter_names(game_run):
    ds = xr.open_dataset(game_run, group="records", engine="h5netcdf")
    assert ds["outcome"].dims == ("draw", "policy", "episode")
    assert ds["parameters"].dims == ("draw", "parameter_names")
    assert ds.sizes["draw"] == 600
    with h5py.File(game_run, "r") as f:
        np.testing.assert_array_equal(ds["parameters"].values, f["records/parameters"][()])
        assert [str(v) for v in ds["parameter_names"].values] == labels(f, "records/parameter_names")
    mine = open_results(game_run).records_xarray()
    np.testing.assert_array_equal(mine["outcome"].values, ds["outcome"].values)
    assert int(mine["draw"][-1]) == 599


def test_a_sweep_point_and_a_sensitivity_file_open_with_xarray(sweep_run, tmp_path):
    with h5py.File(sweep_run, "r") as f:
        points = sorted(f["points"].keys())
    for point in points:
        check_group(sweep_run, f"points/{point}/outputs/outcome_share", ["policy", "outcome"])
    out = str(tmp_path / "sensitivity.h5")
    run_engine("sensitivity", os.path.join(ROOT, "configs", "ishigami.yaml"), "--rows", "256", "--quiet", "--out", out)
    ds = check_group(out, "sensitivity/y", [])
    assert "group" in ds["total"].dims


def test_ncdump_reads_the_files(game_run, sweep_run):
    if not shutil.which("ncdump"):
        pytest.skip("netcdf-bin is not installed")
    for path in (game_run, sweep_run):
        header = subprocess.run(["ncdump", "-h", path], check=True, capture_output=True, text=True).stdout
        assert "policy" in header and "outcome_share" in header


def test_to_xarray_is_the_same_for_format_3_and_format_2_files(game_run):
    mine = open_results(game_run).to_xarray("outcome_share")
    theirs = xr.open_dataset(game_run, group="outputs/outcome_share", engine="h5netcdf")
    for name in ("mean", "ci95_half_width", "count", "sum_exact"):
        np.testing.assert_array_equal(mine[name].values, theirs[name].values)
        assert mine[name].dims == theirs[name].dims
    assert list(mine["policy"].values) == [str(v) for v in theirs["policy"].values]
    # A file written by the previous format (no dimension scales) reads the same way.
    old = open_results(os.path.join(FORMAT2, "baseline.h5"))
    assert int(old.attrs["format_version"]) == 2
    ds = old.to_xarray("outcome_share")
    assert ds["mean"].dims == ("policy", "outcome")
    assert list(ds["outcome"].values)[2] == "DETERRED"
    with h5py.File(os.path.join(FORMAT2, "baseline.h5"), "r") as f:
        np.testing.assert_array_equal(ds["mean"].values, f["outputs/outcome_share/mean"][()])
    assert set(old.to_xarray()) >= {"outcome", "outcome_share", "mean_target_payoff"}

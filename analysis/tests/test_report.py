"""The report writes every figure, and every number in its tables is the one in the HDF5 file."""
import os
import shutil

import h5py
import numpy as np
import pandas as pd
import pytest

from analysis import open_results
from analysis.report import write_report

from .conftest import run_engine


def labels(f, dim, base="/"):
    return [v.decode() for v in f[base + "dims/" + dim][()]]


def test_report_writes_every_figure_and_the_html(game_run, tmp_path):
    out = str(tmp_path / "report")
    figures = write_report(game_run, out)
    assert len(figures) == 6  # shares, heat maps, differences, payoffs, convergence, double penalty
    html = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    for name in figures.values():
        path = os.path.join(out, name)
        assert os.path.getsize(path) > 5000, name  # a real PNG, not an empty canvas
        assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
        assert f"src='{name}'" in html
    for table in ["outcome_shares", "differences", "issue_shares", "payoffs", "self_censorship_by_salience"]:
        assert os.path.getsize(os.path.join(out, table + ".csv")) > 0
        assert f"{table}.csv" in html


def test_table_numbers_equal_the_hdf5(game_run, tmp_path):
    out = str(tmp_path / "report")
    write_report(game_run, out)
    with h5py.File(game_run, "r") as f:
        policies, outcomes = labels(f, "policy"), labels(f, "outcome")
        shares = pd.read_csv(os.path.join(out, "outcome_shares.csv"), float_precision="round_trip")
        mean = f["outputs/outcome_share/mean"][()]
        half = f["outputs/outcome_share/ci95_half_width"][()]
        for row in shares.itertuples():
            i, j = policies.index(row.policy), outcomes.index(row.outcome)
            assert row.share == mean[i, j]
            assert row.low == mean[i, j] - half[i, j] and row.high == mean[i, j] + half[i, j]
        assert len(shares) == len(policies) * len(outcomes)

        measures = labels(f, "measure")
        differences = pd.read_csv(os.path.join(out, "differences.csv"), float_precision="round_trip")
        d = f["outputs/difference_from_reference/mean"][()]
        for row in differences.itertuples():
            assert row.difference == d[policies.index(row.policy), measures.index(row.measure)]

        payoffs = pd.read_csv(os.path.join(out, "payoffs.csv"), float_precision="round_trip")
        for _, row in payoffs.iterrows():
            g = f[f"outputs/mean_{row['measure']}"]
            i = policies.index(row["policy"])
            assert row["mean"] == g["mean"][i] and row["sd"] == g["sd"][i]
            levels = list(g["quantile_levels"][()])
            assert row["q0.5"] == g["quantiles"][i, levels.index(0.5)]

        # Issue shares pool the counts of every target on the issue.
        issues = pd.read_csv(os.path.join(out, "issue_shares.csv"), float_precision="round_trip")
        counts = f["outputs/outcome/counts"][()]
        episodes = labels(f, "episode")
        for row in issues.sample(30, random_state=1).itertuples():
            columns = [e for e, label in enumerate(episodes) if label.split(":")[1] == row.issue]
            expected = counts[policies.index(row.policy), columns, outcomes.index(row.outcome)].sum()
            assert row.count == expected


def test_double_penalty_table_agrees_with_the_records(game_run):
    r = open_results(game_run)
    table = r.self_censorship_by_salience(bins=5)
    codes = r.outcome_records()
    # Over all bins, the episodes counted are every draw x episode, and the self-censored ones
    # are the codes equal to SELF_CENSORSHIP.
    for i, policy in enumerate(r.labels("policy")):
        part = table[table["policy"] == policy]
        assert part["episodes"].sum() == codes.shape[0] * codes.shape[2]
        hits = (part["self_censorship"].fillna(0) * part["episodes"]).sum()
        assert hits == pytest.approx((codes[:, i, :] == 0).sum())


def test_sweep_report_and_api(sweep_run, tmp_path):
    r = open_results(sweep_run)
    assert r.is_sweep and r.points == 3
    points = r.sweep()
    assert list(points["model_options.policies.economic_nato.fund_cap"]) == [1, 10, 40]
    out = str(tmp_path / "report")
    figures = write_report(sweep_run, out)
    assert any(name.startswith("Sweep curves") for name in figures)
    assert os.path.getsize(os.path.join(out, "sweep.png")) > 5000
    table = pd.read_csv(os.path.join(out, "sweep_shares.csv"), float_precision="round_trip")
    with h5py.File(sweep_run, "r") as f:
        for row in table.sample(20, random_state=2).itertuples():
            base = f"/points/{row.point:06d}/"
            i = labels(f, "policy", base).index(row.policy)
            j = labels(f, "outcome", base).index(row.outcome)
            assert row.share == f[base + "outputs/outcome_share/mean"][i, j]


def test_a_missing_shard_behind_virtual_records_is_an_error(tmp_path):
    from .conftest import game_config
    folder = str(tmp_path)
    config = game_config(folder)
    for i in (1, 2):
        run_engine("run", config, "--draws", "600", "--quiet", "--shard", f"{i}/2", "--out", os.path.join(folder, f"s{i}.h5"))
    merged = os.path.join(folder, "merged.h5")
    run_engine("merge", "--quiet", "--out", merged, os.path.join(folder, "s1.h5"), os.path.join(folder, "s2.h5"))
    assert open_results(merged).outcome_records().shape[0] == 600
    os.remove(os.path.join(folder, "s2.h5"))
    with pytest.raises(FileNotFoundError, match="s2.h5, which is missing"):
        open_results(merged)


def test_the_command_line_reports_errors_plainly(tmp_path, capsys):
    from analysis.__main__ import main
    assert main(["report", str(tmp_path / "nothing.h5"), "--out", str(tmp_path / "r")]) == 1
    assert "nothing.h5" in capsys.readouterr().err


def test_sensitivity_indices_are_plotted_and_tabled(tmp_path):
    from .conftest import ROOT
    out_file = str(tmp_path / "ish.h5")
    run_engine("sensitivity", os.path.join(ROOT, "configs", "ishigami.yaml"), "--rows", "2048", "--quiet", "--out", out_file)
    r = open_results(out_file)
    table = r.sensitivity()
    assert list(table["group"]) == ["x1", "x2", "x3"]
    with h5py.File(out_file, "r") as f:
        assert list(table["total"]) == list(f["sensitivity/y/total"][()])
    figures = write_report(out_file, str(tmp_path / "report"))
    assert os.path.getsize(os.path.join(str(tmp_path / "report"), figures["Sobol indices by group"])) > 5000


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied in linear RGB.
DEUTERANOPIA = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
PROTANOPIA = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]


def _lab_as_seen(colour, matrix):
    """CIELAB (D65) of a hex colour as a viewer with the given colour-vision deficiency sees it."""
    import numpy as np

    srgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(matrix) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ seen
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def colour_distance(a, b, matrix):
    import numpy as np

    return float(np.linalg.norm(_lab_as_seen(a, matrix) - _lab_as_seen(b, matrix)))


def test_key_outcomes_stay_apart_for_colour_blind_readers():
    from analysis.report import COLOURS

    identity = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    for matrix in (identity, DEUTERANOPIA, PROTANOPIA):
        assert colour_distance(COLOURS["DETERRED"], COLOURS["SELF_CENSORSHIP"], matrix) > 50
        assert colour_distance(COLOURS["DETERRED"], COLOURS["CAPITULATION"], matrix) > 30
    # The check has teeth: the former red/green pair collapses to two olive browns.
    assert colour_distance("#1a9850", "#b2182b", DEUTERANOPIA) < 25


def test_the_page_answers_first_and_names_each_policy(game_run, tmp_path):
    from analysis.report import write_report

    out = str(tmp_path / "report")
    write_report(game_run, out)
    with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
        page = f.read()
    answer = page.index("What this run found")
    assert answer < page.index("<img")  # the answer comes before every figure
    # Each policy is described from its config, and the provenance footer closes the page.
    assert "Every democracy in the data set" in page[answer:page.index("<img")]
    assert page.index("Provenance") > page.index("<img")
    assert "SHA-256" in page and "not conditioned on the historical cases" in page


def test_a_sweep_report_leads_with_its_curves_on_a_log_axis_for_geometric_values(sweep_run, tmp_path):
    from analysis.report import _geometric, write_report

    figures = write_report(sweep_run, str(tmp_path / "report"))
    assert list(figures)[0].startswith("Sweep curves")
    page = (tmp_path / "report" / "index.html").read_text()
    assert page.index("sweep.png") < page.index("outcome_shares.png")
    assert _geometric(np.array([0.25, 0.5, 1, 2, 4, 8])) and _geometric(np.array([1.0, 10, 40]))
    assert not _geometric(np.array([1.0, 2, 3, 4, 5])) and not _geometric(np.array([-1.0, 1, 2]))


def test_the_game_sensitivity_flags_rare_shares_and_lists_group_members(tmp_path):
    from .conftest import ROOT
    out_file = str(tmp_path / "game.h5")
    run_engine("sensitivity", os.path.join(ROOT, "configs", "baseline.yaml"), "--rows", "256", "--quiet",
               "--out", out_file)
    r = open_results(out_file)
    table = r.sensitivity()
    with h5py.File(out_file, "r") as f:
        means = f["sensitivity/outcome_share/mean"][()].ravel()
    flagged = table[(table["output"] == "outcome_share")].drop_duplicates("element")["too_rare"].to_numpy()
    assert list(flagged) == list(means < 1e-3)
    assert flagged.any() and not flagged.all()  # e.g. the status quo's DETERRED share is ~0
    groups = r.sensitivity_groups().set_index("group")
    assert groups.loc["stance_value", "members"] == "stance_value"
    assert "salience." in groups.loc["salience", "members"] and groups.loc["salience", "parameters"] == 105
    write_report(out_file, str(tmp_path / "report"))
    page = (tmp_path / "report" / "index.html").read_text()
    assert "fewer than 0.1% of episodes" in page and "sensitivity_groups" in page

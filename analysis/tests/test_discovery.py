"""Scenario discovery (PRIM) and regret: on synthetic data with a known answer, by hand on a small
table, and on the game's per-draw aggregates (records.aggregates), which must agree with the
run's statistics and merge across shards bit for bit."""
import os

import h5py
import numpy as np
import pytest

from analysis.discovery import evaluate_condition, prim, regret, regret_table, satisficing, discover
from analysis.results import open_results
from analysis.tests.conftest import ROOT, run_engine
from analysis.__main__ import main

import pandas as pd


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(7)
    X = rng.uniform(size=(6000, 6))
    y = (X[:, 0] > 0.7) & (X[:, 3] < 0.4)
    y ^= rng.uniform(size=len(y)) < 0.02  # a little noise
    trajectory, box = prim(X, y, [f"x{j}" for j in range(6)], min_coverage=0.8)
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["mass"].is_monotonic_decreasing
    assert set(box.limits) >= {"x0", "x3"}
    assert box.limits["x0"][0] == pytest.approx(0.7, abs=0.04)
    assert box.limits["x3"][1] == pytest.approx(0.4, abs=0.04)
    assert box.density > 0.9 and box.coverage >= 0.8
    assert box.quasi_p["x0"] < 1e-6 and box.quasi_p["x3"] < 1e-6
    # Whatever else was restricted is noise: its limits leave most of its range.
    for name, (low, high) in box.limits.items():
        if name not in ("x0", "x3"):
            assert high - low > 0.8, (name, low, high)
    # Coverage and density are what the box holds.
    inside = np.all([(X[:, int(n[1])] >= lo) & (X[:, int(n[1])] <= hi) for n, (lo, hi) in box.limits.items()], axis=0)
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert box.density == pytest.approx(y[inside].mean())


def test_regret_by_hand():
    values = pd.DataFrame({"a": [1.0, 3.0, 2.0], "b": [2.0, 1.0, 2.0]})
    table = regret_table(values).set_index("policy")
    # Regrets: a = [1, 0, 0], b = [0, 2, 0]; a is the minimax choice.
    assert table.index[0] == "a"
    assert table.loc["a", "max_regret"] == 1 and table.loc["b", "max_regret"] == 2
    assert table.loc["a", "mean_regret"] == pytest.approx(1 / 3) and table.loc["b", "mean_regret"] == pytest.approx(2 / 3)
    assert table.loc["a", "share_best"] == pytest.approx(2 / 3) and table.loc["b", "share_best"] == pytest.approx(2 / 3)
    lower = regret_table(values, lower_is_better=True).set_index("policy")
    assert lower.loc["a", "max_regret"] == 2 and lower.loc["b", "max_regret"] == 1


@pytest.fixture(scope="module")
def aggregates_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aggregates")
    config = folder / "game.yaml"
    config.write_text(f"extends: {ROOT}/configs/baseline.yaml\ndraws: 3072\nchunk_size: 512\n"
                      "records: {aggregates: true, parameters: true}\n")
    out = str(folder / "game.h5")
    run_engine("run", str(config), "--quiet", "--out", out)
    for shard in (1, 2):
        run_engine("run", str(config), "--quiet", "--shard", f"{shard}/2", "--out", str(folder / f"s{shard}.h5"))
    run_engine("merge", "--quiet", "--copy", "--out", str(folder / "merged.h5"), str(folder / "s1.h5"),
               str(folder / "s2.h5"))
    return out, str(folder / "merged.h5")


def test_aggregates_are_the_draws_behind_the_statistics(aggregates_run):
    out, merged = aggregates_run
    with h5py.File(out, "r") as f, h5py.File(merged, "r") as g:
        for name in ("outcome_share", "mean_target_payoff", "mean_bloc_cost", "trigger_rate", "difference_from_reference"):
            records = f[f"records/{name}"][()]
            assert records.shape[0] == 3072
            np.testing.assert_allclose(records.mean(axis=0), f[f"outputs/{name}/mean"][()], rtol=0, atol=1e-12)
            assert records.tobytes() == g[f"records/{name}"][()].tobytes()  # shards merge bit for bit
        assert "outcome" not in f["records"] or f["records/outcome"].attrs.get("CLASS") is not None


def test_discovery_and_regret_on_the_game(aggregates_run, capsys):
    out, _ = aggregates_run
    results = open_results(out)
    y = evaluate_condition(results, "deterred_share[economic_nato] >= 0.5")
    assert 0 < y.mean() < 1
    trajectory, box = discover(results, "deterred_share[economic_nato] >= 0.5")
    assert trajectory["coverage"].iloc[0] == 1.0 and box.coverage >= 0.5 and box.density > y.mean()
    assert "stance_value" in box.limits  # λ drives it (as the sensitivity indices say)
    table = regret(results, "deterred_share")
    assert table["policy"].iloc[0] == "economic_nato"
    shares = satisficing(results, "deterred_share >= 0.3 and bloc_cost <= 0.05").set_index("policy")
    assert shares.loc["economic_nato", "share_of_worlds"] > shares.loc["status_quo", "share_of_worlds"]
    assert main(["discover", out, "--where", "deterred_share[economic_nato] >= 0.5"]) == 0
    assert "chosen box" in capsys.readouterr().out
    assert main(["regret", out, "--measure", "bloc_cost", "--satisfice", "deterred_share >= 0.3"]) == 0
    assert main(["discover", out, "--where", "deterred_share[nato] >= 0.5"]) == 1
    assert "unknown policy 'nato'" in capsys.readouterr().err


def test_the_report_states_the_regret_when_aggregates_are_recorded(aggregates_run, tmp_path):
    from analysis.report import write_report

    out, _ = aggregates_run
    write_report(out, str(tmp_path / "report"))
    page = (tmp_path / "report" / "index.html").read_text()
    assert "least regret on the deterred share" in page and "regret_deterred_share" in page
    table = pd.read_csv(tmp_path / "report" / "regret_deterred_share.csv")
    assert table["policy"].iloc[0] == "economic_nato"


def test_the_key_table_shows_the_spread_across_worlds_from_the_aggregates(aggregates_run, tmp_path):
    from analysis.report import write_report

    out, _ = aggregates_run
    write_report(out, str(tmp_path / "report"))
    page = (tmp_path / "report" / "index.html").read_text()
    with h5py.File(out, "r") as f:
        deterred = f["records/outcome_share"][:, 2, 2]  # economic_nato, DETERRED
    low, high = np.quantile(deterred, [0.05, 0.95])
    assert f"5–95% of worlds {100 * low:.1f}–{100 * high:.1f}" in page


def test_cost_effectiveness_ratio_and_its_interval(aggregates_run):
    from analysis import Results

    r = Results(aggregates_run[0])
    table = r.cost_effectiveness().set_index("policy")
    assert r.reference_policy() == "status_quo" and "status_quo" not in table.index
    shares, cost = r.output("outcome_share")["mean"][()], r.output("mean_bloc_cost")["mean"][()]
    policies, det = r.labels("policy"), r.labels("outcome").index("DETERRED")
    n = policies.index("economic_nato")
    row = table.loc["economic_nato"]
    assert row.extra_cost_usd_bn_per_episode == pytest.approx(cost[n] - cost[0], abs=0)
    assert row.deterred_points_per_usd_bn == pytest.approx(100 * (shares[n, det] - shares[0, det]) / (cost[n] - cost[0]),
                                                           rel=1e-12)
    assert row.low < row.deterred_points_per_usd_bn < row.high
    # Independent check of the delta-method interval: a bootstrap of the worlds.
    x = r.file["records/outcome_share"][:, n, det] - r.file["records/outcome_share"][:, 0, det]
    y = r.file["records/mean_bloc_cost"][:, n] - r.file["records/mean_bloc_cost"][:, 0]
    rng = np.random.default_rng(3)
    ratios = []
    for _ in range(400):
        pick = rng.integers(0, len(x), len(x))
        ratios.append(100 * x[pick].mean() / y[pick].mean())
    low, high = np.quantile(ratios, [0.025, 0.975])
    assert (row.high - row.low) == pytest.approx(high - low, rel=0.25)
    # A policy that costs no more than the reference gets no ratio.
    free = table[table["extra_cost_usd_bn_per_episode"] <= 0]
    assert free["deterred_points_per_usd_bn"].isna().all()


def test_wilson_intervals_are_the_engines_to_the_bit(aggregates_run):
    from analysis import Results, wilson_interval

    g = Results(aggregates_run[0]).output("outcome")
    counts = g["counts"][()]
    low, high = wilson_interval(counts, counts.sum(axis=-1, keepdims=True))
    assert np.array_equal(low, g["wilson95_low"][()]) and np.array_equal(high, g["wilson95_high"][()])
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(0, 10)[1] > 0.0  # a rare outcome keeps an upper bound
    assert np.isnan(wilson_interval(0, 0)[0])


def test_the_classification_tree_finds_the_planted_box_too():
    from analysis.discovery import tree_boxes

    rng = np.random.default_rng(7)
    X = rng.uniform(size=(6000, 6))
    y = (X[:, 0] > 0.7) & (X[:, 3] < 0.4)
    y ^= rng.uniform(size=len(y)) < 0.02
    leaves = tree_boxes(X, y, [f"x{j}" for j in range(6)], max_depth=2)
    best = leaves.iloc[0]
    assert set(best["_limits"]) == {"x0", "x3"}  # exactly the two planted parameters
    assert best["_limits"]["x0"][0] == pytest.approx(0.7, abs=0.04)
    assert best["_limits"]["x3"][1] == pytest.approx(0.4, abs=0.04)
    assert best["density"] > 0.9 and best["coverage"] > 0.8  # 2% noise outside the box lowers coverage
    assert leaves["mass"].sum() == pytest.approx(1.0)  # the leaves partition the draws
    inside = (X[:, 0] > best["_limits"]["x0"][0]) & (X[:, 3] <= best["_limits"]["x3"][1])
    assert best["density"] == pytest.approx(y[inside].mean())


def test_the_report_shows_prim_and_the_tree(aggregates_run, tmp_path):
    from analysis.report import write_report

    condition = "deterred_share[economic_nato] >= 0.5"
    figures = write_report(aggregates_run[0], str(tmp_path), discover=condition)
    assert "prim_trajectory.png" in figures.values()
    box = pd.read_csv(tmp_path / "prim_box.csv")
    trajectory, chosen = discover(open_results(aggregates_run[0]), condition)
    assert list(box["parameter"]) == list(chosen.limits)
    leaves = pd.read_csv(tmp_path / "tree_leaves.csv")
    assert leaves["mass"].sum() == pytest.approx(1.0)
    assert "chosen box for deterred_share[economic_nato] &gt;= 0.5" in (tmp_path / "index.html").read_text()

"""Simulation-based calibration, small: 60 replications of the binomial calibration. The ranks of
θ* among posterior draws are uniform (χ² p above 0.001) when the records come from the model, and
far from uniform when they come from θ*² (the negative control). bench/sbc.py runs 200."""
from analysis.sbc import run_sbc

from .conftest import BINARY


def test_ranks_are_uniform_for_the_right_model_and_not_for_a_wrong_one():
    right = run_sbc(BINARY, replications=60, draws=500, inner=100, posterior_draws=59, bins=6, seed=7)
    assert right.counts.sum() == 60 and len(right.ranks) == 60
    assert right.ranks.min() >= 0 and right.ranks.max() <= 59
    assert right.p_value > 0.001, right.counts
    wrong = run_sbc(BINARY, replications=60, draws=500, inner=100, posterior_draws=59, bins=6, seed=7,
                    misspecified=True)
    assert wrong.p_value < 0.001, wrong.counts


def test_the_engines_simulated_records_give_uniform_ranks_on_the_binomial(tmp_path):
    from analysis.sbc import run_sbc_engine

    config = tmp_path / "binomial.yaml"
    config.write_text("model: binomial\ndraws: 1000\nseed: 11\nparameters:\n  theta: {dist: uniform, min: 0, max: 1}\n"
                      "model_options:\n  observed: [SUCCESS, FAILURE, SUCCESS, SUCCESS, FAILURE, SUCCESS, SUCCESS, "
                      "FAILURE]\n")
    result = run_sbc_engine(BINARY, str(config), replications=50, draws=500, inner=100, posterior_draws=19, bins=5)
    row = result.table.set_index("parameter").loc["theta"]
    assert sum(int(c) for c in row["counts"].split()) == 50
    assert row["p_value"] > 0.001, row["counts"]


def test_simulation_based_calibration_runs_on_the_game():
    import os

    from analysis.sbc import run_sbc_engine
    from .conftest import ROOT

    result = run_sbc_engine(BINARY, os.path.join(ROOT, "configs", "experiments", "cases.yaml"), replications=3, draws=64,
                            inner=10, posterior_draws=9, bins=5)
    assert len(result.table) >= 20  # every global parameter whose prior varies
    assert all(len(r) == 3 and r.min() >= 0 and r.max() <= 9 for r in result.ranks.values())
    assert "forced_share.taiwan" in set(result.table["parameter"])
    assert "loss_misperception" not in set(result.table["parameter"])  # a constant prior: no rank

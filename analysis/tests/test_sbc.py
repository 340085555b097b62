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

"""A run on a calibration's posterior in Python: Results.posterior, the prior-posterior table and
the report's calibration status and side-by-side section."""
import os

import pandas as pd
import pytest

from analysis import Results
from analysis.report import write_report
from analysis.results import prior_posterior_table

from .conftest import ROOT, run_engine


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("posterior"))
    calibration = os.path.join(folder, "calibration.h5")
    prior, posterior = os.path.join(folder, "prior.h5"), os.path.join(folder, "posterior.h5")
    run_engine("calibrate", "--method", "importance", os.path.join(ROOT, "configs", "experiments", "cases.yaml"), "--draws", "64", "--inner",
               "10", "--quiet", "--out", calibration)
    baseline = os.path.join(ROOT, "configs", "baseline.yaml")
    run_engine("run", baseline, "--draws", "600", "--quiet", "--out", prior)
    run_engine("run", baseline, "--draws", "600", "--posterior", calibration, "--quiet", "--out", posterior)
    return folder, calibration, prior, posterior


def test_the_posterior_run_says_where_its_parameters_came_from(runs):
    _, calibration, prior, posterior = runs
    assert Results(prior).posterior is None
    p = Results(posterior).posterior
    assert p["calibration_file"] == calibration and p["calibration_draws"] == 64
    assert 1.0 <= p["effective_sample_size"] <= 64.0


def test_prior_and_posterior_side_by_side(runs):
    _, _, prior, posterior = runs
    table = prior_posterior_table(Results(prior), Results(posterior))
    shares = Results(posterior).outcome_shares().set_index(["policy", "outcome"])
    assert len(table) == 5 * 5
    for row in table.itertuples():
        assert row.posterior == pytest.approx(shares.loc[(row.policy, row.outcome), "share"], abs=0)
        assert row.change == pytest.approx(row.posterior - row.prior, abs=1e-15)
        assert row.prior_low <= row.prior <= row.prior_high
    with pytest.raises(ValueError, match="not a posterior run"):
        prior_posterior_table(Results(posterior), Results(prior))


def test_the_report_states_the_calibration_and_shows_both(runs):
    folder, _, prior, posterior = runs
    out = os.path.join(folder, "report")
    write_report(posterior, out, prior=prior)
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    assert "posterior of calibration.h5" in page and "NOT a reliable posterior" in page  # 64 draws: a tiny ESS
    assert "for the base rate" in page  # the calibrated model's case score, on the page
    assert "Prior and posterior side by side" in page
    table = pd.read_csv(os.path.join(out, "prior_vs_posterior.csv"))
    assert set(table["outcome"]) == {"DETERRED", "SELF_CENSORSHIP", "CAPITULATION", "RESISTED", "ESCALATION"}
    write_report(prior, os.path.join(folder, "prior_report"))
    prior_page = open(os.path.join(folder, "prior_report", "index.html"), encoding="utf-8").read()
    assert "priors as written in the config" in prior_page


def test_a_calibration_report_draws_prior_against_posterior(runs):
    folder, calibration, _, _ = runs
    out = os.path.join(folder, "calibration_report")
    figures = write_report(calibration, out)
    assert "calibration_prior_posterior.png" in figures.values()
    table = pd.read_csv(os.path.join(out, "calibration_parameters.csv"))
    assert {"resolve", "stance_value", "forced_share.taiwan"} <= set(table["parameter"])
    assert (table["prior_q05"] <= table["prior_q95"]).all()
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    assert "A calibration: effective sample size" in page


def test_posterior_predictive_checks_against_the_record(runs):
    import h5py
    import numpy as np
    import yaml

    from analysis.checks import posterior_predictive_checks

    _, calibration, _, _ = runs
    table = posterior_predictive_checks(calibration, replications=20000, seed=5).set_index("group")
    with open(os.path.join(ROOT, "configs", "cases", "library.yaml")) as f:
        library = {c["id"]: c for c in yaml.safe_load(f)["cases"]}

    def concession(case):  # the record's weight of CAPITULATION, from the library as coded
        observed = case["observed"]
        return observed.get("CAPITULATION", 0.0) if isinstance(observed, dict) else float(observed == "CAPITULATION")

    coerced = [c for c in library.values()
               if (c["observed"] if isinstance(c["observed"], str) else "coerced") != "WITHDRAWN"]
    with h5py.File(calibration, "r") as f:
        p, w = f["calibration/p_class"][()], f["calibration/weight"][()]
        ids = [i.decode() for i in f["cases/id"][()]]
    # A case no draw saw coerced (possible with 64 draws x 10 plays) has no forecast: left out.
    forecast = [c for c in coerced if not np.isnan(p[:, ids.index(c["id"]), 0]).all()]
    assert len(forecast) + len(table.attrs["unforecast_cases"]) == len(coerced)
    one_off = [c for c in forecast if c["act"] == "one_off"]
    assert table.loc["act: one_off", "cases"] == len(one_off)
    assert table.loc["act: one_off", "record"] == pytest.approx(np.mean([concession(c) for c in one_off]))
    assert table.loc["all coerced cases", "cases"] == len(forecast)
    # The model's rate is the weighted mean of each case's P(CAPITULATION) (Monte Carlo error of
    # 20 000 simulated records of about 30 cases: sd < 0.002).
    expected = np.mean([np.nansum(w * p[:, ids.index(c["id"]), 0]) / w[~np.isnan(p[:, ids.index(c["id"]), 0])].sum()
                        for c in forecast])
    assert table.loc["all coerced cases", "model"] == pytest.approx(expected, abs=0.01)
    assert (table["model_q05"] <= table["model"]).all() and (table["model"] <= table["model_q95"]).all()
    assert table.loc["concessions before any measure (share of concessions)", "model"] == 0.0


def test_policy_answers_under_each_mechanism_and_their_mixture(runs):
    from analysis.mechanisms import policy_answers, ranking_changes

    _, _, prior, posterior = runs
    table = policy_answers({"a": prior, "b": posterior}, {"a": 1.0, "b": 3.0})
    assert set(table["mechanism"]) == {"a", "b", "stacking mixture"}
    rows = table.set_index(["mechanism", "policy"])
    for policy in Results(prior).labels("policy"):
        a, b, mix = rows.loc[("a", policy)], rows.loc[("b", policy)], rows.loc[("stacking mixture", policy)]
        assert mix["deterred"] == pytest.approx(0.25 * a["deterred"] + 0.75 * b["deterred"], abs=1e-12)
        assert mix["bloc_cost"] == pytest.approx(0.25 * a["bloc_cost"] + 0.75 * b["bloc_cost"], abs=1e-12)
        assert a["deterred_vs_status_quo"] == pytest.approx(a["deterred"] - rows.loc[("a", "status_quo"), "deterred"])
    shares = Results(prior).outcome_shares().set_index(["policy", "outcome"])["share"]
    assert rows.loc[("a", "economic_nato"), "deterred"] == pytest.approx(100 * shares[("economic_nato", "DETERRED")])
    assert sorted(rows.loc["a"]["rank_by_deterred"]) == [1, 2, 3, 4, 5]
    same = pd.DataFrame({"mechanism": ["x", "x", "y", "y"], "policy": ["p", "q", "p", "q"],
                         "rank_by_deterred": [1, 2, 1, 2]})
    assert not ranking_changes(same)
    assert ranking_changes(same.assign(rank_by_deterred=[1, 2, 2, 1]))
    with pytest.raises(ValueError, match="no stacking weight"):
        policy_answers({"a": prior, "b": posterior}, {"a": 1.0})


def test_the_report_shows_policy_answers_by_mechanism(runs):
    folder, _, prior, posterior = runs
    out = os.path.join(folder, "mechanisms_report")
    write_report(posterior, out, mechanisms={"a": prior, "b": posterior})
    page = open(os.path.join(out, "index.html"), encoding="utf-8").read()
    assert "Policy answers under each mechanism" in page
    table = pd.read_csv(os.path.join(out, "policy_answers_by_mechanism.csv"))
    assert set(table["mechanism"]) == {"a", "b"}  # no comparison file: no stacking mixture


def test_scenario_discovery_and_regret_on_a_posterior_run(runs, tmp_path):
    from analysis.discovery import discover, regret

    _, calibration, _, _ = runs
    config = tmp_path / "game.yaml"
    config.write_text(f"extends: {ROOT}/configs/baseline.yaml\ndraws: 1024\nchunk_size: 256\n"
                      "records: {aggregates: true, parameters: true}\n")
    out = str(tmp_path / "posterior.h5")
    run_engine("run", str(config), "--posterior", calibration, "--quiet", "--out", out)
    results = Results(out)
    # The posterior's worlds are ordinary draws (resampled), so PRIM and regret need no weights:
    # every global parameter in the records is one of the calibration's draws.
    import h5py
    import numpy as np

    with h5py.File(calibration, "r") as f:
        names = [n.decode() for n in f["calibration/parameter"][()]]
        theta = f["calibration/theta"][()]
    played = results.parameter_records()
    column = names.index("resolve")
    assert set(played["resolve"]) <= set(theta[:, column])
    table = regret(results, "deterred_share")
    assert len(table) == 5 and table["max_regret"].is_monotonic_increasing  # minimax first
    assert ((table["share_best"] >= 0) & (table["share_best"] <= 1)).all() and table["share_best"].sum() >= 1
    trajectory, box = discover(results, "deterred_share[economic_nato] >= 0.5")
    assert len(trajectory) > 1 and 0 < box.mass <= 1


def test_an_smc_calibration_sets_the_game_beside_the_feature_rules(tmp_path):
    """A small SMC calibration of the game: the report's table of forecasts without the game holds
    the game and the four rules, with the scores `summary` prints; its note names the method."""
    calibration = str(tmp_path / "smc.h5")
    run_engine("calibrate", os.path.join(ROOT, "configs", "experiments", "cases.yaml"), "--draws", "32", "--inner", "6",
               "--max-moves", "2", "--hold-out-from", "2019", "--quiet", "--out", calibration)
    table = Results(calibration).feature_rules()
    assert list(table["forecast"]) == ["the game", "one rate for all", "rate per act", "rate per issue",
                                       "rate per stance"]
    assert (table["loo_log_score"] > 0).all() and (table["held_log_score"] > 0).all()
    # One rate for all is the leave-one-out base rate the calibration reports beside the game.
    import h5py
    with h5py.File(calibration) as f:
        assert table["loo_log_score"][1] == pytest.approx(float(f["calibration"].attrs["mean_base_log_score"]))
    out = str(tmp_path / "report")
    write_report(calibration, out)
    page = open(os.path.join(out, "index.html")).read()
    assert "forecasts_without_the_game" in page and "sequential Monte Carlo" in page


def test_policy_answers_on_some_countries_average_their_episodes_only(runs):
    from analysis.mechanisms import policy_answers

    _, _, prior, posterior = runs
    results = Results(prior)
    targets = sorted({e.split(":", 1)[0] for e in results.labels("episode")})
    every = policy_answers({"a": prior}).set_index("policy")
    named = policy_answers({"a": prior}, countries=targets).set_index("policy")
    for column in ("deterred", "self_censorship", "capitulation", "bloc_cost"):
        assert named[column].to_numpy() == pytest.approx(every[column].to_numpy(), abs=1e-9)
    share = results.output("outcome")["share"][()]
    cost = results.output("bloc_cost")["mean"][()]
    episodes = [i for i, e in enumerate(results.labels("episode")) if e.startswith("TWN:")]
    twn = policy_answers({"a": prior, "b": posterior}, {"a": 1.0, "b": 1.0}, countries=["TWN"])
    rows = twn.set_index(["mechanism", "policy"])
    nato = results.labels("policy").index("economic_nato")
    deterred = results.labels("outcome").index("DETERRED")
    assert rows.loc[("a", "economic_nato"), "deterred"] == pytest.approx(100 * share[nato, episodes, deterred].mean())
    assert rows.loc[("a", "economic_nato"), "bloc_cost"] == pytest.approx(cost[nato, episodes].mean())
    assert rows.loc[("a", "economic_nato"), "deterred"] != pytest.approx(every.loc["economic_nato", "deterred"])
    with pytest.raises(ValueError, match="no episode has the target XYZ"):
        policy_answers({"a": prior}, countries=["TWN", "XYZ"])


def test_concessions_at_the_threat_come_from_a_posterior_run_of_the_library(tmp_path):
    """With version 4's threat warning, the model's share of concessions made before any measure
    is read from a posterior run of the calibration's own config: each case's P(at threat) over its
    P(CAPITULATION) at its regime and episode; without the warning it stays 0."""
    import h5py
    import numpy as np

    from analysis.checks import at_threat_given_concession, case_library, posterior_predictive_checks

    config = os.path.join(ROOT, "configs", "experiments", "mechanisms", "threat_warning.yaml")
    calibration, run = str(tmp_path / "calibration.h5"), str(tmp_path / "run.h5")
    run_engine("calibrate", "--method", "importance", config, "--draws", "64", "--inner", "10", "--quiet",
               "--out", calibration)
    run_engine("run", config, "--draws", "800", "--posterior", calibration, "--quiet", "--out", run)
    library = case_library(calibration)
    with h5py.File(calibration, "r") as f:
        ids = [i.decode() if isinstance(i, bytes) else i for i in f["cases/id"][()]]
    chance = at_threat_given_concession(run, library, ids)
    with h5py.File(run, "r") as f:
        episodes = [e.decode() for e in f["dims/episode"][()]]
        policies = [p.decode() for p in f["dims/policy"][()]]
        share = f["outputs/outcome/share"][()]
        at_threat = f["outputs/conceded_at_threat/mean"][()]
    case = ids[0]
    p, e = policies.index(library[case]["regime"]), episodes.index(case)
    capitulation = share[p, e, 3]
    if capitulation > 0:
        assert chance[case] == pytest.approx(at_threat[p, e] / capitulation)
    values = np.array([v for v in chance.values() if not np.isnan(v)])
    assert ((values >= 0) & (values <= 1)).all() and values.max() > 0  # some concessions come at the threat
    row = posterior_predictive_checks(calibration, run=run).set_index("group").loc[
        "concessions before any measure (share of concessions)"]
    assert 0 < row["model"] < 1 and row["model_q05"] <= row["model"] <= row["model_q95"]
    without = posterior_predictive_checks(calibration).set_index("group")
    assert without.loc["concessions before any measure (share of concessions)", "model"] == 0.0
    # A run of another library is refused, naming the missing case.
    other = str(tmp_path / "baseline.h5")
    run_engine("run", os.path.join(ROOT, "configs", "baseline.yaml"), "--draws", "100", "--quiet", "--out", other)
    with pytest.raises(ValueError, match="no episode"):
        at_threat_given_concession(other, library, ids)

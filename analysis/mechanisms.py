"""Policy answers under structural uncertainty: the same policy comparison played on the posterior
of each calibrated mechanism (`run --posterior`) and on their stacking mixture.

For every mechanism and for the mixture, the headline comparisons against the reference policy —
deterred, self-censorship and capitulation shares and the bloc's cost — and the ranking of the
policies by deterred share; the mixture's figures are the stacking-weighted means of the
mechanisms' (a mixture of posteriors averages its shares). `ranking_changes` says whether the
ordering of policies depends on which mechanism explains the record.
"""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd

from .results import Results

HEADLINE = ("DETERRED", "SELF_CENSORSHIP", "CAPITULATION")


def stacking_weights(comparison: str) -> dict[str, float]:
    """Model name -> stacking weight, from a `deterrence compare` file."""
    with h5py.File(comparison, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["comparison/model"][()]]
        return dict(zip(names, (float(w) for w in f["comparison/stacking_weight"][()])))


def _answers(results: Results, countries: list[str] | None) -> dict[tuple[str, str], float]:
    """Each policy's headline shares and bloc cost: over every episode, or, with `countries`, over
    the episodes whose target is one of them (so runs on different country sets can be compared on
    the countries they share; a share of episodes averaged over episodes is the same either way)."""
    out = {}
    if countries is None:
        shares = results.outcome_shares().set_index(["policy", "outcome"])["share"]
        cost = results.output("mean_bloc_cost")["mean"][()]
        for i, policy in enumerate(results.labels("policy")):
            for outcome in HEADLINE:
                out[(policy, outcome)] = float(shares[(policy, outcome)])
            out[(policy, "bloc_cost")] = float(cost[i])
        return out
    targets = [str(e).split(":", 1)[0] for e in results.labels("episode")]
    missing = sorted(set(countries) - set(targets))
    if missing:
        raise ValueError(f"{results.path}: no episode has the target {', '.join(missing)}")
    chosen = np.array([t in set(countries) for t in targets])
    share = results.output("outcome")["share"][()][:, chosen, :].mean(axis=1)
    cost = results.output("bloc_cost")["mean"][()][:, chosen].mean(axis=1)
    outcomes = results.labels("outcome")
    for i, policy in enumerate(results.labels("policy")):
        for outcome in HEADLINE:
            out[(policy, outcome)] = float(share[i, outcomes.index(outcome)])
        out[(policy, "bloc_cost")] = float(cost[i])
    return out


def policy_answers(runs: dict[str, str], weights: dict[str, float] | None = None,
                   countries: list[str] | None = None) -> pd.DataFrame:
    """One row per mechanism (and 'stacking mixture' when weights are given) and policy: its shares
    (%, of episodes; only those targeting `countries` when given), its bloc cost (USD bn per
    episode), their differences from the reference policy, and the policy's rank by deterred share
    (1 = deters most)."""
    tables = {name: _answers(Results(path), countries) for name, path in runs.items()}
    first = Results(next(iter(runs.values())))
    policies, reference = first.labels("policy"), first.reference_policy()
    if weights:
        missing = set(runs) - set(weights)
        if missing:
            raise ValueError(f"no stacking weight for {sorted(missing)}")
        total = sum(weights[name] for name in runs)
        tables["stacking mixture"] = {key: sum(weights[name] / total * tables[name][key] for name in runs)
                                      for key in tables[next(iter(runs))]}
    rows = []
    for mechanism, t in tables.items():
        deterred = np.array([t[(p, "DETERRED")] for p in policies])
        ranks = (-deterred).argsort().argsort() + 1
        for i, policy in enumerate(policies):
            row = {"mechanism": mechanism, "policy": policy, "rank_by_deterred": int(ranks[i])}
            for outcome in HEADLINE:
                row[outcome.lower()] = 100 * t[(policy, outcome)]
                row[f"{outcome.lower()}_vs_{reference}"] = 100 * (t[(policy, outcome)] - t[(reference, outcome)])
            row["bloc_cost"] = t[(policy, "bloc_cost")]
            rows.append(row)
    return pd.DataFrame(rows)


def ranking_changes(answers: pd.DataFrame) -> bool:
    """Whether the policies' ranking by deterred share differs between any two mechanisms."""
    orders = {m: tuple(g.sort_values("rank_by_deterred")["policy"]) for m, g in answers.groupby("mechanism")}
    return len(set(orders.values())) > 1

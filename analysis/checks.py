"""Posterior predictive checks of a calibration against the historical record.

For the cases a calibration scored on their coerced outcome, the model's posterior predictive
concession rate — by issue, by one-off against ongoing act, by forced against chosen stance, and
overall — beside the record's, with a 5-95% interval from simulated records: each replication
picks one calibration draw by its weight and draws every case's outcome from that draw's class
probabilities. The features come from the case library stored in the calibration file (/inputs),
as coded by its codebook. The record's share of concessions made before any measure was imposed
is reported too. A case that no calibration draw ever saw coerced has no forecast and is left out
of every group (listed in the table's attrs["unforecast_cases"]). Without version 4's threat
warning a CAPITULATION always follows a measure (docs/model.md §4), so the model's share of
concessions before any measure is 0 by construction. With it, give `run`: a `run --posterior` of
the calibration's own config. Each case's chance of conceding at the threat given that it
concedes, P(conceded_at_threat) / P(CAPITULATION) at the case's policy and episode, is read from
that run, and each simulated concession is made at the threat with that chance.
"""
from __future__ import annotations

import h5py
import numpy as np
import pandas as pd

from .results import _text


def case_library(path: str) -> dict[str, dict]:
    """The coded cases (id -> fields) of the library a calibration or run read, from its /inputs."""
    import yaml

    with h5py.File(path, "r") as f:
        if "inputs" not in f:
            raise ValueError(f"{path}: records no inputs, so no case library")
        library: dict[str, dict] = {}
        for text in _text(f["inputs/text"][()]):  # every library it read (model_options.cases may list several)
            try:
                document = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            if isinstance(document, dict) and isinstance(document.get("cases"), list):
                library.update({c["id"]: c for c in document["cases"] if isinstance(c, dict) and "id" in c})
    if not library:
        raise ValueError(f"{path}: no case library among its inputs")
    return library


def _concession_weight(observed: str) -> float:
    """The weight of CAPITULATION in a stored observation ('CAPITULATION:0.25;RESISTED:0.75')."""
    weight = 0.0
    for part in observed.split(";"):
        code, _, share = part.partition(":")
        if code == "CAPITULATION":
            weight += float(share or 1)
    return weight


def at_threat_given_concession(run: str, library: dict[str, dict], ids: list[str]) -> dict[str, float]:
    """Case id -> P(conceded at the threat | conceded) in a run of the case library: the run's
    `conceded_at_threat` mean over its CAPITULATION share at the case's regime and episode (0
    where the run has no such output: warnings not modelled; NaN where it never conceded)."""
    with h5py.File(run, "r") as f:
        if "outputs/outcome" not in f:
            raise ValueError(f"{run}: not a run of the game (no /outputs/outcome)")
        episodes = _text(f["dims/episode"][()])
        policies = _text(f["dims/policy"][()])
        outcomes = _text(f["dims/outcome"][()])
        share = f["outputs/outcome/share"][()]
        at_threat = f["outputs/conceded_at_threat/mean"][()] if "outputs/conceded_at_threat" in f else None
    result = {}
    for case in ids:
        if case not in episodes:
            raise ValueError(f"{run}: no episode '{case}': not a run of this calibration's case library")
        regime = library.get(case, {}).get("regime")
        if regime not in policies:
            raise ValueError(f"{run}: no policy '{regime}' (the regime of case '{case}')")
        p, e = policies.index(regime), episodes.index(case)
        conceded = share[p, e, outcomes.index("CAPITULATION")]
        if at_threat is None:
            result[case] = 0.0
        else:
            result[case] = float(at_threat[p, e] / conceded) if conceded > 0 else float("nan")
    return result


def posterior_predictive_checks(path: str, replications: int = 4000, seed: int = 20261130,
                                run: str | None = None) -> pd.DataFrame:
    """One row per group of coerced cases: the record's concession rate, the model's posterior
    predictive mean with its 5-95% interval, and P(simulated rate >= recorded rate). With `run`
    (a `run --posterior` of the same case library), the share of concessions made at the threat
    comes from it; without, it is 0 (no threat warning)."""
    with h5py.File(path, "r") as f:
        if "calibration" not in f:
            raise ValueError(f"{path}: not a calibration (no /calibration)")
        ids = _text(f["cases/id"][()])
        classes = _text(f["cases/classes"][()])
        observed = _text(f["cases/observed"][()])
        p_class = f["calibration/p_class"][()]
        weight = f["calibration/weight"][()]
    library = case_library(path)
    cases = []  # (case index, class index of CAPITULATION, recorded weight of CAPITULATION)
    unforecast = []  # cases no calibration draw ever saw coerced: the model says nothing of them
    for c, (case, spec) in enumerate(zip(ids, classes)):
        names = [part.split("=")[0] for part in spec.split(";")]
        if "CAPITULATION" in names:
            if np.isnan(p_class[:, c, names.index("CAPITULATION")]).all():
                unforecast.append(case)
                continue
            cases.append((c, names.index("CAPITULATION"), _concession_weight(observed[c])))
    rng = np.random.default_rng(seed)
    draws = rng.choice(len(weight), size=replications, p=weight / weight.sum())
    simulated = np.zeros((replications, len(cases)))
    for k, (c, j, _) in enumerate(cases):
        p = p_class[draws, c, j]
        fallback = np.nansum(weight * np.nan_to_num(p_class[:, c, j])) / np.sum(weight[~np.isnan(p_class[:, c, j])])
        p = np.where(np.isnan(p), fallback, p)  # a draw in which the case never met its condition
        simulated[:, k] = rng.uniform(size=replications) < p
    recorded = np.array([w for _, _, w in cases])
    features = [library.get(ids[c], {}) for c, _, _ in cases]
    groups: dict[str, np.ndarray] = {"all coerced cases": np.ones(len(cases), bool)}
    for key, label in (("issue", "issue"), ("act", "act"), ("stance", "stance")):
        for value in sorted({str(f.get(key)) for f in features if f.get(key) is not None}):
            groups[f"{label}: {value}"] = np.array([str(f.get(key)) == value for f in features])
    rows = []
    for name, member in groups.items():
        rates = simulated[:, member].mean(axis=1)
        record = recorded[member].mean()
        low, high = np.quantile(rates, [0.05, 0.95])
        rows.append({"group": name, "cases": int(member.sum()), "record": record, "model": rates.mean(),
                     "model_q05": low, "model_q95": high, "p_model_at_least_record": float(np.mean(rates >= record))})
    conceded = recorded > 0
    before = np.array([not f.get("measure_imposed_before_outcome", True) for f in features])
    share = float(np.sum(recorded * before) / np.sum(recorded)) if conceded.any() else np.nan
    if run is None:
        model, low, high, at_least = 0.0, 0.0, 0.0, float(share <= 0.0)
    else:
        chance = at_threat_given_concession(run, library, [ids[c] for c, _, _ in cases])
        a = np.nan_to_num(np.array([chance[ids[c]] for c, _, _ in cases]))
        at_threat = simulated * (rng.uniform(size=simulated.shape) < a)
        with np.errstate(invalid="ignore"):
            shares = at_threat.sum(axis=1) / simulated.sum(axis=1)
        shares = shares[~np.isnan(shares)]  # replications with no concession have no share
        model = float(shares.mean())
        low, high = (float(q) for q in np.quantile(shares, [0.05, 0.95]))
        at_least = float(np.mean(shares >= share))
    rows.append({"group": "concessions before any measure (share of concessions)", "cases": int(conceded.sum()),
                 "record": share, "model": model, "model_q05": low, "model_q95": high,
                 "p_model_at_least_record": at_least})
    table = pd.DataFrame(rows)
    table.attrs["unforecast_cases"] = unforecast  # left out of every group, record and model alike
    return table

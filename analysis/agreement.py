"""Inter-coder agreement: Cohen's kappa per feature between two codings of the same cases.

`python3 -m analysis agreement configs/cases/library.yaml configs/cases/second_coding.yaml`
compares every case the second coding holds with the same id in the first. Kappa (Cohen 1960) is
(p_o - p_e) / (1 - p_e): p_o the share of cases both coders put in the same category, p_e the share
two coders with these marginals would agree on by chance. Where both coders used one category only
(p_e = 1) kappa is undefined and reported as NaN with the raw agreement beside it.
"""
from __future__ import annotations

from collections import Counter

import yaml

# Categorical features compared as coded.
FEATURES = ("issue", "stance", "act", "measure_imposed_before_outcome", "regime")


def _cases(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    cases = document.get("cases") if isinstance(document, dict) else None
    if not isinstance(cases, list):
        raise ValueError(f"{path}: no 'cases' list")
    return {case["id"]: case for case in cases}


def _observed_code(observed) -> str:
    """The outcome code as one category: a single class, or the split written out in a fixed order."""
    if isinstance(observed, str):
        return observed
    return ",".join(f"{name}:{float(share):g}" for name, share in sorted(observed.items()))


def _modal_class(observed) -> str:
    """The class with the largest share (ties: the first in alphabetical order)."""
    if isinstance(observed, str):
        return observed
    best = max(observed.values())
    return sorted(name for name, share in observed.items() if share == best)[0]


def cohen_kappa(first: list, second: list) -> tuple[float, float]:
    """(kappa, raw agreement) for two equal-length lists of categories."""
    if len(first) != len(second) or not first:
        raise ValueError("kappa needs two non-empty codings of the same cases")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    counts_first, counts_second = Counter(first), Counter(second)
    expected = sum(counts_first[c] * counts_second[c] for c in counts_first) / (n * n)
    if expected >= 1.0:
        return float("nan"), observed
    return (observed - expected) / (1.0 - expected), observed


def agreement(first_path: str, second_path: str) -> list[dict]:
    """One row per feature: feature, cases, kappa, agreement, and the ids the coders differ on."""
    first, second = _cases(first_path), _cases(second_path)
    missing = sorted(set(second) - set(first))
    if missing:
        raise ValueError(f"{second_path}: cases not in {first_path}: {', '.join(missing)}")
    ids = list(second)
    derived = {
        "observed (exact code)": _observed_code,
        "observed (modal class)": _modal_class,
        "observed (single class or split)": lambda o: "single" if isinstance(o, str) else "split",
    }
    rows = []
    for feature in FEATURES:
        a = [str(first[i][feature]) for i in ids]
        b = [str(second[i][feature]) for i in ids]
        rows.append(_row(feature, ids, a, b))
    for name, code in derived.items():
        a = [code(first[i]["observed"]) for i in ids]
        b = [code(second[i]["observed"]) for i in ids]
        rows.append(_row(name, ids, a, b))
    within = [abs(float(first[i]["months_to_outcome"]) - float(second[i]["months_to_outcome"])) <= 1 for i in ids]
    rows.append({"feature": "months_to_outcome (within 1 month)", "cases": len(ids), "kappa": float("nan"),
                 "agreement": sum(within) / len(ids), "differ": [i for i, w in zip(ids, within) if not w]})
    return rows


def _row(feature: str, ids: list, a: list, b: list) -> dict:
    kappa, raw = cohen_kappa(a, b)
    return {"feature": feature, "cases": len(ids), "kappa": kappa, "agreement": raw,
            "differ": [i for i, x, y in zip(ids, a, b) if x != y]}


def print_agreement(rows: list[dict]) -> None:
    print(f"{'feature':<36} {'cases':>5} {'kappa':>6} {'agree':>6}  differ")
    for row in rows:
        kappa = "  n/a" if row["kappa"] != row["kappa"] else f"{row['kappa']:6.2f}"
        print(f"{row['feature']:<36} {row['cases']:>5} {kappa:>6} {row['agreement']:6.0%}  "
              f"{', '.join(row['differ']) or '-'}")

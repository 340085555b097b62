"""Which worlds make a policy work, and which policy is least likely to leave us badly off.

Scenario discovery with PRIM (Friedman & Fisher 1999, as the EMA Workbench runs it): peel the
box of sampled parameters in small steps towards the draws where a condition holds, paste back
what peeling took too greedily, and test each restriction by a binomial quasi-p-value. Robust
choice: each policy's regret in every sampled world (the best policy's value minus its own),
minimax and 90th-percentile regret, the share of worlds in which each policy is best, and
satisficing shares. Both read per-draw records: `records.aggregates: true` (per-draw, per-policy
shares and payoffs) and `records.parameters: true` (the draw's sampled parameters).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .results import Results

# Measures a condition can name, per policy: measure -> (records dataset, outcome or None).
SHARES = {"self_censorship": "SELF_CENSORSHIP", "not_contested": "NOT_CONTESTED", "deterred": "DETERRED",
          "capitulation": "CAPITULATION", "resisted": "RESISTED", "compelled": "COMPELLED", "escalation": "ESCALATION"}
MEASURES = {f"{name}_share": ("outcome_share", outcome) for name, outcome in SHARES.items()}
MEASURES.update({"target_payoff": ("mean_target_payoff", None), "coercer_payoff": ("mean_coercer_payoff", None),
                 "bloc_cost": ("mean_bloc_cost", None), "sanction_loss": ("mean_sanction_loss", None),
                 "trigger_rate": ("trigger_rate", None), "aid_rate": ("aid_rate", None)})
LOWER_IS_BETTER = {"self_censorship_share", "capitulation_share", "escalation_share", "bloc_cost", "coercer_payoff"}


def _require_aggregates(results: Results, point: int = 0):
    group = results._group(point)
    if "records" not in group or "outcome_share" not in group["records"]:
        raise ValueError(f"{results.path}: no per-draw aggregates: run with `records: {{aggregates: true}}`")
    return group["records"]


def measure_per_policy(results: Results, name: str, point: int = 0) -> pd.DataFrame:
    """Per draw (rows) and policy (columns), the value of a measure (see MEASURES)."""
    if name not in MEASURES:
        raise ValueError(f"unknown measure '{name}'; choose from: {', '.join(sorted(MEASURES))}")
    records = _require_aggregates(results, point)
    dataset, outcome = MEASURES[name]
    values = records[dataset][()]
    if outcome is not None:
        values = values[:, :, results.labels("outcome", point).index(outcome)]
    return pd.DataFrame(values, columns=results.labels("policy", point))


def evaluate_condition(results: Results, condition: str, point: int = 0) -> np.ndarray:
    """Per draw, whether `condition` holds: clauses `TERM OP TERM` joined by `and`/`or`, where a
    term is a number or `measure[policy]` (e.g. `deterred_share[economic_nato] >= 0.3`, or
    `target_payoff[collective_resilience] > target_payoff[status_quo]`)."""
    policies = results.labels("policy", point)

    def term(text: str) -> np.ndarray | float:
        text = text.strip()
        m = re.fullmatch(r"([a-z_]+)\[([A-Za-z0-9_]+)\]", text)
        if m:
            if m.group(2) not in policies:
                raise ValueError(f"unknown policy '{m.group(2)}' in '{condition}'; the file has: {', '.join(policies)}")
            return measure_per_policy(results, m.group(1), point)[m.group(2)].to_numpy()
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"cannot read '{text}' in '{condition}': write measure[policy] or a number") from None

    operators = {">=": np.greater_equal, "<=": np.less_equal, ">": np.greater, "<": np.less, "==": np.equal}
    result, pending = None, None
    for piece in re.split(r"\s+(and|or)\s+", condition.strip()):
        if piece in ("and", "or"):
            pending = piece
            continue
        m = re.fullmatch(r"(.+?)\s*(>=|<=|==|>|<)\s*(.+)", piece)
        if not m:
            raise ValueError(f"cannot read the clause '{piece}': write e.g. deterred_share[economic_nato] >= 0.3")
        value = np.asarray(operators[m.group(2)](term(m.group(1)), term(m.group(3))))
        result = value if result is None else (result & value if pending == "and" else result | value)
    if result is None or result.ndim != 1:
        raise ValueError(f"'{condition}' compares no per-draw measure")
    return result


@dataclass
class Box:
    """Limits per parameter (only the restricted ones), and what the box holds."""
    limits: dict[str, tuple[float, float]]
    coverage: float      # share of the draws where the condition holds that lie in the box
    density: float       # share of the box's draws where the condition holds
    mass: float          # share of all draws in the box
    quasi_p: dict[str, float] = field(default_factory=dict)


def _inside(X: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    return np.all((X >= lower) & (X <= upper), axis=1)


def prim(X: np.ndarray, y: np.ndarray, names: list[str], alpha: float = 0.05, min_mass: float = 0.05,
         min_coverage: float = 0.5) -> tuple[pd.DataFrame, Box]:
    """Patient Rule Induction Method. Returns the peeling trajectory (one row per box: coverage,
    density, mass, restricted dimensions) and the chosen box: the densest box with at least
    `min_coverage` of the cases, after pasting, with a quasi-p-value per restriction."""
    y = np.asarray(y, dtype=bool)
    X = np.asarray(X, dtype=float)
    if not y.any():
        raise ValueError("the condition holds in no draw: nothing to discover")
    varying = np.array([np.ptp(X[:, j]) > 0 for j in range(X.shape[1])])
    lower, upper = X.min(axis=0), X.max(axis=0)
    full_lower, full_upper = lower.copy(), upper.copy()
    total = y.sum()
    boxes, trajectory = [], []

    def record(lo, hi):
        inside = _inside(X, lo, hi)
        restricted = int(np.sum((lo > full_lower) | (hi < full_upper)))
        trajectory.append({"coverage": y[inside].sum() / total, "density": y[inside].mean(),
                           "mass": inside.mean(), "restricted_dimensions": restricted})
        boxes.append((lo.copy(), hi.copy()))

    record(lower, upper)
    while True:
        inside = _inside(X, lower, upper)
        if inside.mean() <= min_mass:
            break
        Xi, yi = X[inside], y[inside]
        best = None
        for j in np.flatnonzero(varying):
            column = Xi[:, j]
            for side, cut in (("lower", np.quantile(column, alpha)), ("upper", np.quantile(column, 1 - alpha))):
                keep = column > cut if side == "lower" else column < cut
                if keep.sum() == 0 or keep.sum() == len(column):
                    continue
                density = yi[keep].mean()
                if best is None or density > best[0]:
                    best = (density, j, side, cut)
        if best is None:
            break
        _, j, side, cut = best
        if side == "lower":
            lower[j] = np.min(Xi[Xi[:, j] > cut, j])
        else:
            upper[j] = np.max(Xi[Xi[:, j] < cut, j])
        record(lower, upper)
    frame = pd.DataFrame(trajectory)
    eligible = frame.index[frame["coverage"] >= min_coverage]
    chosen = int(frame.loc[eligible, "density"].idxmax()) if len(eligible) else 0
    lo, hi = (b.copy() for b in boxes[chosen])
    lo, hi = _paste(X, y, lo, hi, full_lower, full_upper, alpha)
    return frame, _describe(X, y, names, lo, hi, full_lower, full_upper)


def _paste(X, y, lo, hi, full_lower, full_upper, alpha):
    """Widen a restricted limit by about alpha of the box's draws while that raises the density."""
    while True:
        inside = _inside(X, lo, hi)
        density = y[inside].mean() if inside.any() else 0.0
        step = max(1, int(alpha * inside.sum()))
        best = None
        for j in np.flatnonzero((lo > full_lower) | (hi < full_upper)):
            others = _inside(np.delete(X, j, axis=1), np.delete(lo, j), np.delete(hi, j))
            for side in ("lower", "upper"):
                if side == "lower" and lo[j] > full_lower[j]:
                    outside = np.sort(X[others & (X[:, j] < lo[j]), j])[::-1][:step]
                    trial = (outside.min() if len(outside) else lo[j], hi[j])
                elif side == "upper" and hi[j] < full_upper[j]:
                    outside = np.sort(X[others & (X[:, j] > hi[j]), j])[:step]
                    trial = (lo[j], outside.max() if len(outside) else hi[j])
                else:
                    continue
                t_lo, t_hi = lo.copy(), hi.copy()
                t_lo[j], t_hi[j] = trial
                t_inside = _inside(X, t_lo, t_hi)
                t_density = y[t_inside].mean()
                if t_density > density and (best is None or t_density > best[0]):
                    best = (t_density, t_lo, t_hi)
        if best is None:
            return lo, hi
        _, lo, hi = best


def _describe(X, y, names, lo, hi, full_lower, full_upper) -> Box:
    inside = _inside(X, lo, hi)
    n, k = int(inside.sum()), int(y[inside].sum())
    limits, quasi_p = {}, {}
    for j in np.flatnonzero((lo > full_lower) | (hi < full_upper)):
        limits[names[j]] = (float(lo[j]), float(hi[j]))
        # Quasi-p-value (as in the EMA Workbench): the chance of at least k cases among the n draws
        # of the box if the density were that of the box without this restriction.
        relaxed_lo, relaxed_hi = lo.copy(), hi.copy()
        relaxed_lo[j], relaxed_hi[j] = full_lower[j], full_upper[j]
        relaxed = _inside(X, relaxed_lo, relaxed_hi)
        base = y[relaxed].mean()
        quasi_p[names[j]] = float(stats.binom.sf(k - 1, n, base)) if n else 1.0
    return Box(limits, coverage=k / y.sum(), density=k / n if n else 0.0, mass=n / len(y), quasi_p=quasi_p)


def discover(results: Results, condition: str, alpha: float = 0.05, min_mass: float = 0.05,
             min_coverage: float = 0.5, point: int = 0) -> tuple[pd.DataFrame, Box]:
    """PRIM on a results file's sampled parameters for a condition on its per-draw aggregates."""
    y = evaluate_condition(results, condition, point)
    group = results._group(point)
    if "records" not in group or "parameters" not in group["records"]:
        raise ValueError(f"{results.path}: no per-draw parameters: run with `records: {{parameters: true}}`")
    X = group["records/parameters"][()]
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in group["records/parameter_names"][()]]
    return prim(X, y, names, alpha, min_mass, min_coverage)


def regret_table(values: pd.DataFrame, lower_is_better: bool = False) -> pd.DataFrame:
    """Per policy: mean, 90th percentile and maximum regret over the sampled worlds (regret: the
    best policy's value in that world minus this policy's), and the share of worlds in which the
    policy is best (ties count for each). Sorted by maximum regret (minimax first)."""
    v = values.to_numpy(dtype=float)
    regret = (v - v.min(axis=1, keepdims=True)) if lower_is_better else (v.max(axis=1, keepdims=True) - v)
    table = pd.DataFrame({
        "policy": values.columns,
        "mean_regret": regret.mean(axis=0),
        "p90_regret": np.quantile(regret, 0.9, axis=0),
        "max_regret": regret.max(axis=0),
        "share_best": (regret == 0).mean(axis=0),
    })
    return table.sort_values(["max_regret", "p90_regret"]).reset_index(drop=True)


def regret(results: Results, measure: str, point: int = 0) -> pd.DataFrame:
    """Regret of each policy on a measure (lower is better for self-censorship, capitulation and
    escalation shares, bloc cost and the coercer's payoff; higher for the rest)."""
    return regret_table(measure_per_policy(results, measure, point), lower_is_better=measure in LOWER_IS_BETTER)


def satisficing(results: Results, requirement: str, point: int = 0) -> pd.DataFrame:
    """Per policy, the share of worlds meeting `requirement`, written with measures and no policy
    (e.g. "deterred_share >= 0.3 and bloc_cost <= 0.05"): each policy is put in turn."""
    rows = []
    for policy in results.labels("policy", point):
        filled = re.sub(r"\b([a-z_]+)\b(?=\s*(?:>=|<=|==|>|<))", lambda m: f"{m.group(1)}[{policy}]", requirement)
        rows.append({"policy": policy, "share_of_worlds": float(evaluate_condition(results, filled, point).mean())})
    return pd.DataFrame(rows)


def tree_boxes(X: np.ndarray, y: np.ndarray, names: list[str], max_depth: int = 3, min_leaf: float = 0.02,
               seed: int = 0) -> pd.DataFrame:
    """The classification-tree alternative to PRIM (python3-sklearn; ImportError where it is not
    installed): a CART tree of depth `max_depth` whose leaves hold at least `min_leaf` of the draws,
    read as boxes. One row per leaf, densest first: its limits (the restricted parameters as
    "name in [low, high]"), coverage, density and mass, as PRIM reports them. A tree splits the whole
    space at once, so its leaves are a partition; PRIM's single box is usually simpler to read."""
    from sklearn.tree import DecisionTreeClassifier

    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(1, int(min_leaf * len(y))),
                                  random_state=seed).fit(X, y)
    t = tree.tree_
    leaves = tree.apply(X)
    rows = []

    def walk(node, lower, upper):
        if t.children_left[node] == -1:
            inside = leaves == node
            k, n = int(y[inside].sum()), int(inside.sum())
            limits = {names[j]: (lower[j], upper[j]) for j in range(len(names))
                      if np.isfinite(lower[j]) or np.isfinite(upper[j])}
            rows.append({"leaf": int(node),
                         "limits": "; ".join(f"{p} in [{lo:.4g}, {hi:.4g}]" for p, (lo, hi) in limits.items()),
                         "restricted_dimensions": len(limits), "coverage": k / max(1, y.sum()),
                         "density": k / n if n else 0.0, "mass": n / len(y), "_limits": limits})
            return
        j, cut = t.feature[node], t.threshold[node]
        left_upper, right_lower = upper.copy(), lower.copy()
        left_upper[j], right_lower[j] = min(upper[j], cut), max(lower[j], cut)
        walk(t.children_left[node], lower, left_upper)
        walk(t.children_right[node], right_lower, upper)

    walk(0, np.full(len(names), -np.inf), np.full(len(names), np.inf))
    return pd.DataFrame(rows).sort_values("density", ascending=False, kind="stable").reset_index(drop=True)


def discover_tree(results: Results, condition: str, max_depth: int = 3, point: int = 0) -> pd.DataFrame:
    """tree_boxes on a results file's sampled parameters for a condition on its per-draw aggregates."""
    y = evaluate_condition(results, condition, point)
    group = results._group(point)
    if "records" not in group or "parameters" not in group["records"]:
        raise ValueError(f"{results.path}: no per-draw parameters: run with `records: {{parameters: true}}`")
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in group["records/parameter_names"][()]]
    return tree_boxes(group["records/parameters"][()], y, names, max_depth)

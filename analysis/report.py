"""`python3 -m analysis report FILE --out DIR`: figures (PNG), tables (CSV) and an index.html."""
from __future__ import annotations

import html
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .results import OUTCOMES, Z95, Results  # noqa: E402

# Okabe & Ito's colour-blind-safe palette: the two outcomes a reader compares first, deterred
# (blue) and self-censorship (vermillion), stay far apart under deuteranopia and protanopia
# (checked in analysis/tests/test_report.py by simulating them).
COLOURS = {
    "SELF_CENSORSHIP": "#D55E00", "NOT_CONTESTED": "#BBBBBB", "DETERRED": "#0072B2", "CAPITULATION": "#E69F00",
    "RESISTED": "#56B4E9", "COMPELLED": "#009E73", "ESCALATION": "#CC79A7",
}


def _cell_text(value: float) -> str:
    """A heat-map cell in %: one decimal, but a small non-zero share never shown as 0.0."""
    if not np.isfinite(value):
        return ""
    return f"{value:.1f}" if value == 0 or abs(value) >= 0.1 else f"{value:.1g}"


def _save(fig, out: str, name: str) -> str:
    path = os.path.join(out, name)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return name


def outcome_bars(shares: pd.DataFrame, out: str) -> str:
    """Stacked bars of outcome shares per policy, each segment with its 95% interval."""
    policies = list(dict.fromkeys(shares["policy"]))
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(policies) + 1.6))
    left = np.zeros(len(policies))
    for outcome in OUTCOMES:
        part = shares[shares["outcome"] == outcome].set_index("policy").reindex(policies)
        width = 100 * part["share"].to_numpy()
        ax.barh(policies, width, left=left, color=COLOURS[outcome], label=outcome.replace("_", " ").lower())
        err = 100 * (part["high"] - part["share"]).to_numpy()
        ax.errorbar(left + width / 2, np.arange(len(policies)), xerr=err, fmt="none", ecolor="black", lw=0.8, capsize=2)
        left += width
    ax.set_xlabel("% of episodes (mean over draws, 95% intervals)")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.legend(ncol=4, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18))
    ax.set_title("Outcome shares per policy")
    return _save(fig, out, "outcome_shares.png")


def issue_heatmaps(issues: pd.DataFrame, out: str) -> str:
    """Policy x issue heat maps of the deterred and self-censorship shares (% of episodes)."""
    policies = list(dict.fromkeys(issues["policy"]))
    names = list(dict.fromkeys(issues["issue"]))
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.5 * len(policies) + 2))
    for ax, outcome, cmap in zip(axes, ["DETERRED", "SELF_CENSORSHIP"], ["Blues", "Oranges"]):
        grid = (issues[issues["outcome"] == outcome].pivot(index="policy", columns="issue", values="share")
                .reindex(index=policies, columns=names) * 100)
        top = max(1.0, np.nanmax(grid.to_numpy()))
        image = ax.imshow(grid.to_numpy(), cmap=cmap, vmin=0, vmax=top, aspect="auto")
        ax.set_xticks(range(len(names)), names, rotation=30, ha="right")
        ax.set_yticks(range(len(policies)), policies if ax is axes[0] else [""] * len(policies))
        for i in range(len(policies)):
            for j in range(len(names)):
                value = grid.iat[i, j]
                # Dark cells get white text: readable at any share.
                ax.text(j, i, _cell_text(value), ha="center", va="center", fontsize=10,
                        color="white" if np.isfinite(value) and value > 0.6 * top else "black")
        ax.set_title(f"{outcome.replace('_', ' ').lower()} (% of episodes)")
        fig.colorbar(image, ax=ax, shrink=0.8)
    return _save(fig, out, "issue_heatmaps.png")


def difference_plot(differences: pd.DataFrame, reference: str, out: str) -> str:
    """Each policy minus the reference on the same draws, per measure, with 95% intervals."""
    measures = list(dict.fromkeys(differences["measure"]))
    fig, axes = plt.subplots(1, len(measures), figsize=(3.3 * len(measures), 0.5 * differences["policy"].nunique() + 1.8),
                             sharey=True)
    for ax, measure in zip(np.atleast_1d(axes), measures):
        part = differences[differences["measure"] == measure]
        scale = 1 if measure.endswith("payoff") else 100
        y = np.arange(len(part))
        ax.errorbar(scale * part["difference"], y, xerr=scale * (part["high"] - part["difference"]), fmt="o", capsize=3)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, part["policy"])
        ax.set_title(measure.replace("_", " ") + (" (USD bn)" if scale == 1 else " (pp)"), fontsize=9)
    np.atleast_1d(axes)[0].invert_yaxis()
    fig.suptitle(f"Each policy minus {reference} on the same draws (95% paired intervals)")
    return _save(fig, out, "differences.png")


def payoff_plot(payoffs: pd.DataFrame, out: str) -> str:
    """Per policy, the spread of each mean payoff over the sampled worlds (quantile bars)."""
    measures = list(dict.fromkeys(payoffs["measure"]))
    fig, axes = plt.subplots(1, len(measures), figsize=(3.3 * len(measures), 0.5 * payoffs["policy"].nunique() + 1.8),
                             sharey=True)
    for ax, measure in zip(np.atleast_1d(axes), measures):
        part = payoffs[payoffs["measure"] == measure].reset_index(drop=True)
        y = np.arange(len(part))
        if "q0.05" in part:
            ax.hlines(y, part["q0.05"], part["q0.95"], color="#9ecae1", lw=2, label="5-95%")
            ax.hlines(y, part["q0.25"], part["q0.75"], color="#3182bd", lw=6, label="25-75%")
            ax.plot(part["q0.5"], y, "|", color="black", ms=12, label="median")
        ax.plot(part["mean"], y, "D", color="#e6550d", ms=5, label="mean")
        ax.set_yticks(y, part["policy"])
        ax.set_title(measure.replace("_", " ") + " (USD bn)", fontsize=9)
    np.atleast_1d(axes)[0].invert_yaxis()
    np.atleast_1d(axes)[-1].legend(fontsize=7)
    fig.suptitle("Payoff distributions per draw (averaged over episodes)")
    return _save(fig, out, "payoffs.png")


def _axis_values(values: pd.Series) -> tuple[np.ndarray, str]:
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float), ""
    text = values.astype(str)
    if text.str.startswith("[").all():  # lists (e.g. members): their length
        return text.map(lambda v: len([x for x in re.split(r",\s*", v.strip("[]")) if x])).to_numpy(float), " (count)"
    return np.arange(len(values), dtype=float), ""


def _geometric(x: np.ndarray) -> bool:
    """Positive values spaced roughly by a constant ratio (0.25, 0.5, 1, 2, 4...): a log axis."""
    x = np.sort(np.unique(x[np.isfinite(x)]))
    if len(x) < 3 or x[0] <= 0:
        return False
    ratios = x[1:] / x[:-1]
    steps = np.diff(x)
    return float(np.std(np.log(ratios))) < float(np.std(steps) / np.mean(steps))


def sweep_plot(results: Results, out: str) -> str:
    """Outcome shares against each swept value, with 95% bands (sweep files)."""
    shares = results.sweep_shares()
    keys = list(results.sweep().columns)
    x_key = keys[-1]
    facet_key = keys[0] if len(keys) > 1 else None
    facets = list(dict.fromkeys(shares[facet_key])) if facet_key else [None]
    outcomes = ["DETERRED", "SELF_CENSORSHIP", "ESCALATION"]
    fig, axes = plt.subplots(len(outcomes), len(facets), figsize=(4.2 * len(facets), 2.6 * len(outcomes)),
                             squeeze=False, sharex="col")
    for c, facet in enumerate(facets):
        part = shares if facet is None else shares[shares[facet_key] == facet]
        for r, outcome in enumerate(outcomes):
            ax = axes[r][c]
            for policy in dict.fromkeys(part["policy"]):
                line = part[(part["policy"] == policy) & (part["outcome"] == outcome)]
                x, suffix = _axis_values(line[x_key].reset_index(drop=True))
                ax.plot(x, 100 * line["share"], marker="o", ms=3, label=policy)
                ax.fill_between(x, 100 * line["low"], 100 * line["high"], alpha=0.2)
                if _geometric(x):  # geometric spacing reads on a log axis
                    ax.set_xscale("log")
                ax.set_xlabel(x_key + suffix)  # the full key: "parameters.resolve.median"
            ax.set_ylabel(f"{outcome.replace('_', ' ').lower()} %")
            if r == 0 and facet is not None:
                ax.set_title(f"{facet_key.split('.')[-1]} = {facet}", fontsize=9)
    axes[0][-1].legend(fontsize=7)
    fig.suptitle("Sweep: outcome shares against the swept value (95% bands); every point on the same draws")
    fig.tight_layout()
    return _save(fig, out, "sweep.png")


def convergence_plot(results: Results, out: str) -> str:
    """Running mean of the main shares with draws (per-draw share over episodes), with 95% bands."""
    codes = results.outcome_records()
    policies = results.labels("policy")
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    n = np.arange(1, codes.shape[0] + 1)
    for ax, (code, name) in zip(axes, [(2, "deterred"), (0, "self-censorship")]):
        for i, p in enumerate(policies):
            per_draw = (codes[:, i, :] == code).mean(axis=1)
            running = np.cumsum(per_draw) / n
            running_sq = np.cumsum(per_draw ** 2) / n
            half = Z95 * np.sqrt(np.maximum(running_sq - running ** 2, 0) / n)
            ax.plot(n, 100 * running, label=p, lw=1)
            ax.fill_between(n, 100 * (running - half), 100 * (running + half), alpha=0.15)
        ax.set_xscale("log")
        ax.set_xlabel("draws")
        ax.set_ylabel(f"{name} % (running mean)")
    axes[-1].legend(fontsize=7)
    fig.suptitle("Convergence of the main shares with draws")
    return _save(fig, out, "convergence.png")


def double_penalty_plot(table: pd.DataFrame, out: str) -> str:
    """Self-censorship share per policy by the target's sampled salience (binned)."""
    fig, ax = plt.subplots(figsize=(7, 4))
    for policy in dict.fromkeys(table["policy"]):
        part = table[(table["policy"] == policy) & (table["episodes"] > 0)]
        mid = (part["salience_low"] + part["salience_high"]) / 2
        ax.plot(mid, 100 * part["self_censorship"], marker="o", label=policy)
        ax.fill_between(mid, 100 * part["low"], 100 * part["high"], alpha=0.2)
    ax.set_xlabel("target's salience for the issue (sampled)")
    ax.set_ylabel("self-censorship % of episodes")
    ax.legend(fontsize=8)
    ax.set_title("Double penalty: who refrains, by how much the target cares")
    return _save(fig, out, "double_penalty.png")


def sensitivity_plot(table: pd.DataFrame, out: str) -> str:
    """First-order and total indices by group, with intervals; the shares users ask about first."""
    keep = table[(~table["output"].eq("outcome_share") | table["element"].str.contains("DETERRED|SELF_CENSORSHIP"))
                 & ~table["too_rare"]]
    elements = list(dict.fromkeys(zip(keep["output"], keep["element"])))[:10]
    cols = min(2, len(elements))
    rows = (len(elements) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 2.8 * rows), squeeze=False)
    for ax, (output, element) in zip(axes.flat, elements):
        part = keep[(keep["output"] == output) & (keep["element"] == element)]
        x = np.arange(len(part))
        for offset, (key, name, colour) in enumerate([("first_order", "first order S", "#3182bd"),
                                                      ("total", "total ST", "#e6550d")]):
            ax.bar(x + (offset - 0.5) * 0.38, part[key], 0.38, color=colour, label=name)
            ax.errorbar(x + (offset - 0.5) * 0.38, part[key],
                        yerr=[part[key] - part[key + "_low"], part[key + "_high"] - part[key]],
                        fmt="none", ecolor="black", lw=0.8, capsize=2)
        ax.set_xticks(x, part["group"], rotation=20, ha="right", fontsize=8)
        ax.set_title(f"{output} {element}".strip(), fontsize=9)
        ax.axhline(0, color="grey", lw=0.6)
    for ax in list(axes.flat)[len(elements):]:
        ax.axis("off")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("Which uncertainty matters: Sobol indices by group (95% bootstrap intervals)")
    fig.tight_layout()
    return _save(fig, out, "sensitivity.png")


def _table_html(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0, classes="table")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _points(value: float) -> str:
    """A signed difference in percentage points, never shown as a bare 0.0 when it is not 0."""
    v = 100 * value
    return f"{v:+.1f}" if abs(v) >= 0.1 or v == 0 else f"{v:+.2g}"


def answer_html(results: Results, reference: str) -> str:
    """The first screen: what the run found, in sentences and one key-numbers table, before any
    figure. Shares are of episodes, averaged over the sampled worlds; "±" is the Monte Carlo 95%
    half-width (how precisely the draws pin the average down), and the spread across worlds (what
    "how sure" means for a decision) is the standard deviation of the per-world share."""
    g = results.output("outcome_share")
    policies, outcomes = results.labels("policy"), results.labels("outcome")
    mean, half, sd = g["mean"][()], g["ci95_half_width"][()], g["sd"][()]
    col = {o: j for j, o in enumerate(outcomes)}
    cost = results.output("mean_bloc_cost") if results.has_output("mean_bloc_cost") else None
    # The spread across worlds: the 5-95% range of the per-world share when the per-draw
    # aggregates are recorded, else its standard deviation.
    per_world = results.file["records/outcome_share"][()] if results.has_records("outcome_share") else None
    rows = []
    described = results.policy_descriptions()
    for i, p in enumerate(policies):
        about = described.get(p, "")
        cells = [f"<th scope='row'>{html.escape(p)}" + (f"<br><small class='about'>{html.escape(about)}</small>"
                                                         if about else "") + "</th>"]
        for o in ("DETERRED", "SELF_CENSORSHIP", "CAPITULATION", "RESISTED"):
            j = col[o]
            if per_world is not None:
                low, high = np.quantile(per_world[:, i, j], [0.05, 0.95])
                spread = f"5–95% of worlds {100 * low:.1f}–{100 * high:.1f}"
            else:
                spread = f"sd across worlds {100 * sd[i, j]:.1f}"
            cells.append(f"<td>{_pct(mean[i, j])} <small>± {100 * half[i, j]:.2f}</small><br>"
                         f"<small>{spread}</small></td>")
        if cost is not None:
            cells.append(f"<td>{cost['mean'][i]:.3g} <small>± {cost['ci95_half_width'][i]:.2g}</small></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    best = int(np.argmax(mean[:, col["DETERRED"]]))
    least_sc = int(np.argmin(mean[:, col["SELF_CENSORSHIP"]]))
    sentences = [
        f"Over {results.attrs.get('draws')} sampled worlds, <b>{html.escape(policies[best])}</b> deters the most: "
        f"{_pct(mean[best, col['DETERRED']])} of episodes end with the coercer deterred "
        f"(± {100 * half[best, col['DETERRED']]:.2f} points, Monte Carlo 95%).",
        f"Self-censorship is lowest under <b>{html.escape(policies[least_sc])}</b> "
        f"({_pct(mean[least_sc, col['SELF_CENSORSHIP']])}).",
    ]
    differences = results.differences() if results.has_output("difference_from_reference") else pd.DataFrame()
    significant = []
    for _, row in differences.iterrows():
        if row["policy"] == reference or row["measure"] not in ("deterred_share", "self_censorship_share"):
            continue
        if row["low"] > 0 or row["high"] < 0:
            what = "deterred" if row["measure"] == "deterred_share" else "self-censorship"
            significant.append(f"{html.escape(row['policy'])}: {what} {_points(row['difference'])} points "
                               f"[{_points(row['low'])}, {_points(row['high'])}]")
    if results.has_records("outcome_share"):  # records.aggregates: regret across the sampled worlds
        from .discovery import regret

        table = regret(results, "deterred_share")
        top = table.iloc[0]
        sentences.append(f"Across the sampled worlds (records.aggregates), <b>{html.escape(top['policy'])}</b> has the "
                         f"least regret on the deterred share: best in {_pct(top['share_best'])} of worlds, at most "
                         f"{100 * top['max_regret']:.1f} points behind the best policy (table "
                         f"<a href='#regret'>regret_deterred_share</a>).")
    if cost is not None:
        value = results.cost_effectiveness()
        paying = value[value["extra_cost_usd_bn_per_episode"] > 0]
        if len(paying):
            parts_ = []
            for row in paying.itertuples():
                interval = (f" [{row.low:.3g}, {row.high:.3g}]" if np.isfinite(row.low) else "")
                parts_.append(f"{html.escape(row.policy)} {row.deterred_points_per_usd_bn:.3g}{interval} "
                              f"({_points(row.extra_deterred_points / 100)} points for "
                              f"{row.extra_cost_usd_bn_per_episode:.3g} USD bn)")
            kind = ("95% intervals by the delta method over the sampled worlds"
                    if np.isfinite(paying["low"]).any() else "intervals need records.aggregates")
            sentences.append(f"Cost-effectiveness against {html.escape(results.reference_policy())}, in deterred points per USD bn of "
                             f"bloc cost per episode ({kind}): " + "; ".join(parts_) + ".")
    if significant:
        sentences.append(f"Paired with {html.escape(reference)} on the same worlds, these differences are "
                         "significant (95% interval excludes 0): " + "; ".join(significant) + ".")
    else:
        sentences.append(f"No policy differs from {html.escape(reference)} significantly at these draws.")
    header = "".join(f"<th scope='col'>{h}</th>" for h in
                     ["policy", "deterred", "self-censorship", "capitulation", "resisted"] +
                     (["bloc cost, USD bn per episode"] if cost is not None else []))
    return ("<section id='answer'><h2>What this run found</h2>" + "".join(f"<p>{s}</p>" for s in sentences) +
            "<table class='table key'><caption>Key numbers: share of episodes per outcome (mean over worlds "
            "± Monte Carlo 95% half-width, in points; then the spread of the per-world share across the "
            "sampled worlds: its 5–95% range when records.aggregates is on, else its standard deviation)"
            "</caption><thead><tr>" + header + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")


def calibration_plot(table: pd.DataFrame, out: str) -> str:
    """Prior against posterior for every global parameter a calibration moved: each on its prior's
    scale (0 = the prior's 5% quantile, 1 = its 95%), the prior's 5-95% range in grey and the
    posterior's in blue with its median; constant parameters are left out."""
    shown = table[table["prior_q95"] > table["prior_q05"]].reset_index(drop=True)
    span = shown["prior_q95"] - shown["prior_q05"]
    scaled = {q: (shown[f"posterior_{q}"] - shown["prior_q05"]) / span for q in ("q05", "q50", "q95")}
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(shown) + 1.2))
    y = np.arange(len(shown))[::-1]
    ax.barh(y, 1.0, left=0.0, height=0.7, color="#cccccc", label="prior 5–95%")
    ax.hlines(y, scaled["q05"], scaled["q95"], color="#0072B2",  # Okabe–Ito blue
              linewidth=4, label="posterior 5–95%")
    ax.plot(scaled["q50"], y, "k|", markersize=10, label="posterior median")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{p}{' (edge)' if e else ''}" for p, e in zip(shown["parameter"], shown["at_prior_edge"])],
                       fontsize=8)
    ax.set_xlabel("position on the prior's scale (0: prior 5% quantile, 1: prior 95% quantile)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Global parameters: prior and posterior")
    return _save(fig, out, "calibration_prior_posterior.png")


def prim_plot(trajectory: pd.DataFrame, box, condition: str, out: str) -> str:
    """PRIM's peeling trajectory: each box's coverage against its density, coloured by how many
    parameters it restricts, the chosen box ringed."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    points = ax.scatter(100 * trajectory["coverage"], 100 * trajectory["density"],
                        c=trajectory["restricted_dimensions"], cmap="viridis", s=14)
    fig.colorbar(points, ax=ax, label="restricted parameters")
    ax.scatter([100 * box.coverage], [100 * box.density], s=120, facecolors="none", edgecolors="#D55E00",
               linewidths=2, label="chosen box (after pasting)")
    ax.set_xlabel("coverage, % (of the worlds where the condition holds, those in the box)")
    ax.set_ylabel("density, % (of the box's worlds, those where it holds)")
    ax.set_title(f"Scenario discovery: {condition}", fontsize=10)
    ax.legend(loc="lower left", fontsize=8)
    return _save(fig, out, "prim_trajectory.png")


def checks_plot(table: pd.DataFrame, out: str) -> str:
    """Posterior predictive checks: per group of coerced cases, the model's concession rate (mean
    and 5-95% of simulated records, blue) against the record's (black diamond)."""
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.hlines(y, 100 * table["model_q05"], 100 * table["model_q95"], color="#0072B2", linewidth=4,
              label="model, 5–95% of simulated records")
    ax.plot(100 * table["model"], y, "|", color="#0072B2", markersize=12, label="model mean")
    ax.plot(100 * table["record"], y, "kD", markersize=5, label="record")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{g} ({n})" for g, n in zip(table["group"], table["cases"])], fontsize=8)
    ax.set_xlabel("concession rate among coerced cases, % (last row: share of concessions)")
    ax.set_xlim(-2, 102)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.2 / (0.35 * len(table) + 1.2)), ncol=3, fontsize=8)
    ax.set_title("Posterior predictive checks against the record")
    return _save(fig, out, "posterior_predictive_checks.png")


def _calibration_status(results: Results) -> str:
    """Whether the numbers rest on the config's priors or on a calibration's posterior, in words."""
    p = results.posterior
    if p is None:
        return ("priors as written in the config: not conditioned on the historical cases "
                "(`deterrence calibrate` conditions them; `deterrence run --posterior` plays on the result)")
    ess = float(p.get("effective_sample_size", float("nan")))
    text = (f"posterior of {os.path.basename(str(p.get('calibration_file')))}: every world's global parameters "
            f"resampled from {p.get('calibration_draws')} calibration draws of effective sample size {ess:.1f} "
            f"(Pareto k {float(p.get('pareto_k', float('nan'))):.2f}); intervals are Monte Carlo error given those draws")
    if "mean_loo_log_score" in p:
        model, base = float(p["mean_loo_log_score"]), float(p["mean_base_log_score"])
        text += (f"; out of sample (leave-one-out) the calibrated model scores a mean log score of {model:.2f} on the "
                 f"historical cases against {base:.2f} for the base rate — "
                 + ("it forecasts the record better than the base rate" if model < base
                    else "it does NOT forecast the record better than the base rate"))
    if ess < 100:
        text += (f" — only about {ess:.0f} distinct worlds of the global parameters stand behind these numbers, so "
                 "they are NOT a reliable posterior")
    return text


def prior_posterior_html(table: pd.DataFrame) -> str:
    """Prior and posterior shares side by side, per policy and key outcome (% of episodes)."""
    rows = "".join(
        f"<tr><th scope='row'>{html.escape(r.policy)}</th><td>{html.escape(r.outcome)}</td>"
        f"<td>{_pct(r.prior)} <small>[{_pct(r.prior_low)}, {_pct(r.prior_high)}]</small></td>"
        f"<td>{_pct(r.posterior)} <small>[{_pct(r.posterior_low)}, {_pct(r.posterior_high)}]</small></td>"
        f"<td>{_points(r.change)}</td></tr>" for r in table.itertuples())
    return ("<section id='prior-posterior'><h2>Prior and posterior side by side</h2><table class='table key'>"
            "<caption>Share of episodes per outcome on the config's priors and on the calibration's posterior "
            "(Monte Carlo 95% intervals), and the change in points</caption><thead><tr><th>policy</th><th>outcome</th>"
            "<th>prior</th><th>posterior</th><th>change, points</th></tr></thead><tbody>" + rows +
            "</tbody></table></section>")


def mechanisms_html(table: pd.DataFrame, changes: bool) -> str:
    """The headline comparisons under each mechanism and their stacking mixture, side by side, and
    whether the policies' ranking by deterred share changes between them."""
    policies = list(dict.fromkeys(table["policy"]))
    header = "".join(f"<th scope='col'>{html.escape(p)}</th>" for p in policies)
    rows = []
    for measure, label in (("deterred", "deterred, %"), ("self_censorship", "self-censorship, %"),
                           ("capitulation", "capitulation, %"), ("bloc_cost", "bloc cost, USD bn per episode")):
        for mechanism, group in table.groupby("mechanism", sort=False):
            values = group.set_index("policy")[measure]
            cells = "".join(f"<td>{values[p]:.3g}</td>" for p in policies)
            rows.append(f"<tr><th scope='row'>{html.escape(label)}</th><td>{html.escape(mechanism)}</td>{cells}</tr>")
    verdict = ("the ranking of the policies by deterred share CHANGES with the mechanism" if changes else
               "the ranking of the policies by deterred share is the same under every mechanism")
    return ("<section id='mechanisms'><h2>Policy answers under each mechanism</h2>"
            f"<p>Each row plays the policies on the posterior of one calibrated mechanism; the stacking mixture "
            f"weights them by their stacking weights. {html.escape(verdict.capitalize())}.</p>"
            "<table class='table key'><thead><tr><th>measure</th><th>mechanism</th>" + header +
            "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></section>")


def footer_html(results: Results) -> str:
    """What produced the page: run date and duration, seed, draws, engine, every input's SHA-256,
    and whether the numbers rest on priors or on a calibration to the historical record."""
    attrs = results.attrs
    runtime = results.file.get("runtime")
    seconds = runtime.attrs.get("total_seconds") if runtime is not None else None
    rows = [("run", f"{attrs.get('start_time', '?')} to {attrs.get('end_time', '?')}"
                    + (f" ({float(seconds):.1f} s)" if seconds is not None else "")),
            ("seed, draws", f"{attrs.get('seed')}, {attrs.get('draws')}"),
            ("engine", f"{attrs.get('engine_version')} ({attrs.get('git_commit')}), format {attrs.get('format_version')}"),
            ("config hash", str(attrs.get("config_hash")))]
    if "inputs" in results.file:
        g = results.file["inputs"]
        paths = [p.decode() if isinstance(p, bytes) else str(p) for p in g["path"][()]]
        hashes = [h.decode() if isinstance(h, bytes) else str(h) for h in g["sha256"][()]]
        rows += [(f"input {p}", f"SHA-256 {h}") for p, h in zip(paths, hashes)]
    calibration = _calibration_status(results)
    rows.append(("calibration", calibration))
    cells = "".join(f"<tr><th scope='row'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    return f"<footer><h2>Provenance</h2><table class='table provenance'>{cells}</table></footer>"


def write_report(path: str, out: str, prior: str | None = None, comparison: str | None = None,
                 mechanisms: dict[str, str] | None = None, discover: str | None = None) -> dict[str, str]:
    """Writes figures, CSV tables and index.html into `out`; returns {figure name: file}. With
    `prior` (the same experiment run on the priors) a posterior run's page shows both side by side;
    with `comparison` (a `deterrence compare` file) and `mechanisms` (name -> `run --posterior` of
    that model) it shows the policy answers under each mechanism and their stacking mixture; with
    `discover` (a condition, as `python3 -m analysis discover --where` takes) PRIM's trajectory,
    its chosen box and, where python3-sklearn is installed, a classification tree's leaves."""
    os.makedirs(out, exist_ok=True)
    results = Results(path)
    attrs = results.attrs
    figures: dict[str, str] = {}
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    sweep_note = " (sweep point 0)" if results.is_sweep else ""
    if results.has_output("outcome_share"):
        tables["outcome_shares"] = results.outcome_shares()
        tables["differences"] = results.differences()
        tables["issue_shares"] = results.issue_shares()
        tables["payoffs"] = results.payoffs()
        reference = "the reference policy"
        m = re.search(r"reference_policy:\s*(\w+)", attrs.get("config", ""))
        if m:
            reference = m.group(1)
        figures["Outcome shares per policy" + sweep_note] = outcome_bars(tables["outcome_shares"], out)
        figures["Deterred and self-censorship shares, policy x issue" + sweep_note] = issue_heatmaps(tables["issue_shares"], out)
        figures["Paired differences from " + reference + sweep_note] = difference_plot(tables["differences"], reference, out)
        figures["Payoff distributions" + sweep_note] = payoff_plot(tables["payoffs"], out)
        if results.is_sweep:
            tables["sweep_shares"] = results.sweep_shares()
            # A sweep's question is how the shares move with the swept value: its curves lead.
            figures = {"Sweep curves: outcome shares against the swept value": sweep_plot(results, out), **figures}
        if results.has_records("outcome"):
            figures["Convergence with draws"] = convergence_plot(results, out)
        else:
            notes.append("Convergence with draws needs per-draw records: set records.outcomes: true in the config.")
        if results.has_records("outcome_share"):
            from .discovery import regret

            tables["regret_deterred_share"] = regret(results, "deterred_share")
        if discover:
            from .discovery import discover as run_prim

            trajectory, box = run_prim(results, discover)
            figures[f"Scenario discovery (PRIM): {discover}"] = prim_plot(trajectory, box, discover, out)
            tables["prim_box"] = pd.DataFrame(
                [{"parameter": p, "low": lo, "high": hi, "quasi_p": box.quasi_p[p]} for p, (lo, hi) in box.limits.items()])
            notes.append(f"PRIM's chosen box for {discover}: coverage {box.coverage:.1%}, density {box.density:.1%}, "
                         f"mass {box.mass:.1%} (table prim_box)" +
                         (" — on a posterior run, the worlds are the posterior's" if results.posterior else "") + ".")
            try:
                from .discovery import discover_tree

                tables["tree_leaves"] = discover_tree(results, discover).drop(columns="_limits")
            except ImportError:
                notes.append("No classification tree: python3-sklearn is not installed.")
        if results.has_records("outcome") and results.has_records("parameters"):
            tables["self_censorship_by_salience"] = results.self_censorship_by_salience()
            figures["Self-censorship by the target's salience"] = double_penalty_plot(tables["self_censorship_by_salience"], out)
    elif "calibration" in results.file:
        tables["calibration_parameters"] = results.calibration_parameters()
        figures["Prior and posterior of the global parameters"] = calibration_plot(tables["calibration_parameters"], out)
        try:
            from .checks import posterior_predictive_checks

            tables["posterior_predictive_checks"] = posterior_predictive_checks(path)
            figures["Posterior predictive checks against the record"] = checks_plot(
                tables["posterior_predictive_checks"], out)
        except ValueError as error:  # no case library among the inputs
            notes.append(f"No posterior predictive checks: {error}")
        g = results.file["calibration"]
        method = g.attrs.get("method", "importance")
        method = method.decode() if isinstance(method, bytes) else str(method)
        if method == "smc":
            ess = g["round_effective_sample_size"][()]
            notes.append(f"A calibration by sequential Monte Carlo: {int(g.attrs['draws'])} particles, "
                         f"{len(ess)} stages, final ESS {float(ess[-1]):.0f}, log evidence "
                         f"{float(g.attrs['log_evidence']):.2f}; {int(g.attrs['loo_refits'])} cases' leave-one-out "
                         "refitted exactly; `deterrence summary` prints the case scores.")
        else:
            notes.append(f"A calibration: effective sample size {float(g.attrs['effective_sample_size']):.1f} of "
                         f"{int(g.attrs['draws'])} draws, Pareto k {float(g.attrs['pareto_k']):.2f}"
                         + (" (above 0.7: the posterior is not reliably estimated)" if float(g.attrs['pareto_k']) > 0.7
                            else "") + "; `deterrence summary` prints the case scores.")
        if "feature_rules" in g:
            tables["forecasts_without_the_game"] = results.feature_rules()
    else:
        notes.append("This model has no policy comparison.")
    if results.has_sensitivity:
        tables["sensitivity"] = results.sensitivity()
        tables["sensitivity_groups"] = results.sensitivity_groups()
        figures["Sobol indices by group"] = sensitivity_plot(tables["sensitivity"], out)
        rare = tables["sensitivity"].loc[tables["sensitivity"]["too_rare"], ["output", "element"]].drop_duplicates()
        if len(rare):
            notes.append(f"{len(rare)} output element(s) happen in fewer than 0.1% of episodes (e.g. "
                         f"{rare.iloc[0]['output']} {rare.iloc[0]['element']}): their Sobol indices apportion almost "
                         "no variance and are noise; they are flagged too_rare in the table and left out of the "
                         "figure.")
    for name, frame in tables.items():
        frame.to_csv(os.path.join(out, f"{name}.csv"), index=False)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>deterrence report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        "img{max-width:100%;border:1px solid #ddd}.table{border-collapse:collapse;font-size:12px}"
        ".table td,.table th{padding:2px 8px;border-bottom:1px solid #eee;text-align:right}</style></head><body>",
        f"<h1>{html.escape(attrs.get('description') or os.path.basename(path))}</h1>",
        f"<p>{html.escape(os.path.basename(path))}: model {html.escape(str(attrs.get('model')))}, "
        f"{attrs.get('draws')} draws, seed {attrs.get('seed')}, config hash {html.escape(str(attrs.get('config_hash')))}, "
        f"engine {html.escape(str(attrs.get('engine_version')))} ({html.escape(str(attrs.get('git_commit')))})</p>",
    ]
    parts.append(f"<p class='calibration'><b>Calibration:</b> {html.escape(_calibration_status(results))}.</p>")
    if results.has_output("outcome_share"):
        parts.append(answer_html(results, reference))
    if prior is not None:
        from .results import prior_posterior_table

        side_by_side = prior_posterior_table(Results(prior), results)
        side_by_side.to_csv(os.path.join(out, "prior_vs_posterior.csv"), index=False)
        parts.append(prior_posterior_html(side_by_side))
    if mechanisms:
        from .mechanisms import policy_answers, ranking_changes, stacking_weights

        answers = policy_answers(mechanisms, stacking_weights(comparison) if comparison else None)
        answers.to_csv(os.path.join(out, "policy_answers_by_mechanism.csv"), index=False)
        parts.append(mechanisms_html(answers, ranking_changes(answers)))
    parts += [f"<p><em>{html.escape(n)}</em></p>" for n in notes]
    for caption, name in figures.items():
        parts.append(f"<h2>{html.escape(caption)}</h2><img src='{name}' alt='{html.escape(caption)}'>")
    for name, frame in tables.items():
        shown = frame if len(frame) <= 400 else frame.head(400)
        anchor = " id='regret'" if name == "regret_deterred_share" else ""
        parts.append(f"<h2{anchor}>Table: {name} (<a href='{name}.csv'>CSV</a>)</h2>" + _table_html(shown))
    parts.append(footer_html(results))
    parts.append("</body></html>")
    with open(os.path.join(out, "index.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(parts))
    return figures

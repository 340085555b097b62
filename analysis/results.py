"""Read a deterrence results file into pandas DataFrames without knowing its HDF5 layout."""
from __future__ import annotations

import os

import h5py
import numpy as np
import pandas as pd

OUTCOMES = ["SELF_CENSORSHIP", "NOT_CONTESTED", "DETERRED", "CAPITULATION", "RESISTED", "COMPELLED", "ESCALATION"]
PAYOFFS = {
    "target_payoff": "mean_target_payoff",
    "coercer_payoff": "mean_coercer_payoff",
    "bloc_cost": "mean_bloc_cost",
    "sanction_loss": "mean_sanction_loss",
}


RATE_OUTPUTS = ("outcome_share", "trigger_rate", "aid_rate")
RARE_SHARE = 1e-3  # shares below 0.1% of episodes: too rare for Sobol indices to mean anything


def _text(values) -> list[str]:
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.atleast_1d(values)]


Z95 = 1.959963984540054  # the two-sided 95% normal quantile, as the engine uses


def wilson_interval(successes, trials, z: float = Z95):
    """Wilson score interval of a proportion, exactly as the engine computes it
    (engine/stats/intervals.cpp): (low, high), NaN for zero trials, clipped to [0, 1]. Works on
    numbers and on numpy arrays alike. Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and keeps
    its coverage for rare outcomes (a share of 0 out of n gets an upper bound above 0)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        z2 = z * z
        centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n)
        half = z * np.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / (1.0 + z2 / n)
        low = np.where(n > 0, np.maximum(0.0, centre - half), np.nan)
        high = np.where(n > 0, np.minimum(1.0, centre + half), np.nan)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def open_results(path: str) -> "Results":
    """Opens a results file (a run, merged shards or a sweep), checking it as the engine does."""
    return Results(path)


class Results:
    """One results file: a run, a merged set of shards, or a sweep (one group per point)."""

    def __init__(self, path: str):
        if not os.path.exists(path):
            raise FileNotFoundError(path)
        self.path = path
        try:
            self.file = h5py.File(path, "r")
        except OSError as error:
            raise ValueError(f"{path}: not an HDF5 file (or an incomplete one): {error}") from None
        filetype = self.file.attrs.get("filetype")
        if isinstance(filetype, bytes):
            filetype = filetype.decode(errors="replace")
        if not isinstance(filetype, str) or filetype != "deterrence.results":
            raise ValueError(f"{path}: not a deterrence results file")
        self._check_structure()
        self._check_record_sources()

    # --- what the file is -------------------------------------------------------------------
    @property
    def attrs(self) -> dict:
        """The root attributes (seed, draws, config, hashes...), strings decoded."""
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in self.file.attrs.items()}

    @property
    def posterior(self) -> dict | None:
        """For a run played on a calibration's posterior (`run --posterior`): the calibration file,
        its draws, effective sample size and Pareto k (the /posterior attributes); None for a run on
        the config's priors."""
        if "posterior" not in self.file:
            return None
        return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in self.file["posterior"].attrs.items()}

    def feature_rules(self) -> pd.DataFrame:
        """For a calibration file: the game's leave-one-out (and held-out) mean log and Brier scores
        beside the forecasts made without it (/calibration/feature_rules: one rate for all, a rate
        per act, per issue, per stance, each +1/2 per class); lower is better."""
        if "calibration" not in self.file or "feature_rules" not in self.file["calibration"]:
            raise ValueError(f"{self.path}: not a calibration with feature rules (/calibration/feature_rules)")
        g = self.file["calibration"]
        r = g["feature_rules"]
        held = int(g.attrs["held_out_cases"]) > 0
        rows = [{"forecast": "the game", "loo_log_score": float(g.attrs["mean_loo_log_score"]),
                 "loo_brier": float(g.attrs["mean_loo_brier"]),
                 "held_log_score": float(g.attrs["mean_held_log_score"]) if held else np.nan,
                 "held_brier": float(g.attrs["mean_held_brier"]) if held else np.nan}]
        for name, loo, brier, hl, hb in zip(r["rule"][()], r["mean_loo_log_score"][()], r["mean_loo_brier"][()],
                                            r["mean_held_log_score"][()], r["mean_held_brier"][()]):
            rows.append({"forecast": name.decode() if isinstance(name, bytes) else str(name), "loo_log_score": float(loo),
                         "loo_brier": float(brier), "held_log_score": float(hl), "held_brier": float(hb)})
        return pd.DataFrame(rows)

    def calibration_parameters(self) -> pd.DataFrame:
        """For a calibration file (`deterrence calibrate`): each global parameter's prior and
        posterior mean, sd and 5/50/95% quantiles, and whether the posterior median left the
        prior's 5-95% range (at_prior_edge)."""
        if "calibration" not in self.file:
            raise ValueError(f"{self.path}: not a calibration (no /calibration)")
        g = self.file["calibration"]
        table = {"parameter": _text(g["parameter"][()])}
        for name in ("prior_mean", "prior_sd", "prior_q05", "prior_q50", "prior_q95", "posterior_mean",
                     "posterior_sd", "posterior_q05", "posterior_q50", "posterior_q95", "at_prior_edge"):
            table[name] = g[name][()]
        frame = pd.DataFrame(table)
        frame["at_prior_edge"] = frame["at_prior_edge"].astype(bool)
        return frame

    @property
    def is_sweep(self) -> bool:
        """Whether the file holds a sweep (one group of statistics per point)."""
        return "sweep" in self.file

    @property
    def points(self) -> int:
        """The number of sweep points (1 for a plain run)."""
        return int(self.file.attrs["sweep_points"]) if self.is_sweep else 1

    def sweep(self) -> pd.DataFrame:
        """One row per point: the swept keys' values (numbers where they are numbers)."""
        if not self.is_sweep:
            return pd.DataFrame()
        keys = _text(self.file["sweep/keys"][()])
        text = np.array(_text(self.file["sweep/values"][()]), dtype=object).reshape(len(keys) and -1, len(keys))
        numeric = self.file["sweep/numeric_values"][()]
        table = {}
        for j, key in enumerate(keys):
            column = numeric[:, j]
            table[key] = column if not np.isnan(column).any() else text[:, j]
        frame = pd.DataFrame(table)
        frame.index.name = "point"
        return frame

    def _group(self, point: int = 0) -> h5py.Group:
        return self.file[f"points/{point:06d}"] if self.is_sweep else self.file

    def labels(self, dim: str, point: int = 0) -> list[str]:
        """The labels of a dimension (policy, episode, outcome, measure)."""
        return _text(self._group(point)["dims"][dim][()])

    def output(self, name: str, point: int = 0) -> h5py.Group:
        """The HDF5 group of one output (its statistics as datasets)."""
        return self._group(point)["outputs"][name]

    def has_output(self, name: str) -> bool:
        """Whether the model wrote this output."""
        outputs = self._group(0).get("outputs")
        return outputs is not None and name in outputs

    # --- the game's tables --------------------------------------------------------------------
    def outcome_shares(self, point: int = 0) -> pd.DataFrame:
        """Share of episodes per policy and outcome (averaged over episodes, then draws)."""
        g = self.output("outcome_share", point)
        policies, outcomes = self.labels("policy", point), self.labels("outcome", point)
        mean, half = g["mean"][()], g["ci95_half_width"][()]
        rows = [
            {"policy": p, "outcome": o, "share": mean[i, j], "low": mean[i, j] - half[i, j], "high": mean[i, j] + half[i, j]}
            for i, p in enumerate(policies)
            for j, o in enumerate(outcomes)
        ]
        return pd.DataFrame(rows)

    def differences(self, point: int = 0) -> pd.DataFrame:
        """Each policy minus the reference policy on the same draws (paired), with 95% intervals."""
        g = self.output("difference_from_reference", point)
        policies, measures = self.labels("policy", point), self.labels("measure", point)
        mean, half = g["mean"][()], g["ci95_half_width"][()]
        return pd.DataFrame(
            [
                {"policy": p, "measure": m, "difference": mean[i, j], "low": mean[i, j] - half[i, j],
                 "high": mean[i, j] + half[i, j]}
                for i, p in enumerate(policies)
                for j, m in enumerate(measures)
            ]
        )

    def reference_policy(self) -> str:
        """The policy the paired differences are taken against (model_options.reference_policy;
        the first policy when the config does not say)."""
        options = self.resolved_config().get("model_options") or {}
        return str(options.get("reference_policy") or self.labels("policy")[0])

    def cost_effectiveness(self, reference: str | None = None, point: int = 0) -> pd.DataFrame:
        """Per policy against the reference: the extra deterred share (points), the extra bloc cost
        (USD bn per episode) and their ratio, deterred points per USD bn per episode, with a 95%
        interval. The interval is the delta method over the per-draw aggregates (records.aggregates:
        each world's pair of differences, so their covariance is in it); without them it is NaN.
        A policy that costs no more than the reference has no ratio (NaN; `extra_cost` says why)."""
        policies, outcomes = self.labels("policy", point), self.labels("outcome", point)
        reference = reference or self.reference_policy()
        r, det = policies.index(reference), outcomes.index("DETERRED")
        share = self.output("outcome_share", point)["mean"][()]
        cost = self.output("mean_bloc_cost", point)["mean"][()]
        group = self._group(point)
        per_draw = self.has_records("outcome_share") and "mean_bloc_cost" in group["records"]
        if per_draw:
            deterred = group["records/outcome_share"][:, :, det]
            costs = group["records/mean_bloc_cost"][()]
        rows = []
        for i, policy in enumerate(policies):
            if i == r:
                continue
            extra_deterred, extra_cost = share[i, det] - share[r, det], cost[i] - cost[r]
            ratio = low = high = np.nan
            if extra_cost > 0:
                ratio = 100 * extra_deterred / extra_cost
                if per_draw:
                    x, y = deterred[:, i] - deterred[:, r], costs[:, i] - costs[:, r]
                    slope = x.mean() / y.mean()
                    se = (x - slope * y).std(ddof=1) / np.sqrt(len(x)) / abs(y.mean())
                    low, high = 100 * (slope - Z95 * se), 100 * (slope + Z95 * se)
            rows.append({"policy": policy, "reference": reference, "extra_deterred_points": 100 * extra_deterred,
                         "extra_cost_usd_bn_per_episode": extra_cost, "deterred_points_per_usd_bn": ratio,
                         "low": low, "high": high})
        return pd.DataFrame(rows)

    def episode_outcomes(self, point: int = 0) -> pd.DataFrame:
        """Counts and shares of each outcome per policy and episode (target, issue)."""
        g = self.output("outcome", point)
        policies, episodes = self.labels("policy", point), self.labels("episode", point)
        categories = _text(g.attrs["categories"])
        counts, share = g["counts"][()], g["share"][()]
        low, high = g["wilson95_low"][()], g["wilson95_high"][()]
        rows = []
        for i, p in enumerate(policies):
            for e, episode in enumerate(episodes):
                target, issue = episode.split(":", 1)
                for k, o in enumerate(categories):
                    rows.append({"policy": p, "target": target, "issue": issue, "outcome": o, "count": int(counts[i, e, k]),
                                 "share": share[i, e, k], "low": low[i, e, k], "high": high[i, e, k]})
        return pd.DataFrame(rows)

    def issue_shares(self, point: int = 0) -> pd.DataFrame:
        """Outcome shares per policy and issue, pooling the episodes (targets) of each issue."""
        e = self.episode_outcomes(point)
        pooled = e.groupby(["policy", "issue", "outcome"], sort=False)["count"].sum().reset_index()
        totals = pooled.groupby(["policy", "issue"], sort=False)["count"].transform("sum")
        pooled["share"] = pooled["count"] / totals
        return pooled

    def payoffs(self, point: int = 0) -> pd.DataFrame:
        """Per policy: mean, sd and quantiles of each payoff (per draw, averaged over episodes)."""
        rows = []
        policies = self.labels("policy", point)
        for measure, name in PAYOFFS.items():
            g = self.output(name, point)
            levels = g["quantile_levels"][()] if "quantile_levels" in g else []
            for i, p in enumerate(policies):
                row = {"policy": p, "measure": measure, "mean": g["mean"][i], "sd": g["sd"][i],
                       "ci95_half_width": g["ci95_half_width"][i], "min": g["min"][i], "max": g["max"][i]}
                for q, level in enumerate(levels):
                    row[f"q{level:g}"] = g["quantiles"][i, q]
                rows.append(row)
        return pd.DataFrame(rows)

    def sweep_shares(self) -> pd.DataFrame:
        """One row per sweep point x policy x outcome, with the swept values as columns."""
        points = self.sweep()
        frames = []
        for k in range(self.points):
            shares = self.outcome_shares(k)
            shares.insert(0, "point", k)
            for key in points.columns:
                shares[key] = points[key].iloc[k]
            frames.append(shares)
        return pd.concat(frames, ignore_index=True)

    # --- sensitivity (`deterrence sensitivity`) ----------------------------------------------
    @property
    def has_sensitivity(self) -> bool:
        """Whether the file holds Sobol' indices (`deterrence sensitivity`)."""
        return "sensitivity" in self.file

    def sensitivity(self) -> pd.DataFrame:
        """Sobol indices: one row per output element x group, first order and total with 95% intervals."""
        root = self.file["sensitivity"]
        groups = _text(root["groups"][()])
        rows = []
        for name, g in root.items():
            if not isinstance(g, h5py.Group):
                continue
            dims = _text(g.attrs["dims"]) if "dims" in g.attrs and g.attrs["dims"].size else []
            label_lists = [self.labels(d) for d in dims]
            elements = int(np.prod([len(l) for l in label_lists])) if label_lists else 1
            data = {k: g[k][()].reshape(elements, len(groups)) for k in
                    ("first_order", "first_order_low", "first_order_high", "total", "total_low", "total_high")}
            means = g["mean"][()].reshape(elements) if "mean" in g else np.full(elements, np.nan)
            for e in range(elements):
                label, rest = [], e
                for labels in reversed(label_lists):
                    label.insert(0, labels[rest % len(labels)])
                    rest //= len(labels)
                # A share that almost never happens has almost no variance to apportion: its
                # indices are noise (totals above 1 were seen for shares of 0.006%).
                rare = name in RATE_OUTPUTS and np.isfinite(means[e]) and means[e] < RARE_SHARE
                for j, group in enumerate(groups):
                    rows.append({"output": name, "element": "/".join(label), "group": group,
                                 **{k: v[e, j] for k, v in data.items()}, "mean": means[e], "too_rare": bool(rare)})
        return pd.DataFrame(rows)

    def sensitivity_groups(self) -> pd.DataFrame:
        """Each sensitivity group and the parameters in it (from /parameters)."""
        g = self.file["parameters"]
        frame = pd.DataFrame({"group": _text(g["group"][()]), "parameter": _text(g["name"][()])})
        frame["group"] = frame["group"].replace("", "other")
        rows = []
        for group, part in frame.groupby("group", sort=False):
            names = list(part["parameter"])
            shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            rows.append({"group": group, "parameters": len(names), "members": shown})
        return pd.DataFrame(rows)

    # --- the config as run ----------------------------------------------------------------------
    def resolved_config(self) -> dict:
        """The config the run read, with its `extends:` chain applied (maps merge key by key,
        lists and scalars replace, `!replace` replaces a map, `!delete` removes a key), from the
        texts stored in /inputs. {} when the file holds no inputs or PyYAML is missing."""
        try:
            import yaml
        except ImportError:
            return {}
        if "inputs" not in self.file:
            return {}
        g = self.file["inputs"]
        roles = _text(g["role"][()])
        texts = [t.decode() if isinstance(t, bytes) else str(t) for t in g["text"][()]]

        class Replace(dict):
            pass

        class Delete:
            pass

        class Loader(yaml.SafeLoader):
            pass

        Loader.add_constructor("!replace", lambda loader, node: Replace(loader.construct_mapping(node, deep=True)))
        Loader.add_constructor("!delete", lambda loader, node: Delete())

        def merge(base, over):
            if isinstance(over, Replace):
                return dict(over)
            if isinstance(base, dict) and isinstance(over, dict):
                merged = dict(base)
                for key, value in over.items():
                    if isinstance(value, Delete):
                        merged.pop(key, None)
                    else:
                        merged[key] = merge(base.get(key), value)
                return merged
            return over

        chain = [yaml.load(t, Loader=Loader) or {} for t, r in zip(texts, roles) if r in ("config", "extends")]
        resolved: dict = {}
        for layer in reversed(chain):  # the last file extended is the base
            resolved = merge(resolved, layer)
        resolved.pop("extends", None)
        return resolved

    def policy_descriptions(self) -> dict[str, str]:
        """Each policy's one-line description from the config (the game), {} if none."""
        policies = (self.resolved_config().get("model_options") or {}).get("policies") or {}
        return {name: str(p.get("description", "")) for name, p in policies.items() if isinstance(p, dict)}

    # --- labelled arrays (xarray) -------------------------------------------------------------
    def to_xarray(self, output: str | None = None, point: int = 0):
        """Labelled arrays: one output as an xarray.Dataset (its statistics as variables over the
        output's dims, labelled; trailing axes category, quantile_levels, digit, sketch_bin), or,
        without a name, a dict of every output's Dataset. Built from the stored labels, so files
        of format 2 (before dimension scales) give the same Datasets; for format 3 files
        `xarray.open_dataset(path, group="outputs/<name>", engine="h5netcdf")` gives them too."""
        import xarray as xr

        if output is None:
            return {name: self.to_xarray(name, point) for name in self._group(point)["outputs"]}
        g = self.output(output, point)
        dims = _text(g.attrs["dims"]) if "dims" in g.attrs and np.size(g.attrs["dims"]) else []
        coords = {d: self.labels(d, point) for d in dims}
        trailing = {"counts": "category", "share": "category", "wilson95_low": "category", "wilson95_high": "category",
                    "sum_exact": "digit", "sum_sq_exact": "digit", "quantiles": "quantile_levels", "sketch": "sketch_bin"}
        if "categories" in g.attrs:
            coords["category"] = _text(g.attrs["categories"])
        if "quantile_levels" in g:
            coords["quantile_levels"] = g["quantile_levels"][()]
        variables = {}
        for name, item in g.items():
            if not isinstance(item, h5py.Dataset) or name in coords or name in ("digit", "sketch_bin", "category"):
                continue
            names = dims + ([trailing[name]] if name in trailing else [])
            if len(names) != item.ndim:
                continue
            attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in item.attrs.items()
                     if k in ("long_name", "units")}
            variables[name] = xr.Variable(names, item[()], attrs=attrs)
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in g.attrs.items()
                 if k in ("description", "kind", "units")}
        return xr.Dataset(variables, coords=coords, attrs=attrs)

    def records_xarray(self, point: int = 0):
        """Per-draw records as an xarray.Dataset over (draw, dims...) and (draw, parameter), with
        the draw coordinate holding the draw numbers (first_draw + row)."""
        import xarray as xr

        group = self._group(point)
        if "records" not in group:
            raise ValueError(f"{self.path}: no per-draw records (set records.outcomes or records.parameters)")
        g = group["records"]
        first = int(self.file.attrs.get("first_draw", 0))
        variables, coords = {}, {}
        for name, item in g.items():
            if not isinstance(item, h5py.Dataset) or item.attrs.get("CLASS") is not None or name == "parameter_names":
                continue
            if name == "parameters":
                coords["parameter"] = _text(g["parameter_names"][()])
                variables[name] = (("draw", "parameter"), item[()])
            elif "outputs" in group and name in group["outputs"]:
                out = group["outputs"][name]
                dims = _text(out.attrs["dims"]) if np.size(out.attrs["dims"]) else []
                for d in dims:
                    coords[d] = self.labels(d, point)
                variables[name] = (tuple(["draw"] + dims), item[()])
        if not variables:
            raise ValueError(f"{self.path}: its records hold nothing this reader knows")
        rows = next(iter(variables.values()))[1].shape[0]
        coords["draw"] = np.arange(first, first + rows, dtype=np.uint64)
        return xr.Dataset(variables, coords=coords)

    # --- per-draw records -------------------------------------------------------------------
    def has_records(self, what: str = "outcome") -> bool:
        """Whether per-draw records `what` exist (an axis label of that name is not a record)."""
        group = self._group(0)
        if "records" not in group or what not in group["records"]:
            return False
        item = group["records"][what]
        return isinstance(item, h5py.Dataset) and item.attrs.get("CLASS") is None

    def outcome_records(self, point: int = 0) -> np.ndarray:
        """Outcome codes [draw, policy, episode] (codes index OUTCOMES)."""
        return self._group(point)["records/outcome"][()]

    def parameter_records(self, point: int = 0) -> pd.DataFrame:
        """Per-draw sampled parameters, one column per parameter (records.parameters)."""
        g = self._group(point)["records"]
        return pd.DataFrame(g["parameters"][()], columns=_text(g["parameter_names"][()]))

    def self_censorship_by_salience(self, bins: int = 10, point: int = 0) -> pd.DataFrame:
        """Share of self-censorship per policy by the target's sampled salience (the double
        penalty): pools every episode, binning draws by salience.<target>.<issue>. The intervals
        are Wilson intervals, like the engine's, and treat the pooled episodes as independent; episodes of one draw share its parameters, so
        they are somewhat too narrow: compare policies, which are paired on the same draws."""
        codes = self.outcome_records(point)
        params = self.parameter_records(point)
        policies, episodes = self.labels("policy", point), self.labels("episode", point)
        edges = np.round(np.linspace(0.0, 1.0, bins + 1), 10)
        rows = []
        for i, p in enumerate(policies):
            hits = np.zeros(bins)
            total = np.zeros(bins)
            for e, episode in enumerate(episodes):
                target, issue = episode.split(":", 1)
                salience = params[f"salience.{target}.{issue}"].to_numpy()
                which = np.clip(np.digitize(salience, edges) - 1, 0, bins - 1)
                total += np.bincount(which, minlength=bins)
                hits += np.bincount(which, weights=(codes[:, i, e] == 0).astype(float), minlength=bins)
            for b in range(bins):
                n = total[b]
                share = hits[b] / n if n else np.nan
                low, high = wilson_interval(hits[b], n)
                rows.append({"policy": p, "salience_low": edges[b], "salience_high": edges[b + 1], "episodes": int(n),
                             "self_censorship": share, "low": low, "high": high})
        return pd.DataFrame(rows)

    def _check_structure(self) -> None:
        # As the engine does (engine/io/results_reader.cpp): no link or dataset may pull another
        # file's bytes into what this reader returns, and scalar attributes must be scalars.
        merged = [os.path.abspath(str(s.decode() if isinstance(s, bytes) else s))
                  for s in np.atleast_1d(self.file.attrs.get("merged_from", []))]
        folder = os.path.dirname(os.path.abspath(self.path))
        problems = []

        def visit(name):
            link = self.file.get(name, getlink=True)
            if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
                problems.append(f"/{name} is an external or soft link")
                return
            obj = self.file.get(name)
            if not isinstance(obj, h5py.Dataset):
                return
            if obj.external:
                problems.append(f"dataset /{name} stores its data in external files")
            if obj.is_virtual:
                if not (name.startswith("records/") or (name.startswith("points/") and "/records/" in name)):
                    problems.append(f"dataset /{name} is virtual (only merged per-draw records may be)")
                for source in obj.virtual_sources():
                    # merge names sources relative to the merged file; merged_from as given.
                    if os.path.basename(source.file_name) not in [os.path.basename(m) for m in merged]:
                        problems.append(f"virtual dataset /{name} reads {source.file_name}, "
                                        "not one of the shards it was merged from")

        def walk(group, prefix):
            for key in group:
                name = f"{prefix}{key}"
                link = group.get(key, getlink=True)
                if isinstance(link, (h5py.ExternalLink, h5py.SoftLink)):
                    problems.append(f"/{name} is an external or soft link (it could point outside the file)")
                    continue
                obj = group.get(key)
                if isinstance(obj, h5py.Group):
                    walk(obj, name + "/")
                    continue
                visit(name)
                if isinstance(obj, h5py.Dataset) and not obj.is_virtual and not obj.external:
                    check_values(name, obj)

        def check_values(name, obj):
            if obj.size > 2**28:
                problems.append(f"dataset /{name} has {obj.size} elements, more than a results file holds")
                return
            leaf = name.rsplit("/", 1)[-1]
            if name.startswith("dims/") and obj.dtype.kind not in "OSU":
                problems.append(f"dataset /{name} holds {obj.dtype}, expected strings")
            if leaf in ("count", "counts", "sum_exact", "sum_sq_exact", "sketch"):
                if obj.dtype.kind not in "iu":
                    problems.append(f"dataset /{name} holds {obj.dtype}, expected integers")
                elif leaf in ("count", "counts") and obj.size and obj[...].min() < 0:
                    problems.append(f"dataset /{name} holds a negative count")
                elif leaf in ("sum_exact", "sum_sq_exact"):
                    # Exact sums as the engine writes them: [count's shape, 70] canonical digits.
                    digits = obj[...]
                    count = obj.parent.get("count")
                    if (digits.ndim == 0 or digits.shape[-1] != 70 or
                            (isinstance(count, h5py.Dataset) and digits.shape[:-1] != count.shape)):
                        problems.append(f"dataset /{name} has shape {digits.shape}, not its count's and 70 digits")
                    elif digits.size and ((digits[..., :-1] < 0).any() or (digits[..., :-1] >= 2**32).any()):
                        problems.append(f"dataset /{name} holds digits no exact sum has")
            if leaf in ("mean", "sd", "variance", "share", "min", "max") and obj.dtype.kind not in "fiu":
                problems.append(f"dataset /{name} holds {obj.dtype}, expected numbers")

        walk(self.file, "")
        for key in ("seed", "draws", "total_draws", "format_version", "chunk_size", "first_draw"):
            value = self.file.attrs.get(key)
            if value is not None and (np.ndim(value) != 0 or not np.issubdtype(np.asarray(value).dtype, np.integer)
                                      or int(value) < 0):
                problems.append(f"attribute {key} is not a single non-negative integer")
        for key in ("model", "config_hash", "engine_version", "start_time", "shard", "config", "filetype"):
            if key not in self.file.attrs:
                continue
            attribute = self.file.attrs.get_id(key)
            info = h5py.check_string_dtype(attribute.dtype)
            if attribute.shape != () or info is None or info.length is not None:
                problems.append(f"attribute {key} is not a single variable-length string")
        if problems:
            raise ValueError(f"{self.path}: refused: {problems[0]}")

    def _check_record_sources(self) -> None:
        # A virtual dataset over shard files reads a missing shard as fill values, silently.
        if "records" not in self.file:
            return
        folder = os.path.dirname(os.path.abspath(self.path))
        for name, dataset in self.file["records"].items():
            if not dataset.is_virtual:
                continue
            for source in dataset.virtual_sources():
                path = source.file_name if os.path.isabs(source.file_name) else os.path.join(folder, source.file_name)
                if not os.path.exists(path):
                    raise FileNotFoundError(f"{self.path}: records '{name}' read from {path}, which is missing")


KEY_OUTCOMES = ("DETERRED", "SELF_CENSORSHIP", "CAPITULATION", "RESISTED", "ESCALATION")


def prior_posterior_table(prior: Results, posterior: Results) -> pd.DataFrame:
    """The same experiment on the config's priors and on a calibration's posterior, side by side:
    per policy and key outcome, each run's share of episodes with its Monte Carlo 95% interval, and
    the posterior minus the prior. Refuses two runs of different experiments (model, seed, policies)."""
    if posterior.posterior is None:
        raise ValueError(f"{posterior.path}: not a posterior run (no /posterior; `run --posterior CALIB.h5` makes one)")
    if prior.posterior is not None:
        raise ValueError(f"{prior.path}: is itself a posterior run; give the run on the priors")
    for key in ("model", "seed"):
        if prior.attrs.get(key) != posterior.attrs.get(key):
            raise ValueError(f"{prior.path} and {posterior.path} differ in {key}")
    if prior.labels("policy") != posterior.labels("policy"):
        raise ValueError(f"{prior.path} and {posterior.path} compare different policies")
    a = prior.outcome_shares().set_index(["policy", "outcome"])
    b = posterior.outcome_shares().set_index(["policy", "outcome"])
    rows = []
    for policy in prior.labels("policy"):
        for outcome in KEY_OUTCOMES:
            p, q = a.loc[(policy, outcome)], b.loc[(policy, outcome)]
            rows.append({"policy": policy, "outcome": outcome, "prior": p["share"], "prior_low": p["low"],
                         "prior_high": p["high"], "posterior": q["share"], "posterior_low": q["low"],
                         "posterior_high": q["high"], "change": q["share"] - p["share"]})
    return pd.DataFrame(rows)

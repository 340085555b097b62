"""Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari & Gelman 2018) of
`deterrence calibrate`, on the binomial test model.

Each replication draws θ* from the prior (uniform on [0, 1]), simulates the trials' outcomes from
the model at θ* (trial c succeeds with probability θ*), calibrates on them with the engine, and
records the rank of θ* among L draws resampled from the calibration's weighted posterior. When the
calibration is right, the ranks are uniform on 0..L whatever the prior; a χ² test over equal bins
says whether they are. `misspecified=True` simulates the outcomes from θ*² instead, which a correct
calibration must fail (the test's negative control: it shows the check can fail).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

import h5py
import numpy as np
from scipy import stats

PRIOR = "{dist: uniform, min: 0, max: 1}"


@dataclass
class SbcResult:
    """Ranks of θ* (one per replication, each in 0..posterior_draws), their χ² test and bins."""

    ranks: np.ndarray
    posterior_draws: int
    bins: int
    counts: np.ndarray
    chi2: float
    p_value: float
    mean_effective_sample_size: float


def _config(path: str, observed: list[str], seed: int) -> None:
    with open(path, "w") as out:
        out.write(f"model: binomial\ndraws: 1000\nseed: {seed}\nparameters:\n  theta: {PRIOR}\n"
                  f"model_options:\n  observed: [{', '.join(observed)}]\n")


def run_sbc(binary: str, replications: int = 200, trials: int = 10, draws: int = 1000, inner: int = 200,
            posterior_draws: int = 99, bins: int = 10, seed: int = 20261130, misspecified: bool = False,
            threads: int = 0) -> SbcResult:
    """Runs `replications` calibrations of simulated records and tests the ranks' uniformity.

    Every random number comes from `seed` (numpy) and the engine's own seeds (one per replication),
    so the result is reproducible. `posterior_draws + 1` must be a multiple of `bins`.
    """
    if (posterior_draws + 1) % bins:
        raise ValueError("posterior_draws + 1 must be a multiple of bins (equal bins of ranks)")
    rng = np.random.default_rng(seed)
    ranks, ess = [], []
    with tempfile.TemporaryDirectory() as folder:
        for r in range(replications):
            theta_star = rng.uniform()
            p = theta_star ** 2 if misspecified else theta_star
            observed = ["SUCCESS" if u < p else "FAILURE" for u in rng.uniform(size=trials)]
            config = os.path.join(folder, f"sbc{r}.yaml")
            out = os.path.join(folder, f"sbc{r}.h5")
            _config(config, observed, seed=1000 + r)
            command = [binary, "calibrate", "--method", "importance", config, "--draws", str(draws), "--inner", str(inner), "--quiet", "--out",
                       out]
            if threads:
                command += ["--threads", str(threads)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            with h5py.File(out, "r") as f:
                theta = f["calibration/theta"][:, 0]
                weight = f["calibration/weight"][:]
                ess.append(float(f["calibration"].attrs["effective_sample_size"]))
            picked = rng.choice(len(theta), size=posterior_draws, p=weight / weight.sum())
            ranks.append(int(np.sum(theta[picked] < theta_star)))
            os.remove(out)
    ranks = np.asarray(ranks)
    counts = np.bincount(ranks // ((posterior_draws + 1) // bins), minlength=bins)
    chi2, p_value = stats.chisquare(counts)
    return SbcResult(ranks, posterior_draws, bins, counts, float(chi2), float(p_value), float(np.mean(ess)))


@dataclass
class EngineSbcResult:
    """Per parameter: its ranks (one per replication), rank counts in bins and the χ² test."""

    table: "object"  # pandas DataFrame: parameter, chi2, p_value, counts
    ranks: dict
    mean_effective_sample_size: float
    mean_cases: float


def run_sbc_engine(binary: str, config: str, replications: int = 100, draws: int = 1000, inner: int = 50,
                   rounds: int = 1, posterior_draws: int = 19, bins: int = 10, seed: int = 20261130,
                   threads: int = 0, method: str = "importance") -> EngineSbcResult:
    """Simulation-based calibration of any model through the engine itself: replication r runs
    `deterrence calibrate CONFIG --simulate-record r` (the record the model plays at prior draw r of
    another seed) by `method` (importance: `rounds` rounds; smc: sequential Monte Carlo without
    leave-one-out refits, which SBC does not read), then ranks each global parameter's θ* among
    `posterior_draws` draws resampled from the calibration's weights. Parameters whose prior is a constant are left out. Returns the χ²
    test of each parameter's ranks (over `bins` equal bins; `posterior_draws + 1` must be a multiple)."""
    import pandas as pd

    if (posterior_draws + 1) % bins:
        raise ValueError("posterior_draws + 1 must be a multiple of bins (equal bins of ranks)")
    rng = np.random.default_rng(seed)
    ranks: dict[str, list[int]] = {}
    ess, cases = [], []
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "sbc.h5")
        for r in range(replications):
            command = [binary, "calibrate", "--method", method, config, "--simulate-record", str(r), "--draws",
                       str(draws), "--inner", str(inner), "--quiet", "--force", "--out", out]
            command += ["--rounds", str(rounds)] if method == "importance" else ["--refit-above", "1e9"]
            if threads:
                command += ["--threads", str(threads)]
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            with h5py.File(out, "r") as f:
                g = f["calibration"]
                names = [n.decode() if isinstance(n, bytes) else str(n) for n in g["parameter"][()]]
                theta, weight = g["theta"][()], g["weight"][()]
                varies = g["prior_q95"][()] > g["prior_q05"][()]
                star = g["simulated_record/theta_star"][()]
                ess.append(float(g.attrs["effective_sample_size"]))
                cases.append(len(f["cases/id"]))
            picked = rng.choice(len(weight), size=posterior_draws, p=weight / weight.sum())
            for j, name in enumerate(names):
                if varies[j]:
                    ranks.setdefault(name, []).append(int(np.sum(theta[picked, j] < star[j])))
    rows = []
    width = (posterior_draws + 1) // bins
    for name, values in ranks.items():
        counts = np.bincount(np.asarray(values) // width, minlength=bins)
        chi2, p = stats.chisquare(counts)
        rows.append({"parameter": name, "chi2": float(chi2), "p_value": float(p),
                     "counts": " ".join(str(c) for c in counts)})
    return EngineSbcResult(pd.DataFrame(rows), {k: np.asarray(v) for k, v in ranks.items()}, float(np.mean(ess)),
                           float(np.mean(cases)))

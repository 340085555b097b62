"""Post-processing of deterrence results files (HDF5) for notebooks and reports.

    from analysis import open_results
    r = open_results("results/baseline.h5")
    r.outcome_shares()        # policy x outcome shares with 95% intervals (a DataFrame)
    r.differences()           # each policy minus the reference policy, paired, with intervals
    r.issue_shares()          # policy x issue x outcome shares over the episodes of each issue
    r.payoffs()               # mean, sd and quantiles of the payoffs per policy
    r.sweep_shares()          # for sweeps: one row per point x policy x outcome, swept values as columns

    r.cost_effectiveness()    # deterred points per USD bn of bloc cost, against the reference policy
    r.posterior               # for a `run --posterior`: which calibration, its ESS (else None)

`python3 -m analysis report FILE --out DIR` writes the figures and an index.html;
`python3 -m analysis discover|regret|checks|mechanisms ...` run scenario discovery, regret,
posterior predictive checks of a calibration and policy answers under each calibrated mechanism
(modules discovery, checks, mechanisms; sbc for simulation-based calibration).
"""
from .results import Results, open_results, wilson_interval

__all__ = ["Results", "open_results", "wilson_interval"]

"""Writes crafted calibration files, each made to hurt a reader of calibrations, from one good one.

Usage: /usr/bin/python3 make_hostile_calibrations.py GOOD.h5 OUT_DIR
Each file in OUT_DIR is a copy of GOOD.h5 (a `deterrence calibrate` file) with one thing made
wrong in /calibration, and its checksums removed: weights that are negative, NaN or all zero, θ of the wrong shape or class,
missing or mismatched priors, case columns of the wrong length. `run --posterior`, `compare` and
`summary` must refuse each with a message, never crash (tests/hostile/run_calibration_corpus.sh).
"""
import os
import shutil
import sys

import h5py
import numpy as np


def main(good, out_dir):
    os.makedirs(out_dir, exist_ok=True)

    def add(name, edit):
        path = os.path.join(out_dir, name + ".h5")
        shutil.copyfile(good, path)
        with h5py.File(path, "r+") as f:
            edit(f["calibration"])
            # Without its checksums, as an engine before 0.4.0 wrote it, so that each reader's own
            # checks meet the damage (the checksums' refusals: make_metadata_files.py --calibration).
            for key in ("metadata_sha256", "objects_sha256"):
                if key in f.attrs:
                    del f.attrs[key]

    def replace(g, name, data):
        del g[name]
        g.create_dataset(name, data=data)

    add("weight_negative", lambda g: replace(g, "weight", -np.abs(g["weight"][()]) - 1.0))
    add("weight_nan", lambda g: replace(g, "weight", np.full(g["weight"].shape, np.nan)))
    add("weight_zero", lambda g: replace(g, "weight", np.zeros(g["weight"].shape)))
    add("weight_short", lambda g: replace(g, "weight", g["weight"][:3]))
    add("theta_short", lambda g: replace(g, "theta", g["theta"][:5]))
    add("theta_strings", lambda g: replace(g, "theta", np.array([b"x"] * 10)))
    add("prior_missing", lambda g: g.__delitem__("prior_distribution"))
    add("prior_mismatch", lambda g: replace(g, "prior_distribution", np.array([b"uniform(0, 0.5)"])))
    add("parameter_extra", lambda g: replace(g, "parameter", np.array([b"theta", b"theta"])))
    add("parameter_unknown", lambda g: replace(g, "parameter", np.array([b"not_a_parameter"])))
    add("loo_short", lambda g: replace(g, "loo_log_score", g["loo_log_score"][:2]))
    add("pareto_k_strings", lambda g: replace(g, "pareto_k_loo", np.array([b"k"] * 3)))
    add("attr_pareto_k_array", lambda g: (g.attrs.__delitem__("pareto_k"), g.attrs.__setitem__("pareto_k", np.ones(50))))
    add("attr_ess_string", lambda g: (g.attrs.__delitem__("effective_sample_size"),
                                      g.attrs.__setitem__("effective_sample_size", "many")))
    add("case_missing", lambda g: g.__delitem__("case"))
    print(len(os.listdir(out_dir)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

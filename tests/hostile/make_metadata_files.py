"""Crafted copies of a small sharded results file (Ishigami, records.parameters on) whose damage
lies in what `verify` used to leave unchecked: root attributes outside the statistics' checksum,
oversized string attributes, and per-draw records of the wrong shape or type. Each line printed is
`name<TAB>expected message`: what `verify`, `summary` and `merge` must say (tests/hostile/
run_metadata_corpus.sh).

Usage: /usr/bin/python3 make_metadata_files.py GOOD.h5 OUT_DIR
       /usr/bin/python3 make_metadata_files.py --calibration GOOD_CALIBRATION.h5 OUT_DIR
"""
import os
import shutil
import sys

import h5py
import numpy as np


def variant(good, out_dir, name, edit):
    path = os.path.join(out_dir, name + ".h5")
    shutil.copyfile(good, path)
    with h5py.File(path, "r+") as f:
        edit(f)


def corpus(good, out_dir):
    """(add, cases): add(name, expected, edit) writes one crafted copy and records its message."""
    os.makedirs(out_dir, exist_ok=True)
    cases = []

    def add(name, expected, edit):
        variant(good, out_dir, name, edit)
        cases.append((name, expected))
    return add, cases


def main(good, out_dir):
    add, cases = corpus(good, out_dir)

    def huge_draws(f):
        f.attrs["draws"] = np.uint64(2**62)
        f.attrs["total_draws"] = np.uint64(2**62)
    add("draws_2e62", "draws (altered), total_draws (altered)", huge_draws)

    def huge_draws_stripped(f):  # the checksum of the attributes removed too
        huge_draws(f)
        del f.attrs["metadata_sha256"]
    add("draws_2e62_no_digest", "do not fit its chunks", huge_draws_stripped)
    add("seed_edited", "seed (altered)", lambda f: f.attrs.__setitem__("seed", np.uint64(12345)))
    add("attribute_added", "planted (added after the file was written)", lambda f: f.attrs.__setitem__("planted", "x"))

    def records(f, data):
        del f["records/parameters"]
        f["records/parameters"] = data
    add("records_scalar", "records/parameters has shape a scalar", lambda f: records(f, np.float64(1.0)))
    add("records_1d", "records/parameters has shape 50,", lambda f: records(f, f["records/parameters"][:, 0]))
    add("records_int16", "records/parameters is not 64-bit floating point",
        lambda f: records(f, f["records/parameters"][()].astype(np.int16)))
    # Past the 16 MiB bound on string attributes (a 200 MB one merged at 1.35 GB before).
    add("start_time_17mib", "more than the 16 MiB a string attribute may hold",
        lambda f: f.attrs.__setitem__("start_time", "x" * (17 << 20)))
    for name, expected in cases:
        print(f"{name}\t{expected}")


def calibration(good, out_dir):
    """Edits of a calibration's figures that its readers print (evidence, weights, stages)."""
    add, cases = corpus(good, out_dir)

    def scale_weights(f):
        f["calibration/weight"][...] = f["calibration/weight"][()] * 0.5
    add("cal_evidence_edited", "/calibration (altered)",
        lambda f: f["calibration"].attrs.__setitem__("log_evidence", 0.0))
    add("cal_weights_edited", "/calibration/weight (altered)", scale_weights)
    add("cal_stage_removed", "/calibration/smc/stage_t (removed)", lambda f: f["calibration/smc"].__delitem__("stage_t"))
    add("cal_group_added", "/planted (added after the file was written)", lambda f: f.create_group("planted"))
    add("cal_objects_digest_removed", "has no checksum of its groups and datasets",
        lambda f: f.attrs.__delitem__("objects_sha256"))
    for name, expected in cases:
        print(f"{name}\t{expected}")


if __name__ == "__main__":
    if sys.argv[1] == "--calibration":
        calibration(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])

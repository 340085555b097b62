"""Exit 0 when two deterrence results files hold bit-identical statistics (and records).

Usage: /usr/bin/python3 same_results.py A.h5 B.h5 [--groups /outputs,/dims] [--without-scales]
Compares every dataset under /outputs, /dims, /parameters, /records and /points (or the groups given)
byte for byte (NaN payloads included); run-specific attributes (times, threads) are not compared."""
import sys

import h5py
import numpy as np


SKIP_SCALES = False  # --without-scales: ignore dimension scales only one file has (format 2 had none)


def is_scale(obj):
    return obj.attrs.get("CLASS", b"") in (b"DIMENSION_SCALE", "DIMENSION_SCALE")


def datasets(f, group):
    names = []
    if group in f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                names.append(f"{group}/{name}")
        f[group].visititems(visit)
    return sorted(names)


def main(a_path, b_path, groups=("/outputs", "/dims", "/parameters", "/records", "/points")):
    differences = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        for group in groups:
            names = datasets(a, group)
            others = datasets(b, group)
            if SKIP_SCALES:  # a scale (labels) only one file has is not a statistic
                extra = set(names) ^ set(others)
                if all(is_scale(a[n]) if n in a else is_scale(b[n]) for n in extra):
                    names = sorted(set(names) & set(others))
                    others = names
            if names != others:
                differences.append(f"{group}: different datasets")
                continue
            for name in names:
                x, y = np.asarray(a[name][()]), np.asarray(b[name][()])
                if x.dtype == object:  # variable-length strings: compare the text, not pointers
                    same = x.shape == y.shape and x.tolist() == y.tolist()
                else:
                    same = x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
                if not same:
                    differences.append(name)
        if not datasets(a, "/outputs") and not datasets(a, "/points"):
            differences.append("no outputs")
    if differences:
        print("differ:", " ".join(differences))
        return 1
    return 0


if __name__ == "__main__":
    if "--without-scales" in sys.argv:
        sys.argv.remove("--without-scales")
        SKIP_SCALES = True
    if len(sys.argv) == 5 and sys.argv[3] == "--groups":
        sys.exit(main(sys.argv[1], sys.argv[2], tuple(sys.argv[4].split(","))))
    sys.exit(main(sys.argv[1], sys.argv[2]))

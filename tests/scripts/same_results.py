"""Exit 0 when two deterrence results files hold bit-identical statistics (and records).

Usage: /usr/bin/python3 same_results.py A.h5 B.h5 [--groups /outputs,/dims]
Compares every dataset under /outputs, /dims, /parameters, /records and /points (or the groups given)
byte for byte (NaN payloads included); run-specific attributes (times, threads) are not compared."""
import sys

import h5py
import numpy as np


def datasets(f, group):
    names = []
    if group in f:
        f[group].visititems(lambda name, obj: names.append(f"{group}/{name}") if isinstance(obj, h5py.Dataset) else None)
    return sorted(names)


def main(a_path, b_path, groups=("/outputs", "/dims", "/parameters", "/records", "/points")):
    differences = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        for group in groups:
            names = datasets(a, group)
            if names != datasets(b, group):
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
    if len(sys.argv) == 5 and sys.argv[3] == "--groups":
        sys.exit(main(sys.argv[1], sys.argv[2], tuple(sys.argv[4].split(","))))
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""Writes a corpus of crafted results files, each made to hurt a reader, from one good file.

Usage: /usr/bin/python3 make_hostile_files.py GOOD.h5 OUT_DIR
Each file in OUT_DIR is a copy of GOOD.h5 with one thing made wrong: a root attribute of the
wrong shape or type, a negative or fractional count, a dataset of the wrong class or a huge
shape, external storage, external or soft links, a virtual dataset into a foreign file. Every
reader of the project must refuse each with a message, never crash (tests/hostile/run_corpus.sh).
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
    return path


def replace_attribute(f, key, value):
    del f.attrs[key]
    f.attrs[key] = value


def replace_dataset(f, path, data, **kw):
    del f[path]
    f.create_dataset(path, data=data, **kw)


def main(good, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    foreign = os.path.join(out_dir, "foreign.bin")
    with open(foreign, "wb") as fh:
        fh.write(b"SECRET" * 4096)
    names = []

    def add(name, edit):
        variant(good, out_dir, name, edit)
        names.append(name)

    big = np.full(6000, 0x4141414141414141, dtype=np.uint64)
    for key in ("seed", "format_version", "chunk_end", "chunk_first", "draws", "total_draws", "chunk_size", "first_draw"):
        add(f"attr_{key}_array", lambda f, k=key: replace_attribute(f, k, big))
        add(f"attr_{key}_string", lambda f, k=key: replace_attribute(f, k, "x" * 100))
        add(f"attr_{key}_negative", lambda f, k=key: replace_attribute(f, k, np.int64(-3)))
        add(f"attr_{key}_float", lambda f, k=key: replace_attribute(f, k, -3.7))
    for key in ("model", "filetype", "config_hash", "engine_version", "start_time", "shard"):
        add(f"attr_{key}_array", lambda f, k=key: replace_attribute(f, k, big))
        add(f"attr_{key}_strings", lambda f, k=key: replace_attribute(f, k, np.array([b"a" * 100] * 200)))
        add(f"attr_{key}_fixed", lambda f, k=key: replace_attribute(f, k, np.bytes_(b"deterrence.results")))
    out = "outputs/" + sorted(h5py.File(good, "r")["outputs"].keys())[0]
    add("count_negative", lambda f: replace_dataset(f, out + "/count", -np.abs(f[out + "/count"][...].astype(np.int64)) - 1)
        if out + "/count" in f else replace_dataset(f, out + "/counts", -np.ones(f[out + "/counts"].shape, dtype=np.int64)))
    add("count_fractional", lambda f: replace_dataset(f, out + "/count", np.full(f[out + "/count"].shape, -3.7))
        if out + "/count" in f else replace_dataset(f, out + "/counts", np.full(f[out + "/counts"].shape, -3.7)))
    add("sum_exact_float", lambda f: replace_dataset(f, out + "/sum_exact", np.full(f[out + "/sum_exact"].shape, 1.5))
        if out + "/sum_exact" in f else None)
    # Found by the fuzzer (tests/fuzz/fuzz_results): a shorter sum_sq_exact was indexed unchecked,
    # and digits that no sum can have overflowed the carries.
    add("sum_sq_exact_short", lambda f: replace_dataset(f, out + "/sum_sq_exact", f[out + "/sum_sq_exact"][..., :3])
        if out + "/sum_sq_exact" in f else None)
    add("sum_exact_overflowing_digits", lambda f: replace_dataset(
        f, out + "/sum_exact", np.full(f[out + "/sum_exact"].shape, np.iinfo(np.int64).max, dtype=np.int64))
        if out + "/sum_exact" in f else None)
    add("mean_strings", lambda f: replace_dataset(f, out + "/mean", np.array([b"x"] * 4)) if out + "/mean" in f else None)
    add("dims_numbers", lambda f: [replace_dataset(f, "dims/" + k, np.arange(3)) for k in list(f["dims"].keys())])
    add("huge_dataset", lambda f: f.create_dataset("outputs_huge", shape=(2**40,), dtype="f8", chunks=(1024,)))
    add("huge_mean", lambda f: replace_dataset(f, out + "/mean", None, shape=(2**31, 2**10), dtype="f8", chunks=(1, 1024))
        if out + "/mean" in f else None)

    def external_storage(f):
        target = out + "/mean" if out + "/mean" in f else out + "/share"
        del f[target]
        f.create_dataset(target, shape=(8,), dtype="f8", external=[(foreign, 0, 64)])
    add("external_storage", external_storage)

    def external_link(f):
        del f["dims"]
        f["dims"] = h5py.ExternalLink(os.path.abspath(good), "/dims")
    add("external_link", external_link)

    def soft_link(f):
        f["loop"] = h5py.SoftLink("/outputs")
    add("soft_link", soft_link)

    def foreign_vds(f):
        layout = h5py.VirtualLayout(shape=(10,), dtype="f8")
        layout[:] = h5py.VirtualSource(os.path.abspath(good), "/parameters/name", shape=(10,))
        if "records" in f:
            del f["records"]
        f.create_group("records").create_virtual_dataset("outcome", layout)
        f.attrs["merged_from"] = np.array([b"elsewhere.h5"], dtype=h5py.string_dtype())
    add("foreign_vds", foreign_vds)

    def vds_outside_records(f):
        layout = h5py.VirtualLayout(shape=(10,), dtype="f8")
        layout[:] = h5py.VirtualSource(os.path.abspath(good), "/parameters/name", shape=(10,))
        f.create_virtual_dataset("sneaky", layout)
    add("vds_outside_records", vds_outside_records)

    def truncated(path):
        size = os.path.getsize(path)
        with open(path, "r+b") as fh:
            fh.truncate(size // 2)
    path = variant(good, out_dir, "truncated", lambda f: None)
    truncated(path)
    names.append("truncated")
    with open(os.path.join(out_dir, "not_hdf5.h5"), "wb") as fh:
        fh.write(b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    names.append("not_hdf5")
    print(len(names), "crafted files in", out_dir)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

#pragma once
// The parts of a results file that content_sha256 (the statistics) does not cover, under checksums
// of their own, so that `verify` (and summary, merge, compare, run --posterior) refuse a file whose
// printed figures were edited after it was written:
// - metadata_sha256: every root attribute (draws, total_draws, seed, model, times, the config…);
// - objects_sha256 (engine 0.4.1 on): every group and dataset below the root but the per-draw
//   records (checked for shape and type against the layout instead, io/records_check.h): their
//   attributes and values — /calibration's posterior, leave-one-out and evidence, /comparison,
//   /posterior, /runtime…
// Each holds one short digest per item ("name:hex16;…", in name order), so a refusal names what
// was altered, added or removed. Written by ResultsWriter::commit(), after everything else.
#include <string>

#include "io/h5.h"

namespace deterrence {

constexpr const char* kMetadataDigest = "metadata_sha256";
constexpr const char* kObjectsDigest = "objects_sha256";

std::string metadata_digest(hid_t file);
std::string objects_digest(hid_t file);
void write_metadata_digest(hid_t file);  // both digests
// Throws std::runtime_error naming `path` and each root attribute that differs from its digest.
// A file without metadata_sha256 returns false (written before engine 0.4.0, or stripped).
bool verify_metadata(hid_t file, const std::string& path);
// Throws std::runtime_error naming `path` and each group or dataset that differs from its digest,
// or when objects_sha256 is missing from a file whose metadata_sha256 says an engine that writes
// it (0.4.1 on) wrote it. Call after verify_metadata and the statistics' own checks, so that an
// edited statistic is reported by the check that explains it.
void verify_objects(hid_t file, const std::string& path);

}  // namespace deterrence

#pragma once
// The root attributes of a results file (draws, total_draws, seed, model, times, the config…)
// under a checksum of their own: content_sha256 covers the statistics, metadata_sha256 every root
// attribute a reader prints. It holds one short digest per attribute ("name:hex16;…", in name
// order), so `verify` names the attribute that was altered, added or removed. Written by
// ResultsWriter::commit(), after every other root attribute.
#include <string>

#include "io/h5.h"

namespace deterrence {

constexpr const char* kMetadataDigest = "metadata_sha256";

std::string metadata_digest(hid_t file);
void write_metadata_digest(hid_t file);
// Throws std::runtime_error naming `path` and each attribute that differs from its digest. A file
// without metadata_sha256 returns false (written before engine 0.4.0, or stripped).
bool verify_metadata(hid_t file, const std::string& path);

}  // namespace deterrence

#include "io/inputs_io.h"

#include <fmt/format.h>

#include <filesystem>

namespace deterrence {

void write_inputs(hid_t file, const std::vector<InputFile>& inputs) {
  if (inputs.empty()) return;
  h5::Handle group = h5::create_group(file, "inputs");
  h5::write_attribute(group, "description",
                      std::string("every file the run read, byte for byte: its config, the configs it extends, its data "
                                  "files (`deterrence inputs FILE --extract DIR` writes them back)"));
  std::vector<std::string> path, absolute, role, sha, text;
  for (const auto& f : inputs) {
    path.push_back(f.path);
    absolute.push_back(std::filesystem::weakly_canonical(std::filesystem::absolute(f.path)).string());
    role.push_back(f.role);
    sha.push_back(f.sha256);
    text.push_back(f.text);
  }
  h5::write_strings(group, "path", path);
  h5::write_strings(group, "absolute_path", absolute);
  h5::write_strings(group, "role", role);
  h5::write_strings(group, "sha256", sha);
  h5::write_strings(group, "text", text);
}

std::vector<InputFile> read_inputs(hid_t file) {
  std::vector<InputFile> inputs;
  if (!h5::exists(file, "inputs")) return inputs;
  h5::Handle group = h5::open_group(file, "inputs");
  const auto path = h5::read_strings(group, "absolute_path"), role = h5::read_strings(group, "role"),
             sha = h5::read_strings(group, "sha256"), text = h5::read_strings(group, "text");
  if (role.size() != path.size() || sha.size() != path.size() || text.size() != path.size())
    throw h5::Error("/inputs: its columns differ in length");
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (sha256_hex(text[i]) != sha[i])
      throw h5::Error(fmt::format("/inputs: the stored text of {} does not match its SHA-256", path[i].substr(0, 200)));
    inputs.push_back({path[i], role[i], text[i], sha[i]});
  }
  return inputs;
}

std::string differing_input(const std::vector<InputFile>& a, const std::vector<InputFile>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i >= a.size()) return fmt::format("{} {} is an input of one but not the other", b[i].role, b[i].path);
    if (i >= b.size()) return fmt::format("{} {} is an input of one but not the other", a[i].role, a[i].path);
    if (a[i].sha256 != b[i].sha256)
      return fmt::format("{} file {} differs (SHA-256 {}… against {}…)", a[i].role, a[i].path, a[i].sha256.substr(0, 12),
                         b[i].sha256.substr(0, 12));
  }
  return "";
}

}  // namespace deterrence

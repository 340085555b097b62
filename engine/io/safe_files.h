#pragma once
// Files in shared folders: outputs are written under an unpredictable temporary name created
// exclusively (never following a link) and renamed into place; a symlink where an output or a
// checkpoint folder goes is refused; clean-up removes only files this program wrote.
#include <filesystem>
#include <string>

namespace deterrence {

// "OUT.partial-<host>-<pid>-<random>": unique, unpredictable, and naming its writer so that a
// later command can tell a dead writer's left-over from a live one's.
std::string temporary_name(const std::string& final_path);

// Throws std::runtime_error when `path` is a symbolic link (outputs, temp files, checkpoints).
void refuse_symlink(const std::filesystem::path& path, const char* what);

// Removes temporary files left beside `final_path` by processes of this host that are gone;
// says so on stderr unless quiet. Never follows a link; touches nothing else.
void remove_dead_partials(const std::string& final_path, bool quiet);

// Whether `path` is a file this program wrote: a regular file (not a link) named
// `<prefix>*.h5` or `<prefix>*.h5.partial-*`.
bool is_own_file(const std::filesystem::path& path, const std::string& prefix);

// For commands that cannot checkpoint (merge, sensitivity): SIGTERM, SIGINT or SIGUSR1 removes the
// temporary file being written (the one armed below) and exits with code 3, leaving nothing.
void exit_cleanly_on_signals();
void arm_temporary(const std::string& path);  // the file a signal must remove
void disarm_temporary();
void arm_lock_file(const std::string& path);  // the output's lock file, removed on that exit too
void disarm_lock_file();

}  // namespace deterrence

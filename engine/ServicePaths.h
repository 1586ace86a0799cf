// Where a binary-mode service's files are: binary= and cwd= as written in a
// spec are relative to the spec's folder (issue 3, item 1), so a spec runs
// the same from any working directory.
#pragma once

#include <string>

namespace faultbox::engine {

// The executable `binary` names: an absolute path as is; a path with a '/'
// relative to `spec_dir`; a bare name in `spec_dir` if it is there, else
// the first match on $PATH (as a shell would). Returns the path to check
// (it may not exist: the caller reports that).
std::string resolve_binary(const std::string& spec_dir, const std::string& binary);

// cwd= made absolute against `spec_dir`.
std::string resolve_cwd(const std::string& spec_dir, const std::string& cwd);

// Why `path` cannot be started ("no such file", "not an executable file"),
// or "" when it can.
std::string unusable_binary(const std::string& path);

}  // namespace faultbox::engine

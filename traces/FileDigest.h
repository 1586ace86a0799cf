// sha256 of the files a trace depends on (the spec, each service's binary):
// `faultbox replay` warns when one changed since the trace was written.
#pragma once

#include <optional>
#include <string>

namespace faultbox::traces {

// "sha256:<64 hex>" of the file's bytes; nullopt when it cannot be read.
std::optional<std::string> file_sha256(const std::string& path);

}  // namespace faultbox::traces

// Writing a results file (--junit, --json): all or nothing, so a CI server
// never reads half a report from a run that was interrupted while writing.
#pragma once

#include <string>

namespace faultbox::cli {

// Writes `text` to FILE.tmp and renames it over `path`. Throws
// std::runtime_error with one line ("cannot write PATH: reason").
void write_report_file(const std::string& path, const std::string& text);

}  // namespace faultbox::cli

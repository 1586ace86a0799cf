// --json FILE: the runs of `faultbox test` as JSON for tools and scripts —
// per run the test, run index, seed, verdict, duration, the failure
// (message and file:line) and each fault rule's hits. DESIGN.md §7 also
// names a class id and a trace per run: those come with schedules (issue 4)
// and are absent until then rather than faked.
#pragma once

#include <string>

#include "cli/TestResult.h"

namespace faultbox::cli {

// The document, pretty-printed, ending in a newline. Text that is not
// UTF-8 (a service's log tail can be anything) is replaced by U+FFFD.
std::string json_report(const TestSuiteResult& suite);

}  // namespace faultbox::cli

// --junit FILE: the runs of `faultbox test` as JUnit XML, the format CI
// systems (Jenkins, GitLab, GitHub test reporters) read. One <testsuite>
// per spec, one <testcase> per run (the seed in its name when a test runs
// more than once), <failure> with the assertion's file:line and message,
// <system-out> with the fault rules' summaries and the seed.
#pragma once

#include <string>
#include <string_view>

#include "cli/TestResult.h"

namespace faultbox::cli {

std::string junit_xml(const TestSuiteResult& suite);

// Text made safe for XML 1.0 character data and attribute values: markup
// characters escaped, characters XML forbids (most C0 controls, e.g. the
// ANSI escapes of a service's log) and bytes that are not UTF-8 replaced by
// U+FFFD — a service's log tail is arbitrary bytes, and one bad byte would
// make the whole file unreadable to a CI server.
std::string xml_escape(std::string_view text);

}  // namespace faultbox::cli

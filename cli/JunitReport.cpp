#include "cli/JunitReport.h"

#include <filesystem>
#include <fmt/format.h>

namespace faultbox::cli {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at s[i], 0 if there is none
// (overlong forms, surrogates and values past U+10FFFF count as malformed).
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n;
  char32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  // U+FFFE and U+FFFF are not XML characters either.
  if (cp == 0xFFFE || cp == 0xFFFF) return 0;
  return n;
}

std::string seconds(int64_t ms) { return fmt::format("{}.{:03}", ms / 1000, ms % 1000); }

std::string case_name(const TestRunResult& r, bool several_runs) {
  return several_runs ? r.test + " [seed " + std::to_string(r.seed) + "]" : r.test;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    char c = text[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t':
      case '\n':
      case '\r': out += c; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += kReplacement;
        else out += c;
    }
  }
  return out;
}

std::string junit_xml(const TestSuiteResult& suite) {
  // Several runs of one test (--runs N) are told apart by their seed.
  bool several_runs = false;
  for (const auto& r : suite.runs) several_runs |= r.run_index > 0;
  std::string suite_name = std::filesystem::path(suite.spec).stem().string();
  if (suite_name.empty()) suite_name = "faultbox";

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\"",
                                   suite.runs.size(), suite.failures(), seconds(suite.duration_ms));
  out += "<testsuites name=\"faultbox test\" " + counts + ">\n";
  out += "  <testsuite name=\"" + xml_escape(suite_name) + "\" " + counts + ">\n";
  out += "    <properties>\n      <property name=\"spec\" value=\"" + xml_escape(suite.spec) + "\"/>\n    </properties>\n";
  for (const auto& r : suite.runs) {
    out += "    <testcase name=\"" + xml_escape(case_name(r, several_runs)) + "\" classname=\"" +
           xml_escape(suite_name) + "\" time=\"" + seconds(r.duration_ms) + "\">\n";
    if (r.failure) {
      const TestFailure& f = *r.failure;
      std::string message = f.location.empty() ? f.message : f.location + ": " + f.message;
      out += "      <failure message=\"" + xml_escape(message) + "\" type=\"" + xml_escape(f.kind) + "\">" +
             xml_escape(f.details) + "</failure>\n";
    }
    std::string system_out;
    for (const auto& h : r.faults) system_out += "fault " + h.summary + "\n";
    system_out += "seed: " + std::to_string(r.seed) + "\n";
    if (!r.trace.empty()) system_out += "trace: " + r.trace + "\n";
    out += "      <system-out>" + xml_escape(system_out) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace faultbox::cli

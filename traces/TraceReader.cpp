#include "traces/TraceReader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "traces/ClockJson.h"
#include "traces/EventLine.h"
#include "traces/JsText.h"
#include "traces/TraceValidator.h"

namespace faultbox::traces {

namespace {

constexpr std::string_view kClockProblem = "clock is not a JSON object of host → positive integer";

std::string location(const std::string& file, uint64_t line) {
  return line ? file + ":" + std::to_string(line) : file;
}

bool is_hex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  ParsedTrace parse() {
    if (text_.empty()) fail(1, "empty file (a trace starts with ShiViz's parser regex)");
    split_lines();
    if (lines_[0] != kShivizParserRegex)
      fail(1, "line 1 is not ShiViz's parser regex `" + std::string(kShivizParserRegex) + "`");
    if (lines_.size() < 2 || !lines_[1].empty())
      fail(2, "line 2 must be empty (ShiViz reads it as the delimiter between executions)");
    size_t i = 2;
    if (i >= lines_.size() || lines_[i].substr(0, 17) != "# faultbox trace ")
      fail(i + 1, "not a faultbox trace: line 3 should be `# faultbox trace " + std::to_string(kTraceVersion) + "`");
    version(i);
    for (++i; i < lines_.size() && !lines_[i].empty() && lines_[i][0] == '#'; ++i) header_line(i);
    require_header(i);
    for (; i < lines_.size(); i += 2) event(i);
    return std::move(out_);
  }

 private:
  [[noreturn]] void fail(uint64_t line, const std::string& what) const { throw TraceFormatError(file_, line, what); }

  void split_lines() {
    if (text_.back() != '\n') {
      size_t count = 1;
      for (char c : text_) count += c == '\n';
      fail(count, "the last line has no newline (truncated file?)");
    }
    size_t b = 0;
    while (b < text_.size()) {
      const size_t e = text_.find('\n', b);
      const std::string_view line = text_.substr(b, e - b);
      const uint64_t number = lines_.size() + 1;
      // Our lines end only at "\n"; JavaScript's also end at these, so
      // ShiViz would cut the line where we do not.
      for (size_t k = 0; k < line.size();) {
        const js::CodePoint cp = js::decode_at(line, k);
        if (cp.value == '\r') fail(number, "carriage return inside the line (ShiViz would end the line there)");
        if (js::is_line_terminator(cp.value))
          fail(number, "line terminator U+" + std::string(cp.value == 0x2028 ? "2028" : "2029") +
                           " inside the line (ShiViz would end the line there)");
        k += cp.len;
      }
      lines_.push_back(line);
      b = e + 1;
    }
  }

  void version(size_t i) {
    const std::string_view v = trim(lines_[i].substr(17));
    const std::optional<uint64_t> n = parse_trace_number(v);
    if (!n || *n == 0) fail(i + 1, "trace format version `" + std::string(v) + "` is not a positive number");
    if (*n > static_cast<uint64_t>(kTraceVersion))
      fail(i + 1, "trace format version " + std::string(v) + " is newer than this faultbox reads (" +
                      std::to_string(kTraceVersion) + ")");
    out_.trace.header.version = static_cast<int>(*n);
  }

  // `# KEY: VALUE` for a known key; anything else starting with '#' is a
  // header line of a newer faultbox and skipped.
  void header_line(size_t i) {
    const std::string_view line = lines_[i];
    const uint64_t n = i + 1;
    static constexpr std::string_view kKeys[] = {"spec", "binary", "test", "verdict", "replayable", "schedule", "placements", "waiting accepts", "warning"};
    if (line.substr(0, 2) != "# ") return;
    const std::string_view rest = line.substr(2);
    if (rest.substr(0, 15) == "faultbox trace ") fail(n, "second `# faultbox trace` line");
    for (std::string_view key : kKeys) {
      if (rest.size() <= key.size() || rest.substr(0, key.size()) != key || rest[key.size()] != ':') continue;
      std::string_view value = rest.substr(key.size() + 1);
      if (!value.empty() && value[0] != ' ') fail(n, "expected a space after `" + std::string(key) + ":`");
      value = trim(value);
      if (value.empty()) fail(n, "empty `# " + std::string(key) + ":` line");
      field(n, key, value, rest);
      return;
    }
  }

  // "none placed" or "placed at steps 4, 9": increasing decision steps.
  std::vector<uint64_t> placed_steps(uint64_t n, std::string_view value) {
    static constexpr std::string_view kNone = "none placed", kAt = "placed at steps ";
    const std::string how = "placements line must read `# placements: none placed` or `# placements: placed at steps N, N, …`";
    std::vector<uint64_t> steps;
    if (value == kNone) return steps;
    if (value.substr(0, kAt.size()) != kAt) fail(n, how);
    std::string_view rest = value.substr(kAt.size());
    for (;;) {
      const size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      const std::optional<uint64_t> step = parse_trace_number(item);
      if (!step || *step == 0) fail(n, "placed step `" + std::string(item) + "` is not a positive number; " + how);
      if (!steps.empty() && *step <= steps.back()) fail(n, "placed steps must increase: " + std::string(item) + " after " + std::to_string(steps.back()));
      steps.push_back(*step);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    return steps;
  }

  // "none" or "store.main 1, client1.main 2": interfaces (each once) and their counts.
  std::vector<std::pair<std::string, uint64_t>> waiting_accepts(uint64_t n, std::string_view value) {
    const std::string how = "waiting accepts line must read `# waiting accepts: none` or `# waiting accepts: INTERFACE N, INTERFACE N, …`";
    std::vector<std::pair<std::string, uint64_t>> out;
    if (value == "none") return out;
    std::string_view rest = value;
    for (;;) {
      const size_t comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      const size_t sp = item.find(' ');
      if (sp == std::string_view::npos || sp == 0) fail(n, "`" + std::string(item) + "`: " + how);
      const std::string service(item.substr(0, sp));
      const std::optional<uint64_t> count = parse_trace_number(trim(item.substr(sp + 1)));
      if (!count || *count == 0) fail(n, "waiting accepts of " + service + " `" + std::string(trim(item.substr(sp + 1))) + "` is not a positive number; " + how);
      for (const auto& [seen, c] : out)
        if (seen == service) fail(n, service + " named twice in the waiting accepts line");
      out.emplace_back(service, *count);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    return out;
  }

  void once(uint64_t n, std::string_view key) {
    if (!seen_.insert(std::string(key)).second) fail(n, "second `# " + std::string(key) + ":` line");
  }

  void field(uint64_t n, std::string_view key, std::string_view value, std::string_view rest) {
    TraceHeader& h = out_.trace.header;
    if (key == "spec") {
      once(n, key);
      const size_t at = value.rfind(" sha256:");
      if (at == std::string_view::npos || at == 0)
        fail(n, "spec line must read `# spec: PATH sha256:HEX`");
      const std::string_view hex = value.substr(at + 8);
      if (!is_hex64(hex)) fail(n, "spec sha256 `" + std::string(hex) + "` is not 64 hex digits");
      h.spec_path = std::string(trim(value.substr(0, at)));
      h.spec_sha256 = std::string(hex);
    } else if (key == "binary") {
      const size_t sp = value.find(' ');
      if (sp == std::string_view::npos) fail(n, "binary line must read `# binary: SERVICE ID`");
      const std::string service(value.substr(0, sp));
      for (const auto& [name, id] : h.binaries)
        if (name == service) fail(n, "second `# binary:` line for service \"" + service + "\"");
      h.binaries.emplace_back(service, std::string(trim(value.substr(sp + 1))));
    } else if (key == "test") {
      once(n, key);
      const std::vector<std::string_view> t = split_spaces(rest);
      if (t.size() != 8 || t[0] != "test:" || t[2] != "run:" || t[4] != "strategy:" || t[6] != "seed:")
        fail(n, "test line must read `# test: NAME  run: N  strategy: NAME  seed: N`");
      const std::optional<uint64_t> run = parse_trace_number(t[3]);
      if (!run || *run == 0) fail(n, "run `" + std::string(t[3]) + "` is not a positive number");
      const std::optional<uint64_t> seed = parse_trace_number(t[7]);
      if (!seed) fail(n, "seed `" + std::string(t[7]) + "` is not a number below 2^64");
      h.test = std::string(t[1]);
      h.run = *run;
      h.strategy = std::string(t[5]);
      h.seed = *seed;
    } else if (key == "verdict") {
      once(n, key);
      h.verdict = std::string(value);
    } else if (key == "replayable") {
      once(n, key);
      if (value == "yes")
        h.replayable = true;
      else if (value == "no" || value.substr(0, 3) == "no ")
        h.replayable = false;
      else
        fail(n, "replayable must be `yes` or `no …`, not `" + std::string(value) + "`");
    } else if (key == "schedule") {
      once(n, key);
      h.schedule = std::string(value);
    } else if (key == "placements") {
      once(n, key);
      h.placed = placed_steps(n, value);
    } else if (key == "waiting accepts") {
      once(n, key);
      h.waiting_accepts = waiting_accepts(n, value);
    } else if (key == "warning") {
      h.warnings.emplace_back(value);
    }
  }

  void require_header(size_t i) {
    static constexpr std::string_view kRequired[] = {"spec", "test", "verdict", "replayable"};
    for (std::string_view key : kRequired)
      if (!seen_.count(std::string(key)))
        fail(i + 1, "header has no `# " + std::string(key) + ":` line");
  }

  void event(size_t i) {
    const uint64_t n = i + 1;
    const std::string_view line = lines_[i];
    if (line.empty()) fail(n, "empty line where an event's `HOST {clock}` line should be");
    if (line[0] == '#') fail(n, "header line after the first event");
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) fail(n, "expected `HOST {clock}`");
    if (sp == 0) fail(n, "empty host before the clock");
    TraceEvent e;
    e.host = std::string(line.substr(0, sp));
    const std::string_view clock = line.substr(sp + 1);
    if (clock.empty() || clock.front() != '{' || clock.back() != '}')
      fail(n, std::string(kClockProblem) + ": it must run from `{` right after the host's space to `}` at the end of the line");
    ClockJsonResult parsed = parse_clock_json(clock);
    if (!parsed.ok()) fail(n, std::string(kClockProblem) + ": " + parsed.error);
    e.clock = std::move(parsed.clock);
    if (i + 1 >= lines_.size()) fail(n, "event has no event line after its clock line");
    const std::string error = parse_event_line(lines_[i + 1], e);
    if (!error.empty()) fail(n + 1, error);
    if (e.identity.host != e.host)
      fail(n + 1, "event line names host \"" + e.identity.host + "\" but its clock line names \"" + e.host + "\"");
    out_.trace.events.push_back(std::move(e));
    out_.event_lines.push_back(n);
  }

  std::string_view text_;
  const std::string& file_;
  std::vector<std::string_view> lines_;
  std::set<std::string> seen_;
  ParsedTrace out_;
};

// The whole file; an unreadable one is a TraceFormatError at line 0.
std::string read_file(const std::string& path) {
  auto cannot = [&path](const std::string& what) {
    return TraceFormatError(path, 0, "cannot read the file: " + what);
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw cannot(std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw cannot(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw cannot("not a regular file");
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw cannot(std::strerror(errno));
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

TraceFormatError::TraceFormatError(std::string file, uint64_t line, std::string problem, const std::string& more)
    : std::runtime_error(location(file, line) + ": " + problem + (more.empty() ? "" : "\n" + more)),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(problem)) {}

ParsedTrace parse_trace(std::string_view text, const std::string& file_name) { return Parser(text, file_name).parse(); }

TraceFile load_trace(const std::string& path) {
  const std::string text = read_file(path);
  ParsedTrace parsed = parse_trace(text, path);
  const std::vector<TraceProblem> problems = validate_parsed_trace(text, parsed);
  if (!problems.empty()) {
    std::string more;
    for (size_t k = 1; k < problems.size(); ++k) more += (k > 1 ? "\n" : "") + problems[k].text(path);
    throw TraceFormatError(path, problems[0].line, problems[0].message, more);
  }
  return std::move(parsed.trace);
}

}  // namespace faultbox::traces

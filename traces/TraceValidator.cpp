#include "traces/TraceValidator.h"

#include <algorithm>
#include <map>
#include <set>

#include "traces/ClockJson.h"
#include "traces/EventLine.h"
#include "traces/JsText.h"
#include "traces/ShivizScan.h"
#include "traces/TraceReader.h"

namespace faultbox::traces {

namespace {

// Members of Object.prototype: ShiViz's `hostSet[host] == undefined` sees
// them as present on every plain object.
constexpr std::string_view kObjectPrototypeNames[] = {
    "__proto__",        "__defineGetter__", "__defineSetter__", "__lookupGetter__",
    "__lookupSetter__", "constructor",      "hasOwnProperty",   "isPrototypeOf",
    "propertyIsEnumerable", "toLocaleString", "toString",       "valueOf",
};

bool has_js_whitespace(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const js::CodePoint cp = js::decode_at(s, i);
    if (js::is_whitespace(cp.value)) return true;
    i += cp.len;
  }
  return false;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool has_line_terminator(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const js::CodePoint cp = js::decode_at(s, i);
    if (js::is_line_terminator(cp.value)) return true;
    i += cp.len;
  }
  return false;
}

// Empty once the writer has flattened and trimmed it.
bool blank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const js::CodePoint cp = js::decode_at(s, i);
    if (cp.value != ' ' && cp.value != '\t' && !js::is_line_terminator(cp.value)) return false;
    i += cp.len;
  }
  return true;
}

// Leading or trailing blanks, which the reader would trim away.
bool padded(std::string_view s) {
  return !s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t');
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// What is wrong with a host name, or "".
std::string host_problem(std::string_view host) {
  if (host.empty()) return "empty host name";
  if (!js::is_valid_utf8(host)) return "host " + quoted(host) + " is not valid UTF-8";
  if (host[0] == '#') return "host " + quoted(host) + " starts with '#' (its line would read as a header line)";
  if (has_js_whitespace(host))
    return "host " + quoted(host) + " contains whitespace (ShiViz's `\\S*` ends the host there)";
  if (has_control(host)) return "host " + quoted(host) + " contains a control character";
  for (std::string_view name : kObjectPrototypeNames)
    if (host == name)
      return "host " + quoted(host) + " is a JavaScript Object.prototype member; ShiViz would take it for a known host";
  return "";
}

// A name that must be one token of a header line.
bool is_token(std::string_view s) { return !s.empty() && !has_js_whitespace(s) && !has_control(s); }

class Checker {
 public:
  Checker(const TraceFile& trace, const std::vector<uint64_t>* lines) : trace_(trace), lines_(lines) {}

  std::vector<TraceProblem> run() {
    header();
    events();
    return std::move(problems_);
  }

 private:
  void header_problem(std::string message) { problems_.push_back({0, 0, "header: " + std::move(message)}); }
  void event_problem(size_t i, std::string message) {
    const uint64_t line = lines_ && i < lines_->size() ? (*lines_)[i] : 0;
    problems_.push_back({line, i + 1, std::move(message)});
  }
  std::string where(size_t i) const {
    if (lines_ && i < lines_->size()) return "line " + std::to_string((*lines_)[i]);
    return "event " + std::to_string(i + 1);
  }

  void header() {
    const TraceHeader& h = trace_.header;
    if (h.version != kTraceVersion)
      header_problem("version " + std::to_string(h.version) + "; this faultbox writes " + std::to_string(kTraceVersion));
    if (blank(h.spec_path)) header_problem("empty spec path");
    else if (has_line_terminator(h.spec_path)) header_problem("spec path contains a line break");
    else if (padded(h.spec_path))
      header_problem("spec path " + quoted(h.spec_path) + " begins or ends with a space");
    if (!is_hex64(h.spec_sha256)) header_problem("spec sha256 " + quoted(h.spec_sha256) + " is not 64 hex digits");
    std::set<std::string> services;
    for (const auto& [service, id] : h.binaries) {
      if (!is_token(service)) header_problem("binary service name " + quoted(service) + " is not one word");
      else if (!services.insert(service).second) header_problem("two binaries for service " + quoted(service));
      if (blank(id)) header_problem("empty binary id for service " + quoted(service));
      else if (has_line_terminator(id)) header_problem("binary id of service " + quoted(service) + " contains a line break");
      else if (padded(id)) header_problem("binary id of service " + quoted(service) + " begins or ends with a space");
    }
    if (!is_token(h.test)) header_problem("test name " + quoted(h.test) + " is not one word");
    if (h.run == 0) header_problem("run 0 (runs count from 1)");
    if (!is_token(h.strategy)) header_problem("strategy " + quoted(h.strategy) + " is not one word");
    if (blank(h.verdict)) header_problem("empty verdict");
    for (const std::string& w : h.warnings)
      if (blank(w)) header_problem("empty warning");
  }

  void events() {
    const std::vector<TraceEvent>& ev = trace_.events;
    if (ev.empty()) {
      problems_.push_back({0, 0, "no events: ShiViz rejects a log from which its regex captures no event"});
      return;
    }
    std::map<std::string, uint64_t> total;
    for (const TraceEvent& e : ev) ++total[e.host];

    std::set<std::string> bad_hosts;
    std::map<std::string, std::vector<const VectorClock*>> logged;  // host → clocks of its events so far
    std::map<uint64_t, size_t> steps;                                // step → first event
    for (size_t i = 0; i < ev.size(); ++i) {
      const TraceEvent& e = ev[i];
      if (bad_hosts.count(e.host) == 0) {
        const std::string p = host_problem(e.host);
        if (!p.empty()) {
          event_problem(i, p);
          bad_hosts.insert(e.host);
        }
      }
      line_fields(i, e);
      if (e.step != 0) {
        const auto [it, fresh] = steps.emplace(e.step, i);
        if (!fresh)
          event_problem(i, "decision step " + std::to_string(e.step) + " again (first at " + where(it->second) + ")");
      }
      clock(i, e, total, logged);
      logged[e.host].push_back(&e.clock);
    }
    uint64_t expect = 1;
    for (const auto& [step, first] : steps) {
      if (step != expect) {
        problems_.push_back({0, 0, "decision step " + std::to_string(expect) +
                                       " is missing (steps run 1, 2, 3, … each once; next is " +
                                       std::to_string(step) + " at " + where(first) + ")"});
        break;
      }
      ++expect;
    }
  }

  // The event line must read back as what we mean to write.
  void line_fields(size_t i, const TraceEvent& e) {
    if (e.identity.host != e.host)
      event_problem(i, "identity host " + quoted(e.identity.host) + " differs from the event's host " + quoted(e.host));
    if (e.identity.occurrence == 0) event_problem(i, "occurrence #0 (occurrences count from 1)");
    TraceEvent back;
    const std::string line = js::flatten_line_terminators(e.text());
    const std::string error = parse_event_line(line, back);
    if (!error.empty()) {
      event_problem(i, "event line `" + line + "` would not read back: " + error);
      return;
    }
    const std::string outcome = js::flatten_line_terminators(e.outcome.empty() ? "-" : e.outcome);
    if (back.outcome != outcome || back.label != js::flatten_line_terminators(e.label) ||
        back.detail != js::flatten_line_terminators(e.detail))
      event_problem(i, "outcome " + quoted(e.outcome) + ", label " + quoted(e.label) +
                           " and detail would read back as " + quoted(back.outcome) + ", " + quoted(back.label) +
                           ", " + quoted(back.detail) + " (an outcome holds no ` [` or ` | `, a label no `] | `)");
    else if (back.step != e.step)
      event_problem(i, "step would read back as " + std::to_string(back.step));
  }

  void clock(size_t i, const TraceEvent& e, const std::map<std::string, uint64_t>& total,
             const std::map<std::string, std::vector<const VectorClock*>>& logged) {
    const VectorClock& c = e.clock;
    auto entry = [&c](const std::string& h) {
      const auto it = c.find(h);
      return it == c.end() ? uint64_t{0} : it->second;
    };
    auto so_far = [&logged](const std::string& h) -> const std::vector<const VectorClock*>* {
      const auto it = logged.find(h);
      return it == logged.end() ? nullptr : &it->second;
    };
    const std::vector<const VectorClock*>* mine = so_far(e.host);
    const uint64_t before = mine ? mine->size() : 0;

    // Own entry: present, 1 for the first event, +1 for each next one.
    const auto own = c.find(e.host);
    if (own == c.end()) {
      event_problem(i, "clock lacks the event's own host " + quoted(e.host));
    } else if (own->second != before + 1) {
      if (before == 0)
        event_problem(i, "host " + quoted(e.host) + "'s first event has own entry " + std::to_string(own->second) +
                             " (each host's own entry starts at 1)");
      else
        event_problem(i, "host " + quoted(e.host) + "'s own entry goes from " + std::to_string(before) + " to " +
                             std::to_string(own->second) + " (it steps by exactly 1 per event)");
    }

    for (const auto& [h, v] : c) {
      if (v == 0 || v > kMaxClockValue) {
        event_problem(i, "clock entry " + quoted(h) + ":" + std::to_string(v) +
                             (v == 0 ? " (entries start at 1)" : " is beyond 2^53-1"));
        continue;
      }
      if (h == e.host) continue;
      const auto t = total.find(h);
      if (t == total.end()) {
        event_problem(i, "clock names host " + quoted(h) + ", which has no events");
        continue;
      }
      if (v > t->second) {
        event_problem(i, "clock names " + quoted(h) + ":" + std::to_string(v) + " but host " + quoted(h) +
                             " has only " + std::to_string(t->second) + " events");
        continue;
      }
      const std::vector<const VectorClock*>* theirs = so_far(h);
      const uint64_t logged_h = theirs ? theirs->size() : 0;
      if (v > logged_h) {
        event_problem(i, "clock names " + quoted(h) + ":" + std::to_string(v) + " before host " + quoted(h) +
                             " logged that event (it has " + std::to_string(logged_h) + " events above this one)");
        continue;
      }
      // Everything h's v-th event knew, this event knows. If this host's
      // previous event already named h:v it was checked there, and nothing
      // here is lower than there (checked below).
      if (before > 0) {
        const auto seen = mine->back()->find(h);
        if (seen != mine->back()->end() && seen->second == v) continue;
      }
      for (const auto& [x, w] : *(*theirs)[v - 1]) {
        if (entry(x) < w) {
          event_problem(i, "clock has " + quoted(x) + ":" + std::to_string(entry(x)) + " but the event it names, " +
                               quoted(h) + ":" + std::to_string(v) + ", already had " + quoted(x) + ":" +
                               std::to_string(w) + " (a clock includes what it has seen)");
          break;
        }
      }
    }

    // Along one host, nothing goes backwards.
    if (before > 0) {
      for (const auto& [x, w] : *mine->back()) {
        if (entry(x) < w) {
          event_problem(i, "clock entry " + quoted(x) + " goes back from " + std::to_string(w) + " to " +
                               std::to_string(entry(x)) + " since host " + quoted(e.host) + "'s previous event");
        }
      }
    }
  }

  const TraceFile& trace_;
  const std::vector<uint64_t>* lines_;
  std::vector<TraceProblem> problems_;
};

// The file's lines, for comparing ShiViz's captures with the reader's.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t b = 0;
  while (b < text.size()) {
    const size_t e = std::min(text.find('\n', b), text.size());
    lines.push_back(text.substr(b, e - b));
    b = e + 1;
  }
  return lines;
}

// What ShiViz's own split of the text reads, against what the reader read.
void compare_with_shiviz(std::string_view text, const ParsedTrace& parsed, std::vector<TraceProblem>& problems) {
  const ShivizView view = shiviz_view(text);
  if (!view.has_two_lines) {
    problems.push_back({1, 0, "ShiViz needs the regex line and the delimiter line"});
    return;
  }
  const std::vector<std::string_view> lines = lines_of(text);
  auto line_at = [&lines](uint64_t n) { return n >= 1 && n <= lines.size() ? lines[n - 1] : std::string_view(); };
  const std::vector<uint64_t>& ours = parsed.event_lines;
  size_t a = 0, b = 0;
  while (a < view.matches.size() || b < ours.size()) {
    const ShivizMatch* m = a < view.matches.size() ? &view.matches[a] : nullptr;
    const uint64_t our_line = b < ours.size() ? ours[b] : UINT64_MAX;
    if (m && m->line < our_line) {
      problems.push_back({m->line, 0, "ShiViz reads an event here that faultbox does not: host " + quoted(m->host) +
                                          ", clock " + m->clock});
      ++a;
      continue;
    }
    if (!m || m->line > our_line) {
      problems.push_back({our_line, b + 1, "ShiViz does not read this event (its regex finds no `HOST {clock}` here)"});
      ++b;
      continue;
    }
    const TraceEvent& e = parsed.trace.events[b];
    const std::string_view host_line = line_at(our_line);
    const std::string_view event_line = line_at(our_line + 1);
    if (!m->at_line_start || m->host != e.host)
      problems.push_back({our_line, b + 1, "ShiViz reads host " + quoted(m->host) + " here, faultbox " + quoted(e.host)});
    else if (host_line.size() < e.host.size() + 1 || m->clock != host_line.substr(e.host.size() + 1))
      problems.push_back({our_line, b + 1, "ShiViz reads the clock as " + m->clock});
    else if (!m->whole_event_line || m->event != event_line)
      problems.push_back({our_line + 1, b + 1, "ShiViz reads the event as `" + m->event + "` (it ends at a line terminator)"});
    ++a;
    ++b;
  }
}

}  // namespace

std::string TraceProblem::text(std::string_view file) const {
  if (line != 0 && !file.empty()) return std::string(file) + ":" + std::to_string(line) + ": " + message;
  if (line != 0) return "line " + std::to_string(line) + ": " + message;
  if (event != 0) return "event " + std::to_string(event) + ": " + message;
  return message;
}

std::vector<TraceProblem> validate_trace(const TraceFile& trace) { return Checker(trace, nullptr).run(); }

std::vector<TraceProblem> validate_parsed_trace(std::string_view text, const ParsedTrace& parsed) {
  std::vector<TraceProblem> problems;
  compare_with_shiviz(text, parsed, problems);
  std::vector<TraceProblem> rules = Checker(parsed.trace, &parsed.event_lines).run();
  problems.insert(problems.end(), std::make_move_iterator(rules.begin()), std::make_move_iterator(rules.end()));
  return problems;
}

std::vector<TraceProblem> validate_trace_text(std::string_view text, const std::string& file_name) {
  try {
    return validate_parsed_trace(text, parse_trace(text, file_name));
  } catch (const TraceFormatError& e) {
    return {TraceProblem{e.line(), 0, e.problem()}};
  }
}

}  // namespace faultbox::traces

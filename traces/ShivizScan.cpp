#include "traces/ShivizScan.h"

#include "traces/JsText.h"

namespace faultbox::traces {

namespace {

struct Unit {
  char32_t value;
  size_t byte;  // offset in the log
  size_t len;
};

std::vector<Unit> decode(std::string_view text) {
  std::vector<Unit> units;
  units.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const js::CodePoint cp = js::decode_at(text, i);
    units.push_back({cp.value, i, cp.len});
    i += cp.len;
  }
  return units;
}

}  // namespace

ShivizView shiviz_view(std::string_view file_text) {
  ShivizView view;
  const size_t first_nl = file_text.find('\n');
  if (first_nl == std::string_view::npos) {
    view.parser_regex = std::string(file_text);
    return view;
  }
  view.parser_regex = std::string(file_text.substr(0, first_nl));
  const size_t second_nl = file_text.find('\n', first_nl + 1);
  if (second_nl == std::string_view::npos) {
    view.delimiter = std::string(file_text.substr(first_nl + 1));
    return view;
  }
  view.has_two_lines = true;
  view.delimiter = std::string(file_text.substr(first_nl + 1, second_nl - first_nl - 1));

  const std::string_view log = file_text.substr(second_nl + 1);
  const std::vector<Unit> u = decode(log);
  const size_t n = u.size();
  auto bytes = [&](size_t from, size_t to) {  // units [from, to) as text
    if (from >= to) return std::string();
    const size_t b = u[from].byte;
    const size_t e = to < n ? u[to].byte : log.size();
    return std::string(log.substr(b, e - b));
  };

  // line_of[k]: the file line of unit k ("\n"-counted; the log starts on line 3).
  std::vector<uint64_t> line_of(n + 1);
  uint64_t line = 3;
  for (size_t k = 0; k < n; ++k) {
    line_of[k] = line;
    if (u[k].value == '\n') ++line;
  }
  line_of[n] = line;

  size_t i = 0;  // where the next exec() starts
  while (i < n) {
    // The segment from i to the next line terminator t: a match starting
    // here needs its " {" and its final "}" in it, and a "\n" at t.
    size_t t = i;
    while (t < n && !js::is_line_terminator(u[t].value)) ++t;
    size_t q = t;
    if (t < n && u[t].value == '\n' && t >= i + 3 && u[t - 1].value == '}') {
      // `{` must come before the final `}` (they cannot be one character).
      for (q = i; q + 2 < t; ++q)
        if (u[q].value == ' ' && u[q + 1].value == '{') break;
      if (q + 2 >= t) q = t;
    }
    if (q == t) {
      i = t + 1;
      continue;
    }
    size_t s = q;  // the host: the run of non-whitespace before the space
    while (s > i && !js::is_whitespace(u[s - 1].value)) --s;
    size_t e = t + 1;  // the event: up to the next line terminator
    while (e < n && !js::is_line_terminator(u[e].value)) ++e;
    ShivizMatch m;
    m.line = line_of[s];
    m.at_line_start = s == 0 || u[s - 1].value == '\n';
    m.host = bytes(s, q);
    m.clock = bytes(q + 1, t);
    m.event = bytes(t + 1, e);
    m.whole_event_line = e == n || u[e].value == '\n';
    view.matches.push_back(std::move(m));
    i = e;
  }
  return view;
}

}  // namespace faultbox::traces

#include "traces/EventLine.h"

#include <algorithm>

namespace faultbox::traces {

namespace {

struct LineError {
  std::string what;
};

class EventLineParser {
 public:
  explicit EventLineParser(std::string_view line) : line_(line) {}

  void parse(TraceEvent& e) {
    const std::string_view step = token("step");
    if (step.substr(0, 5) != "step=") throw LineError{"event line must start with `step=N` or `step=-`"};
    e.step = 0;
    if (step != "step=-") {
      const std::optional<uint64_t> s = parse_trace_number(step.substr(5));
      if (!s || *s == 0) throw LineError{"step `" + std::string(step.substr(5)) + "` is not `-` or a positive number"};
      e.step = *s;
    }
    e.identity.host = std::string(token("host"));
    e.identity.action = std::string(token("action"));
    e.identity.resource = std::string(token("resource"));
    const std::string_view occ = token("occurrence");
    const std::optional<uint64_t> o = occ.substr(0, 1) == "#" ? parse_trace_number(occ.substr(1)) : std::nullopt;
    if (!o || *o == 0) throw LineError{"occurrence `" + std::string(occ) + "` is not `#N` with N ≥ 1"};
    e.identity.occurrence = *o;
    e.identity.thread.clear();
    std::string_view arrow = token("`->`");
    if (arrow.substr(0, 2) == "@t") {
      if (arrow.size() == 2) throw LineError{"empty thread after `@t`"};
      e.identity.thread = std::string(arrow.substr(2));
      arrow = token("`->`");
    }
    if (arrow != "->") throw LineError{"expected `->` after the event's identity, found `" + std::string(arrow) + "`"};
    if (pos_ >= line_.size()) throw LineError{"no outcome after `->`"};
    outcome_label_detail(line_.substr(pos_), e);
  }

 private:
  // The next space-separated token; exactly one space between tokens.
  std::string_view token(const char* what) {
    if (pos_ >= line_.size()) throw LineError{std::string("event line ends before its ") + what};
    const size_t end = std::min(line_.find(' ', pos_), line_.size());
    if (end == pos_) throw LineError{std::string("double space before the event's ") + what};
    const std::string_view t = line_.substr(pos_, end - pos_);
    // TraceEvent::text() folds tabs in identity fields; one here was not written by faultbox.
    if (t.find('\t') != std::string_view::npos) throw LineError{std::string("tab in the event's ") + what};
    pos_ = end + 1;
    return t;
  }

  static void outcome_label_detail(std::string_view rest, TraceEvent& e) {
    const size_t label_at = rest.find(" [");
    const size_t detail_at = rest.find(" | ");
    const size_t outcome_end = std::min(label_at, detail_at);
    e.outcome = std::string(rest.substr(0, outcome_end));
    if (e.outcome.empty()) throw LineError{"empty outcome after `->`"};
    e.label.clear();
    e.detail.clear();
    size_t tail = outcome_end;
    if (label_at < detail_at) {
      size_t k = label_at + 2;
      for (;; ++k) {
        k = rest.find(']', k);
        if (k == std::string_view::npos) throw LineError{"label has no closing `]`"};
        if (k + 1 == rest.size() || rest.substr(k + 1, 3) == " | ") break;
      }
      e.label = std::string(rest.substr(label_at + 2, k - label_at - 2));
      if (e.label.empty()) throw LineError{"empty label `[]`"};
      tail = k + 1;
    }
    if (tail < rest.size()) {
      // Only " | " can be here: the outcome and the label stop before it.
      e.detail = std::string(rest.substr(tail + 3));
      if (e.detail.empty()) throw LineError{"empty detail after ` | `"};
    }
  }

  std::string_view line_;
  size_t pos_ = 0;
};

}  // namespace

std::string parse_event_line(std::string_view line, TraceEvent& e) {
  try {
    EventLineParser(line).parse(e);
    return {};
  } catch (const LineError& err) {
    return err.what;
  }
}

std::optional<uint64_t> parse_trace_number(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

}  // namespace faultbox::traces

#include "spec/eval/Render.h"

#include <string>

namespace faultbox::star {

namespace {

std::string location(const std::string& path, Pos pos) {
  std::string s = path.empty() ? std::string("<unknown>") : path;
  if (pos.valid()) {
    s += ":" + std::to_string(pos.line);
    s += ":" + std::to_string(pos.col);
  }
  return s;
}

// The text of line `line` (1-based) without its line terminator.
std::string_view line_of(std::string_view source, int32_t line) {
  size_t start = 0;
  for (int32_t l = 1; l < line; ++l) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  if (start > source.size()) return {};
  size_t end = source.find('\n', start);
  std::string_view text = source.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

bool is_builtin_frame(const CallFrame& f) { return !f.file; }

}  // namespace

std::string source_excerpt(std::string_view source, Pos pos) {
  if (!pos.valid()) return {};
  // A position one past the last line (an error at end of file) has no text.
  size_t lines = 1;
  for (char c : source) lines += c == '\n';
  if (static_cast<size_t>(pos.line) > lines) return {};
  std::string_view text = line_of(source, pos.line);
  std::string out = "  ";
  out += text;
  out += "\n  ";
  // Columns count code points; reproduce tabs so the caret lines up.
  int32_t col = 1;
  for (size_t i = 0; i < text.size() && col < pos.col; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte
    out += c == '\t' ? '\t' : ' ';
    ++col;
  }
  for (; col < pos.col; ++col) out += ' ';
  out += "^\n";
  return out;
}

std::string render_source_errors(const SourceErrors& e) {
  std::string out;
  for (const SourceError& err : e.errors()) {
    out += location(err.path, err.pos) + ": " + err.msg + "\n";
    out += source_excerpt(e.source(), err.pos);
  }
  if (e.errors().empty()) out = std::string(e.what()) + "\n";
  out.pop_back();
  return out;
}

std::string backtrace_text(const EvalError& e) {
  const auto& frames = e.backtrace();
  size_t shown = frames.size();
  std::string suffix;
  if (shown > 0 && is_builtin_frame(frames.back())) {
    suffix = " in " + frames.back().name;
    --shown;
  }
  std::string out;
  if (shown > 0) out += "Traceback (most recent call last):\n";
  // A run of identical frames (deep recursion) shows its first few lines,
  // then how many more there were.
  constexpr size_t kRepeatsShown = 3;
  std::string previous;
  size_t repeats = 0;
  auto flush = [&] {
    if (repeats > kRepeatsShown)
      out += "  [previous line repeated " + std::to_string(repeats - kRepeatsShown) + " more times]\n";
  };
  for (size_t i = 0; i < shown; ++i) {
    const CallFrame& f = frames[i];
    std::string line = "  ";
    line += is_builtin_frame(f) ? std::string("<builtin>") : location(f.path(), f.pos);
    line += ": in " + f.name + "\n";
    if (line == previous) {
      if (++repeats <= kRepeatsShown) out += line;
      continue;
    }
    flush();
    repeats = 0;
    previous = line;
    out += line;
  }
  flush();
  out += "Error" + suffix + ": " + e.msg();
  return out;
}

std::string render_eval_error(const EvalError& e) {
  std::string out;
  const auto& frames = e.backtrace();
  for (size_t i = frames.size(); i-- > 0;) {
    const CallFrame& f = frames[i];
    if (is_builtin_frame(f)) continue;
    out += location(f.path(), f.pos) + ": " + e.msg() + "\n";
    out += source_excerpt(f.file->source, f.pos);
    break;
  }
  out += backtrace_text(e);
  return out;
}

}  // namespace faultbox::star

#include "engine/PathGlob.h"

#include <fnmatch.h>

#include <functional>

namespace faultbox::engine {

namespace {

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    out.emplace_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

}  // namespace

PathGlob::PathGlob(std::string pattern)
    : pattern_(std::move(pattern)), segments_(split(pattern_)), basename_pattern_(pattern_.find('/') == std::string::npos) {}

bool PathGlob::matches(std::string_view path) const {
  if (pattern_.empty()) return true;
  const std::vector<std::string> segs = split(path);
  const size_t P = segments_.size(), S = segs.size();
  // memo[pi][si]: 0 unknown, 1 no, 2 yes. Several `**` would otherwise
  // backtrack exponentially; paths are short, so the table is small.
  std::vector<char> memo((P + 1) * (S + 1), 0);
  std::function<bool(size_t, size_t)> match = [&](size_t pi, size_t si) -> bool {
    char& m = memo[pi * (S + 1) + si];
    if (m) return m == 2;
    bool r;
    if (pi == P) {
      r = si == S;
    } else if (segments_[pi] == "**") {
      r = false;
      for (size_t k = si; k <= S && !r; ++k) r = match(pi + 1, k);
    } else {
      // Segments hold no '/', so plain fnmatch stays within one segment.
      r = si < S && ::fnmatch(segments_[pi].c_str(), segs[si].c_str(), 0) == 0 && match(pi + 1, si + 1);
    }
    m = r ? 2 : 1;
    return r;
  };
  return match(0, 0);
}

bool PathGlob::matches_file(std::string_view absolute, std::string_view as_written) const {
  if (pattern_.empty()) return true;
  if (!absolute.empty() && matches(absolute)) return true;
  if (!as_written.empty() && as_written != absolute && matches(as_written)) return true;
  if (basename_pattern_) {
    for (std::string_view p : {absolute, as_written}) {
      size_t slash = p.rfind('/');
      if (slash != std::string_view::npos && matches(p.substr(slash + 1))) return true;
    }
  }
  return false;
}

}  // namespace faultbox::engine

// The `path=` glob of a fault rule. Compatible with the Go Faultbox, whose
// specs must run here too: `*`, `?` and `[...]` match within one path
// segment (never across '/'), and a segment that is exactly `**` matches
// zero or more whole segments ("/data/**" matches "/data" and
// "/data/a/b.wal"; "**/pg_wal/*" matches at any depth).
//
// What a pattern is matched against (matches_file): the absolute path and
// the path as the program wrote it (a relative "data/x.db" written by a
// service run from its own folder); a pattern with no '/' at all names a
// file in any folder and is also matched against the basename, so
// path="*.log" or path="orders.json" means what a user expects.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultbox::engine {

class PathGlob {
 public:
  PathGlob() = default;
  explicit PathGlob(std::string pattern);

  const std::string& pattern() const { return pattern_; }
  bool empty() const { return pattern_.empty(); }

  // The pattern against exactly this string, segment by segment.
  bool matches(std::string_view path) const;
  // The rule's view of a file: its absolute path and, when known and
  // different, the path as written (may be empty). See the header comment.
  bool matches_file(std::string_view absolute, std::string_view as_written = {}) const;

 private:
  std::string pattern_;
  std::vector<std::string> segments_;
  bool basename_pattern_ = false;  // no '/' in the pattern
};

}  // namespace faultbox::engine

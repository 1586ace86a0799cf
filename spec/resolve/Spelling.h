// "Did you mean ...?" suggestions: the candidate nearest to a misspelled
// name by edit distance, as starlark-go's internal/spell package picks it
// (case and underscores ignored, at most half the letters wrong, ties go to
// the alphabetically first candidate). Used by the resolver for undefined
// names and available to the evaluator for unknown fields and load names.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultbox::star {

// Incremental form: feed candidates in any order, read best() at the end.
class NearestName {
 public:
  explicit NearestName(std::string_view misspelled);
  void consider(std::string_view candidate);
  // The same, for a candidate already passed through fold() (faster when
  // one list of candidates serves many misspellings).
  void consider_folded(std::string_view candidate, std::string_view folded);
  // Case-folds and drops underscores, as the comparison does.
  static void fold(std::string_view name, std::string& out);
  // The chosen candidate, or "" if none was close enough.
  const std::string& best() const { return best_; }

 private:
  std::string folded_;  // the misspelled name, folded
  std::string best_;
  int best_distance_;   // a candidate must be strictly closer than this
  std::string scratch_;
  std::vector<int> row_;
};

// The candidate nearest to `misspelled`, or "" if none is promising.
std::string nearest_name(std::string_view misspelled, const std::vector<std::string>& candidates);

}  // namespace faultbox::star

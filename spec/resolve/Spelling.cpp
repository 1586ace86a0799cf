#include "spec/resolve/Spelling.h"

#include <algorithm>
#include <cstdlib>

namespace faultbox::star {
namespace {

// Spelling mistakes rarely involve case or underscores, so both are ignored
// when measuring the distance (ASCII letters only are case-folded).
void fold_name(std::string_view s, std::string& out) {
  out.clear();
  for (char c : s) {
    if (c == '_') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
  }
}

// Levenshtein distance between byte strings, computed with a single row.
// Once every entry of a row exceeds `max` the exact value no longer matters,
// so the function returns early with some value > max.
int bounded_distance(std::string_view x, std::string_view y, int max, std::vector<int>& row) {
  if (x.size() > y.size()) std::swap(x, y);
  // A shared prefix costs nothing.
  size_t common = 0;
  while (common < x.size() && x[common] == y[common]) ++common;
  x.remove_prefix(common);
  y.remove_prefix(common);
  if (x.empty()) return static_cast<int>(y.size());
  int divergence = static_cast<int>(y.size() - x.size());
  if (divergence > max) return divergence;

  row.resize(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= x.size(); ++i) {
    int prev = row[0];  // row[i-1][j-1]
    row[0] = static_cast<int>(i);
    int row_best = row[0];
    for (size_t j = 1; j <= y.size(); ++j) {
      int substitution = prev + (x[i - 1] != y[j - 1] ? 1 : 0);
      int deletion = row[j - 1] + 1;
      int insertion = row[j] + 1;
      int d = std::min(substitution, std::min(deletion, insertion));
      prev = row[j];
      row[j] = d;
      row_best = std::min(row_best, d);
    }
    if (row_best > max) return row_best;
  }
  return row[y.size()];
}

}  // namespace

void NearestName::fold(std::string_view name, std::string& out) { fold_name(name, out); }

NearestName::NearestName(std::string_view misspelled) {
  fold_name(misspelled, folded_);
  best_distance_ = static_cast<int>(folded_.size() + 1) / 2;  // allow up to 50% typos
}

void NearestName::consider(std::string_view candidate) {
  fold_name(candidate, scratch_);
  consider_folded(candidate, scratch_);
}

void NearestName::consider_folded(std::string_view candidate, std::string_view folded) {
  // The distance is at least the difference in length.
  size_t a = folded.size(), b = folded_.size();
  if ((a > b ? a - b : b - a) > static_cast<size_t>(best_distance_)) return;
  int d = bounded_distance(folded_, folded, best_distance_, row_);
  // starlark-go scans the sorted candidates and keeps the first strictly
  // better one: among equally near candidates the smallest name wins.
  if (d < best_distance_ || (d == best_distance_ && !best_.empty() && candidate < best_)) {
    best_distance_ = d;
    best_.assign(candidate);
  }
}

std::string nearest_name(std::string_view misspelled, const std::vector<std::string>& candidates) {
  NearestName nearest(misspelled);
  for (const auto& c : candidates) nearest.consider(c);
  return nearest.best();
}

}  // namespace faultbox::star

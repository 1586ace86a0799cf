#include "spec/vocabulary/CloseMatches.h"

#include <algorithm>
#include <cctype>

namespace faultbox::star {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> close_matches(std::string_view name, const std::vector<std::string>& candidates,
                                       size_t max) {
  std::string key = lower(name);
  size_t limit = std::max<size_t>(2, key.size() / 3);
  struct Scored {
    size_t score;
    std::string name;
  };
  std::vector<Scored> scored;
  for (const std::string& c : candidates) {
    std::string lc = lower(c);
    size_t d = edit_distance(key, lc);
    if (d <= limit) {
      scored.push_back({d, c});
    } else if (key.size() >= 3 && (lc.find(key) != std::string::npos || key.find(lc) != std::string::npos)) {
      scored.push_back({limit + 1 + (lc.size() > key.size() ? lc.size() - key.size() : key.size() - lc.size()), c});
    }
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score < b.score : a.name < b.name;
  });
  std::vector<std::string> out;
  for (auto& s : scored) {
    if (out.size() == max) break;
    if (std::find(out.begin(), out.end(), s.name) == out.end()) out.push_back(s.name);
  }
  return out;
}

std::string or_list(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace faultbox::star

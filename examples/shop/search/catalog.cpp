#include "catalog.h"

#include <algorithm>
#include <cctype>

namespace shop {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> words(std::string_view query) {
  std::vector<std::string> out;
  std::string word;
  for (char c : query) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) out.push_back(std::move(word));
  return out;
}

int score(const Product& p, const std::vector<std::string>& query_words) {
  std::string sku = lower(p.sku), name = lower(p.name);
  int hits = 0;
  for (const auto& w : query_words) {
    bool tag = std::find(p.tags.begin(), p.tags.end(), w) != p.tags.end();
    if (tag || sku.find(w) != std::string::npos || name.find(w) != std::string::npos)
      ++hits;
  }
  return hits;
}

}  // namespace

Catalog::Catalog()
    : products_{
          {"TSHIRT", "Faultbox T-shirt", 1900, {"apparel", "cotton"}},
          {"HOODIE", "Chaos hoodie", 4900, {"apparel", "cotton"}},
          {"SOCKS", "Retry socks (3 pairs)", 1200, {"apparel"}},
          {"MUG", "Fallback mug", 1100, {"kitchen"}},
          {"WIDGET", "Idempotent widget", 2500, {"gadget"}},
          {"STICKERS", "Timeout sticker pack", 500, {"gadget", "paper"}},
          {"NOTEBOOK", "Postmortem notebook", 900, {"paper"}},
          {"CAP", "Circuit-breaker cap", 1700, {"apparel"}},
      } {}

std::vector<Product> Catalog::search(std::string_view query, size_t limit) const {
  auto query_words = words(query);
  std::vector<int> scores(products_.size(), 0);
  std::vector<std::string> matched_tags;
  for (size_t i = 0; i < products_.size(); ++i) {
    // Direct matches weigh more than any number of related ones.
    scores[i] = query_words.empty() ? 1 : 100 * score(products_[i], query_words);
    if (scores[i] > 0)
      matched_tags.insert(matched_tags.end(), products_[i].tags.begin(), products_[i].tags.end());
  }
  for (size_t i = 0; i < products_.size(); ++i) {
    if (scores[i] > 0) continue;
    for (const auto& tag : products_[i].tags)
      scores[i] += static_cast<int>(std::count(matched_tags.begin(), matched_tags.end(), tag));
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < products_.size(); ++i)
    if (scores[i] > 0) order.push_back(i);
  // Stable: equal scores keep catalog order, so answers are deterministic.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  if (order.size() > limit) order.resize(limit);
  std::vector<Product> out;
  for (size_t i : order) out.push_back(products_[i]);
  return out;
}

}  // namespace shop

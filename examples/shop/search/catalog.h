// The search service's in-memory catalog. Small and fixed: the demo needs a
// real HTTP dependency for checkout, not a real search engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace shop {

struct Product {
  std::string sku;
  std::string name;
  int price_cents = 0;
  std::vector<std::string> tags;
};

class Catalog {
 public:
  Catalog();  // the built-in products

  // Products matching any word of `query` (case-insensitive: a word inside
  // the sku or name, or equal to a tag), best matches first, then products
  // sharing a tag with a match ("related"), at most `limit` in all.
  // An empty query lists the catalog (what "popular items" would be).
  std::vector<Product> search(std::string_view query, size_t limit) const;

 private:
  std::vector<Product> products_;
};

}  // namespace shop

// The api's client for the search service. Search only adds recommendations
// to a checkout, so it gets a short budget: a slow or dead search must cost a
// checkout at most about a second, never fail it.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace shop {

struct SearchAnswer {
  bool ok = false;
  nlohmann::json results = nlohmann::json::array();  // as search sent them
  std::string error;                                 // why not ok
  long long elapsed_ms = 0;
};

class SearchClient {
 public:
  // `base_url` like "http://localhost:9200" (SEARCH_URL). `timeout` is used
  // for the connect and for each read and write.
  SearchClient(std::string base_url, std::chrono::milliseconds timeout);

  SearchAnswer search(const std::string& query, int limit) const;

 private:
  std::string base_url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace shop

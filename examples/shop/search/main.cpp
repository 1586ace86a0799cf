// shop-search: the demo's search service. GET /health, GET /search?q=&limit=
// over a small in-memory catalog. The api calls it during checkout, which is
// what makes "search is slow" a failure mode worth testing.
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "common/service.h"
#include "catalog.h"

int main(int argc, char** argv) {
  shop::init_process();
  auto where = shop::listen_address(argc, argv, 9200);
  const shop::Catalog catalog;

  httplib::Server server;
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    shop::reply(res, 200, {{"status", "ok"}});
  });
  server.Get("/search", [&catalog](const httplib::Request& req, httplib::Response& res) {
    size_t limit = 10;
    if (req.has_param("limit")) {
      std::string text = req.get_param_value("limit");
      char* end = nullptr;
      long value = std::strtol(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || value < 1 || value > 50) {
        shop::reply(res, 400, {{"error", "limit must be an integer from 1 to 50"}});
        return;
      }
      limit = static_cast<size_t>(value);
    }
    std::string query = req.get_param_value("q");
    nlohmann::json results = nlohmann::json::array();
    for (const auto& p : catalog.search(query, limit))
      results.push_back({{"sku", p.sku}, {"name", p.name}, {"price_cents", p.price_cents}});
    shop::reply(res, 200, {{"query", query}, {"results", results}});
  });
  return shop::serve(server, where, "shop-search");
}

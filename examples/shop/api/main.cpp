// shop-api: the demo's public service. A cart kept in Redis (with a local
// fallback), a checkout that asks the search service for recommendations,
// and an order log on disk. Each dependency can fail without turning into a
// 500: that is what the faultbox spec in ../faultbox.star verifies.
//
// Environment: PORT (8080), HOST (0.0.0.0), REDIS_ADDR (localhost:6379),
// REDIS_TIMEOUT_MS (1000), SEARCH_URL (http://localhost:9200),
// SEARCH_TIMEOUT_MS (1000), ORDERS_FILE (./orders.log).
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "common/service.h"
#include "cart_store.h"
#include "orders.h"
#include "redis_client.h"
#include "search_client.h"

namespace {

using nlohmann::json;

std::chrono::milliseconds env_ms(const char* name, int fallback) {
  std::string text = shop::env_or(name, std::to_string(fallback));
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || value <= 0) {
    shop::log("ignoring %s=%s (want a positive number of ms)", name, text.c_str());
    value = fallback;
  }
  return std::chrono::milliseconds(value);
}

// The request's JSON object, or nullopt after answering 400.
std::optional<json> json_body(const httplib::Request& req, httplib::Response& res) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    shop::reply(res, 400, {{"error", "body must be a JSON object"}});
    return std::nullopt;
  }
  return body;
}

// A non-empty string field, or nullopt after answering 400.
std::optional<std::string> string_field(const json& body, const char* name,
                                        httplib::Response& res) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    shop::reply(res, 400, {{"error", std::string("\"") + name + "\" must be a non-empty string"}});
    return std::nullopt;
  }
  return it->get<std::string>();
}

// One cart per client, named by the X-Cart-Id header ("default" without it).
std::optional<std::string> cart_id(const httplib::Request& req, httplib::Response& res) {
  std::string id = req.get_header_value("X-Cart-Id");
  if (id.empty()) return "default";
  bool ok = id.size() <= 64;
  for (char c : id) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok) {
    shop::reply(res, 400, {{"error", "X-Cart-Id: up to 64 letters, digits, - or _"}});
    return std::nullopt;
  }
  return id;
}

std::string new_order_id() {
  static std::atomic<unsigned> counter{0};
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return "ord-" + std::to_string(ms) + "-" + std::to_string(++counter);
}

json items_json(const shop::CartItems& items) {
  json out = json::array();
  for (const auto& [sku, qty] : items) out.push_back({{"sku", sku}, {"qty", qty}});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  shop::init_process();
  auto where = shop::listen_address(argc, argv, 8080);
  const std::string orders_file = shop::env_or("ORDERS_FILE", "./orders.log");

  shop::RedisClient redis(shop::env_or("REDIS_ADDR", "localhost:6379"),
                          env_ms("REDIS_TIMEOUT_MS", 1000));
  shop::CartStore carts(redis);
  const shop::SearchClient search(shop::env_or("SEARCH_URL", "http://localhost:9200"),
                                  env_ms("SEARCH_TIMEOUT_MS", 1000));
  redis.connect_early();

  httplib::Server server;

  // Liveness only: the api is useful without Redis or search, so neither
  // decides whether it is healthy.
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    shop::reply(res, 200, {{"status", "ok"}});
  });

  server.Post("/cart/add", [&](const httplib::Request& req, httplib::Response& res) {
    auto id = cart_id(req, res);
    if (!id) return;
    auto body = json_body(req, res);
    if (!body) return;
    auto sku = string_field(*body, "sku", res);
    if (!sku) return;
    long long qty = 1;
    if (body->contains("qty")) {
      const json& q = (*body)["qty"];
      if (!q.is_number_integer() || q.get<long long>() < 1 || q.get<long long>() > 1000) {
        shop::reply(res, 400, {{"error", "\"qty\" must be an integer from 1 to 1000"}});
        return;
      }
      qty = q.get<long long>();
    }
    auto added = carts.add(*id, *sku, qty);
    json out = {{"sku", *sku}, {"qty", added.qty}, {"source", added.source}};
    if (!added.fallback.empty()) out["fallback"] = "redis unavailable: " + added.fallback;
    shop::reply(res, 200, out);
  });

  server.Get("/cart", [&](const httplib::Request& req, httplib::Response& res) {
    auto id = cart_id(req, res);
    if (!id) return;
    std::string error;
    auto cart = carts.get(*id, error);
    if (!cart) {
      shop::reply(res, 503, {{"error", "cart unavailable: " + error}});
      return;
    }
    json out = {{"cart", *id}, {"items", items_json(cart->items)}, {"source", cart->source}};
    if (!cart->fallback.empty()) out["fallback"] = "redis unavailable: " + cart->fallback;
    shop::reply(res, 200, out);
  });

  // Checkout: read the cart (Redis, else the local copy), ask search for
  // recommendations (optional: a failure only empties them), confirm, clear.
  server.Post("/checkout", [&](const httplib::Request& req, httplib::Response& res) {
    auto id = cart_id(req, res);
    if (!id) return;
    auto body = json_body(req, res);
    if (!body) return;
    auto payment = string_field(*body, "payment", res);
    if (!payment) return;

    std::string error;
    auto cart = carts.get(*id, error);
    if (!cart) {
      // Redis is unreachable and this process never saw the cart: the one
      // honest answer is "try again later", not an internal error.
      shop::reply(res, 503, {{"error", "cart unavailable: " + error}});
      return;
    }

    std::string query;
    for (const auto& [sku, qty] : cart->items) query += (query.empty() ? "" : " ") + sku;
    auto found = search.search(query, static_cast<int>(cart->items.size()) + 3);
    json recommendations = json::array();
    for (const auto& r : found.results) {
      bool in_cart = r.contains("sku") && r["sku"].is_string() &&
                     cart->items.count(r["sku"].get<std::string>()) > 0;
      if (!in_cart && recommendations.size() < 3) recommendations.push_back(r);
    }
    json search_note = found.ok ? json("ok") : json("skipped: " + found.error);
    if (!found.ok)
      shop::log("checkout: no recommendations after %lld ms: %s", found.elapsed_ms,
                found.error.c_str());

    if (cart->items.empty()) {
      shop::reply(res, 400, {{"error", "cart is empty"},
                             {"recommendations", recommendations},
                             {"search", search_note}});
      return;
    }

    json out = {{"order_id", new_order_id()},
                {"status", "confirmed"},
                {"payment", *payment},
                {"items", items_json(cart->items)},
                {"cart_source", cart->source},
                {"recommendations", recommendations},
                {"search", search_note}};
    if (!cart->fallback.empty()) out["fallback"] = "redis unavailable, used the local store: " + cart->fallback;
    std::string not_cleared = carts.clear(*id, cart->source == "redis");
    if (!not_cleared.empty()) out["warning"] = not_cleared;
    shop::reply(res, 200, out);
  });

  // Orders go to a file, durably. A full disk is the customer-facing case:
  // 507 with a message that says so, not a bare "internal error".
  server.Post("/orders", [&](const httplib::Request& req, httplib::Response& res) {
    auto body = json_body(req, res);
    if (!body) return;
    auto item = string_field(*body, "item", res);
    if (!item) return;
    json order = {{"order_id", new_order_id()}, {"item", *item}};
    auto written = shop::append_durably(orders_file, order.dump());
    if (written.err == 0) {
      shop::reply(res, 201, order);
      return;
    }
    shop::log("orders: %s %s: %s", written.step.c_str(), orders_file.c_str(),
              std::strerror(written.err));
    if (shop::is_disk_full(written.err)) {
      std::string why = written.err == ENOSPC ? "no space left on device" : "disk quota exceeded";
      shop::reply(res, 507, {{"error", "disk full: " + why + " (order not saved)"},
                             {"errno", written.err == ENOSPC ? "ENOSPC" : "EDQUOT"}});
      return;
    }
    shop::reply(res, 500, {{"error", "cannot save order: " + written.step + ": " +
                                         std::strerror(written.err)}});
  });

  return shop::serve(server, where, "shop-api");
}

// Carts: Redis first, a local in-process store when Redis cannot answer.
// The local store is a write-through mirror of what this process saw, so a
// cart added while Redis was up can still be checked out after it died.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "redis_client.h"

namespace shop {

using CartItems = std::map<std::string, long long>;  // sku -> quantity

struct Cart {
  CartItems items;
  std::string source;    // "redis" or "local"
  std::string fallback;  // why the local store answered; empty for Redis
};

class CartStore {
 public:
  explicit CartStore(RedisClient& redis) : redis_(redis) {}

  // Adds `qty` of `sku`; returns the cart line's new quantity and its source.
  struct Added {
    long long qty = 0;
    std::string source, fallback;
  };
  Added add(const std::string& cart_id, const std::string& sku, long long qty);

  // The cart, or nullopt when Redis is unreachable and this process holds no
  // copy of it (then the caller can only answer 503).
  std::optional<Cart> get(const std::string& cart_id, std::string& error);

  // Empties the cart; returns a note when Redis was not cleared. `in_redis`:
  // whether this request just read the cart from Redis; if it had to fall
  // back, Redis is not tried again (that would only add another timeout).
  std::string clear(const std::string& cart_id, bool in_redis);

 private:
  static std::string key(const std::string& cart_id) { return "cart:" + cart_id; }

  RedisClient& redis_;
  std::mutex mu_;  // guards local_
  std::map<std::string, CartItems> local_;
};

}  // namespace shop

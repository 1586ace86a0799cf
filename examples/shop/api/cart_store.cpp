#include "cart_store.h"

#include "common/service.h"

namespace shop {

CartStore::Added CartStore::add(const std::string& cart_id, const std::string& sku,
                                long long qty) {
  std::string error;
  auto in_redis = redis_.hincrby(key(cart_id), sku, qty, error);
  std::lock_guard lock(mu_);
  auto& line = local_[cart_id][sku];
  if (in_redis) {
    line = *in_redis;  // Redis is the truth while it answers
    return {line, "redis", ""};
  }
  log("cart %s: redis failed (%s); kept in the local store", cart_id.c_str(), error.c_str());
  line += qty;
  return {line, "local", error};
}

std::optional<Cart> CartStore::get(const std::string& cart_id, std::string& error) {
  auto in_redis = redis_.hgetall(key(cart_id), error);
  std::lock_guard lock(mu_);
  if (in_redis) {
    local_[cart_id] = *in_redis;
    return Cart{*in_redis, "redis", ""};
  }
  auto it = local_.find(cart_id);
  if (it == local_.end()) {
    log("cart %s: redis failed (%s) and no local copy", cart_id.c_str(), error.c_str());
    return std::nullopt;
  }
  log("cart %s: redis failed (%s); answered from the local store", cart_id.c_str(),
      error.c_str());
  return Cart{it->second, "local", error};
}

std::string CartStore::clear(const std::string& cart_id, bool in_redis) {
  {
    std::lock_guard lock(mu_);
    local_[cart_id].clear();  // known empty, so a later read during an outage is right
  }
  if (!in_redis) return "cart not cleared in redis (unavailable)";
  std::string error;
  if (redis_.del(key(cart_id), error)) return "";
  log("cart %s: could not clear it in redis: %s", cart_id.c_str(), error.c_str());
  return "cart not cleared in redis: " + error;
}

}  // namespace shop

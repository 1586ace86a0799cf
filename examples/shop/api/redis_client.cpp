#include "redis_client.h"

#include <sys/time.h>

#include <cerrno>
#include <cstdlib>

#include "common/service.h"

namespace shop {
namespace {

// Longer than one request's worst case (a Redis timeout plus a search
// timeout), so a request that saw Redis fail does not pay for it twice.
constexpr auto kReconnectBackoff = std::chrono::seconds(3);

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string context_error(const redisContext* ctx) {
  if (ctx == nullptr) return "out of memory";
  return ctx->errstr[0] != '\0' ? ctx->errstr : "unknown error";
}

}  // namespace

RedisClient::RedisClient(const std::string& address, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
  // "host:port", "[v6]:port" or just "host".
  auto colon = address.rfind(':');
  bool bracketed = !address.empty() && address.front() == '[';
  if (colon != std::string::npos && (!bracketed || address[colon - 1] == ']')) {
    host_ = address.substr(0, colon);
    port_ = std::atoi(address.c_str() + colon + 1);
  } else {
    host_ = address;
  }
  if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']')
    host_ = host_.substr(1, host_.size() - 2);
  if (host_.empty()) host_ = "localhost";
  if (port_ <= 0 || port_ > 65535) port_ = 6379;
}

RedisClient::~RedisClient() {
  if (ctx_ != nullptr) redisFree(ctx_);
}

void RedisClient::connect_early() {
  std::lock_guard lock(mu_);
  std::string error;
  ensure_connected(error, false);  // a failure is already logged
  // Redis may simply not be up yet (services start together): the first
  // request must try again rather than wait out a back-off.
  retry_after_ = {};
}

bool RedisClient::ensure_connected(std::string& error, bool ignore_backoff) {
  if (ctx_ != nullptr) return true;
  auto now = std::chrono::steady_clock::now();
  if (!ignore_backoff && now < retry_after_) {
    error = last_error_ + " (not reconnecting yet)";
    return false;
  }
  timeval tv = to_timeval(timeout_);
  redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, tv);
  if (c == nullptr || c->err != 0) {
    last_error_ =
        "cannot connect to redis at " + host_ + ":" + std::to_string(port_) + ": " +
        context_error(c);
    if (c != nullptr) redisFree(c);
    retry_after_ = now + kReconnectBackoff;
    log("redis: %s", last_error_.c_str());
    error = last_error_;
    return false;
  }
  redisSetTimeout(c, tv);
  redisEnableKeepAlive(c);
  ctx_ = c;
  // Named, so `redis-cli CLIENT LIST` shows which connection is the api's.
  Reply named(static_cast<redisReply*>(redisCommand(c, "CLIENT SETNAME shop-api")));
  if (!named) {
    error = "redis connection failed during setup: " + context_error(c);
    drop(error);
    return false;
  }
  log("redis: connected to %s:%d", host_.c_str(), port_);
  return true;
}

void RedisClient::drop(const std::string& why) {
  if (ctx_ == nullptr) return;
  log("redis: dropping the connection: %s", why.c_str());
  redisFree(ctx_);
  ctx_ = nullptr;
  retry_after_ = std::chrono::steady_clock::now() + kReconnectBackoff;
  last_error_ = why;
}

RedisClient::Reply RedisClient::command(const std::vector<std::string>& argv,
                                        bool idempotent, std::string& error) {
  std::vector<const char*> args;
  std::vector<size_t> lens;
  for (const auto& a : argv) {
    args.push_back(a.data());
    lens.push_back(a.size());
  }
  std::lock_guard lock(mu_);
  std::string first_failure;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = ctx_ != nullptr;
    if (!ensure_connected(error, attempt > 0)) {
      if (!first_failure.empty()) error = first_failure + "; then " + error;
      return nullptr;
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        ctx_, static_cast<int>(args.size()), args.data(), lens.data()));
    if (raw == nullptr) {
      // hiredis leaves errno as the failed read/write set it.
      int saved_errno = errno;
      bool closed_under_us =
          ctx_->err == REDIS_ERR_EOF ||
          (ctx_->err == REDIS_ERR_IO && (saved_errno == ECONNRESET || saved_errno == EPIPE));
      // The connection is unusable after an I/O or protocol error.
      error = "redis connection failed: " + context_error(ctx_);
      drop(error);
      if (idempotent && reused && closed_under_us && attempt == 0) {
        first_failure = error;
        continue;
      }
      if (!first_failure.empty()) error = first_failure + "; then " + error;
      return nullptr;
    }
    Reply reply(raw);
    if (reply->type == REDIS_REPLY_ERROR) {
      error = "redis error: " + std::string(reply->str, reply->len);
      return nullptr;
    }
    return reply;
  }
  return nullptr;  // not reached: the second attempt always returns
}

std::optional<long long> RedisClient::hincrby(const std::string& key,
                                              const std::string& field, long long by,
                                              std::string& error) {
  Reply r = command({"HINCRBY", key, field, std::to_string(by)}, false, error);
  if (!r) return std::nullopt;
  if (r->type != REDIS_REPLY_INTEGER) {
    error = "redis: unexpected reply type to HINCRBY";
    return std::nullopt;
  }
  return r->integer;
}

std::optional<std::map<std::string, long long>> RedisClient::hgetall(const std::string& key,
                                                                    std::string& error) {
  Reply r = command({"HGETALL", key}, true, error);
  if (!r) return std::nullopt;
  if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
    error = "redis: unexpected reply type to HGETALL";
    return std::nullopt;
  }
  std::map<std::string, long long> out;
  for (size_t i = 0; i + 1 < r->elements; i += 2) {
    const redisReply* field = r->element[i];
    const redisReply* value = r->element[i + 1];
    if (field->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING) {
      error = "redis: unexpected element in HGETALL reply";
      return std::nullopt;
    }
    out[std::string(field->str, field->len)] =
        std::strtoll(std::string(value->str, value->len).c_str(), nullptr, 10);
  }
  return out;
}

bool RedisClient::del(const std::string& key, std::string& error) {
  return command({"DEL", key}, true, error) != nullptr;
}

}  // namespace shop

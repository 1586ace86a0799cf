// The api's Redis connection: hiredis with ONE connection kept open between
// requests, as real clients do. That matters for the demo: "Redis is down"
// must break a connection the api already holds, not only new connects.
#pragma once

#include <hiredis.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace shop {

class RedisClient {
 public:
  // `address` is "host:port" (REDIS_ADDR). `timeout` bounds the connect and
  // every command (hiredis sets SO_RCVTIMEO/SO_SNDTIMEO), so a hung Redis
  // costs a request at most that long before it falls back.
  RedisClient(const std::string& address, std::chrono::milliseconds timeout);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Opens the connection now if it can; failure is only logged (Redis may
  // come up later, and the api works without it).
  void connect_early();

  // Each call returns nullopt when Redis is unreachable or the command failed,
  // with the cause in `error`. None of them throws.
  std::optional<long long> hincrby(const std::string& key, const std::string& field,
                                   long long by, std::string& error);
  std::optional<std::map<std::string, long long>> hgetall(const std::string& key,
                                                          std::string& error);
  bool del(const std::string& key, std::string& error);

 private:
  struct ReplyDeleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

  // Runs one command on the shared connection (serialized by mu_).
  // `idempotent`: when a connection opened by an earlier request turns out to
  // be closed or reset (Redis restarted, an idle timeout), the command is
  // retried once on a fresh connection at once. A non-idempotent command is
  // not retried: it may have been applied before the reply was lost.
  Reply command(const std::vector<std::string>& argv, bool idempotent, std::string& error);
  // With mu_ held. Connects unless a recent failure asks to wait.
  bool ensure_connected(std::string& error, bool ignore_backoff);
  // With mu_ held. Closes the connection and starts the back-off.
  void drop(const std::string& why);

  std::string host_;
  int port_ = 6379;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
  redisContext* ctx_ = nullptr;
  // After a failure, requests skip Redis for a short while instead of each
  // paying for a new connect and timeout (a real client's reconnect back-off).
  std::chrono::steady_clock::time_point retry_after_{};
  std::string last_error_;
};

}  // namespace shop

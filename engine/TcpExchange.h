// One raw TCP exchange on the run's EventLoop: the `svc.<iface>.send(data)`
// step (DESIGN.md §2). Connect (non-blocking), send every byte, then read
// the reply until the peer closes, the reply goes quiet for `idle_gap`, or
// the timeout ends the whole exchange.
//
// Why an idle gap: a raw TCP peer has no framing faultbox could know (an
// echo server never closes on its own), so "the reply" is what arrives in
// one burst. Before the first byte faultbox waits up to the timeout — a slow
// server is what fault tests look for; after it, a quiet `idle_gap` ends it.
//
// The socket is made inside the run's network namespace (socket_in), where
// the services listen; seccomp never sees it, so the caller applies connect
// denies itself (FaultRules::decide_unintercepted_connect) before starting.
//
// RAII: destroying the exchange (finished or not) stops watching, cancels
// its timers and closes the socket; the callback is never called after that.
// With a DeliveryWatch the socket is registered there while open and handed
// to it at the end (shut down for writing, kept until the FIN and every
// byte are acknowledged), so a serialized run's quiescence waits for the
// request and the FIN to land, as it does for HTTP steps.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/EventLoop.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

class DeliveryWatch;
class NetworkNamespace;

struct TcpExchangeResult {
  bool ok = false;      // connected and every byte sent
  std::string error;    // one line, when !ok
  std::string reply;    // the bytes read (also when the timeout cut it short)
  int64_t duration_ms = 0;  // until the peer closed, or the last byte when the reply went quiet
};

struct TcpExchangeRequest {
  std::string ip = "127.0.0.1";  // numeric IPv4
  uint16_t port = 0;
  std::string data;
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds idle_gap{200};
};

class TcpExchange {
 public:
  using Done = std::function<void(TcpExchangeResult)>;

  // Starts at once; `done` runs once, on the loop, when the exchange ends —
  // never inside this constructor (a failure to start is reported from a
  // deferred task), so the caller can store the object first. `netns` may
  // be null (the calling thread's own namespace: --network host), and so
  // may `delivery` (the socket is then simply closed). `loop`, `netns` and
  // `delivery` must outlive this object.
  TcpExchange(EventLoop& loop, const NetworkNamespace* netns, DeliveryWatch* delivery, TcpExchangeRequest request,
              Done done);
  ~TcpExchange();
  TcpExchange(const TcpExchange&) = delete;
  TcpExchange& operator=(const TcpExchange&) = delete;
  // The socket's local port once it is bound (connect started); nullopt
  // before or after. The trace pairs the service's receive with it.
  std::optional<uint16_t> local_port() const;

 private:
  enum class Phase { Connecting, Sending, Reading, Done };

  void start();
  void on_event(uint32_t events);
  void on_connected();
  void send_more();
  void read_more();
  void arm_idle();
  void on_deadline();
  void finish(bool ok, std::string error);
  void stop_io();

  EventLoop& loop_;
  const NetworkNamespace* netns_;
  DeliveryWatch* delivery_;
  TcpExchangeRequest request_;
  Done done_;
  UniqueFd sock_;
  Phase phase_ = Phase::Connecting;
  size_t sent_ = 0;
  std::string reply_;
  EventLoop::Clock::time_point started_;
  EventLoop::Clock::time_point last_data_;  // when the last reply bytes arrived
  bool ended_by_idle_ = false;
  EventLoop::TimerId deadline_ = 0;
  EventLoop::TimerId idle_ = 0;
  // Shared with deferred tasks, which may run after this object is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace faultbox::engine

#include "engine/EngineHost.h"

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>

#include "engine/ContainerSession.h"
#include "engine/DockerClient.h"
#include "engine/ServicePaths.h"
#include "engine/SocketAddress.h"
#include "engine/TcpExchange.h"
#include "spec/eval/Thread.h"

namespace faultbox::engine {

namespace {

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

Run& EngineHost::run() {
  if (!run_) throw star::HostError("no run is active: steps and faults work inside test functions only");
  return *run_;
}

Driver& EngineHost::driver() {
  // The runner always runs test bodies on the driver; anything else is a
  // wiring mistake, not the spec's.
  if (!driver_ || !driver_->in_fiber())
    throw std::logic_error("EngineHost: steps and parallel() must run on a driver fiber");
  return *driver_;
}

void EngineHost::topology_ready(const star::Topology& topology) {
  topology_ = &topology;
  for (const star::ServiceSpec& s : topology.services) {
    if (s.binary.empty()) continue;  // image= services: checked below
    std::string path = resolve_binary(spec_dir_, s.binary);
    std::string why = unusable_binary(path);
    if (!why.empty())
      throw TopologyEnvironmentError("service " + s.name + ": cannot start " + path + ": " + lower_first(why) +
                                     " (declared at " + s.declared_at.str() + ")");
  }
  if (std::string mixed = mixed_modes(topology); !mixed.empty()) throw TopologyEnvironmentError(mixed);
  // Container mode: the daemon and every image, before any test starts
  // (never a pull: a missing image is named).
  image_ids_.clear();
  if (!any_container(topology)) return;
  const char* docker_host = std::getenv("DOCKER_HOST");
  try {
    DockerClient docker = DockerClient::connect(docker_host ? docker_host : "");
    for (const star::ServiceSpec& s : topology.services) {
      std::optional<DockerImage> image = docker.inspect_image(s.image);
      if (!image)
        throw TopologyEnvironmentError("service " + s.name + ": image " + s.image +
                                       " is not present locally (faultbox never pulls: build or load it first; "
                                       "declared at " + s.declared_at.str() + ")");
      image_ids_[s.name] = image->id;
    }
  } catch (const DockerError& e) {
    throw TopologyEnvironmentError(e.what());
  }
}

star::InterfaceAddress EngineHost::address(const star::ServiceSpec& service, const star::InterfaceSpec& iface) {
  if (!service.image.empty()) return {service.name, iface.port};
  return {"localhost", iface.port};
}

star::StepResponse EngineHost::step(star::Thread& t, const star::StepRequest& request) {
  star::StepResponse out = perform_step(t, request);
  // The response is the driver's receive: in the trace it merges what the
  // service sent (DESIGN.md §6).
  if (decisions_ && driver_ && driver_->in_fiber())
    decisions_->step_finished(driver_->current_name(), request.service + "." + request.interface,
                              out.status ? "status " + std::to_string(out.status)
                              : out.ok   ? std::string("ok")
                                         : "error " + (out.error.empty() ? std::string("-") : out.error));
  return out;
}

star::StepResponse EngineHost::perform_step(star::Thread& t, const star::StepRequest& request) {
  (void)t;
  Run& r = run();
  Driver& d = driver();
  if (request.protocol != "http" && request.protocol != "tcp")
    throw star::HostError("steps on a " + request.protocol + " interface are not supported (http and tcp only)");
  const star::ServiceSpec* service = topology_ ? topology_->find_service(request.service) : nullptr;
  const star::InterfaceSpec* iface = service ? service->find_interface(request.interface) : nullptr;
  if (!iface) throw star::HostError("unknown interface " + request.service + "." + request.interface);
  const uint16_t port = static_cast<uint16_t>(iface->port);

  // From here on the step is an event: in a serialized run it waits here
  // until the scheduler picks it, so even the connect decision below (nth=
  // counts) happens in the scheduler's order.
  StepIntent intent;
  intent.method = request.method;
  intent.target = request.service + "." + request.interface;
  if (request.protocol == "http") intent.path = request.path.empty() ? "/" : request.path;
  intent.at = request.at.str();
  d.before_step(intent);

  star::StepResponse out;
  // seccomp never sees faultbox's own connects: a connect deny on the
  // service must refuse them here, or the driver would reach a "down" service.
  int64_t frozen_ms = 0;
  if (auto dst = SocketAddress::from_numeric("127.0.0.1", port)) {
    FaultOutcome o = r.rules().decide_unintercepted_connect(*dst);
    if (o.kind == FaultOutcome::Kind::Fail) {
      out.ok = false;
      out.error = lower_first(std::strerror(o.err)) + (o.label.empty() ? "" : " (fault: " + o.label + ")");
      return out;
    }
    if (o.kind == FaultOutcome::Kind::ContinueAfter) {
      // --network host: no SYN queue holds the driver's SYN, so its connect
      // is frozen as a service's would be — the whole delay before the
      // request starts, the loop still answering the services meanwhile.
      // FaultRules already counted it as a hit delayed by freezing.
      auto until = EventLoop::Clock::now() + std::chrono::nanoseconds(o.delay_ns);
      d.wait_until([] { return false; }, until);
      frozen_ms = o.delay_ns / 1000000;
    }
  }

  if (request.protocol == "tcp") {
    out = tcp_step(r, d, request, port);
    out.duration_ms += frozen_ms;
    return out;
  }

  HttpRequest req;
  req.method = request.method;
  // Services share the namespace's loopback; IPv4 because the services a
  // spec names are reached there (an IPv6-first "localhost" would cost a
  // refused attempt per step against IPv4-only listeners).
  req.url = "http://127.0.0.1:" + std::to_string(port) + (request.path.empty() ? "/" : request.path);
  // A container is reached at its own address; the URL (and Host header)
  // stay as the spec means them.
  if (std::string ip = r.container_ip(request.service); !ip.empty()) req.connect_to = ip + ":" + std::to_string(port);
  req.headers = request.headers;
  req.body = request.body;
  req.timeout = std::chrono::milliseconds(request.timeout_ms);

  std::optional<HttpResponse> response;
  HttpClient::RequestId id = r.http().start(std::move(req), [&response](HttpResponse resp) { response = std::move(resp); });
  InFlight in_flight(*this, d.current_name(), [&r, id] { return r.http().local_port(id); });
  try {
    // HttpClient ends the request at its timeout; the margin only guards
    // against a loop that stopped dispatching. The callback writes into
    // this fiber's stack: an abandoned run (Interrupted thrown out of the
    // wait) cancels the request before the stack unwinds.
    d.wait_until([&] { return response.has_value(); },
                 EventLoop::Clock::now() + std::chrono::milliseconds(request.timeout_ms) + std::chrono::seconds(5));
  } catch (...) {
    r.http().cancel(id);
    throw;
  }
  if (!response) {
    r.http().cancel(id);
    out.error = "no answer within " + std::to_string(request.timeout_ms) + " ms";
    return out;
  }
  out.ok = response->ok;
  out.status = response->status;
  out.body = std::move(response->body);
  for (auto& [k, v] : response->headers) out.headers.emplace_back(k, v);
  out.duration_ms = response->duration_ms + frozen_ms;
  out.error = response->error;
  return out;
}

star::StepResponse EngineHost::tcp_step(Run& r, Driver& d, const star::StepRequest& request, uint16_t port) {
  TcpExchangeRequest req;
  req.port = port;  // 127.0.0.1 for the same reason as the HTTP steps' URL
  if (std::string ip = r.container_ip(request.service); !ip.empty()) req.ip = ip;
  req.data = request.body;
  req.timeout = std::chrono::milliseconds(request.timeout_ms);
  std::optional<TcpExchangeResult> result;
  // Registered with the HTTP client's delivery watch: a serialized run waits
  // for the request and the FIN to land, as for HTTP steps.
  TcpExchange exchange(r.loop(), r.netns(), &r.http().delivery(), std::move(req),
                       [&result](TcpExchangeResult res) { result = std::move(res); });
  InFlight in_flight(*this, d.current_name(), [&exchange] { return exchange.local_port(); });
  // The exchange ends itself at its timeout; the margin only guards against
  // a loop that stopped dispatching. Interrupted propagates; the exchange's
  // destructor closes the socket.
  d.wait_until([&] { return result.has_value(); },
               EventLoop::Clock::now() + std::chrono::milliseconds(request.timeout_ms) + std::chrono::seconds(5));
  star::StepResponse out;
  if (!result) {
    out.error = "no answer within " + std::to_string(request.timeout_ms) + " ms";
    return out;
  }
  out.ok = result->ok;
  out.error = std::move(result->error);
  out.body = std::move(result->reply);
  out.duration_ms = result->duration_ms;
  return out;
}

std::optional<std::string> EngineHost::fiber_of_local_port(uint16_t port) const {
  for (const auto& [fiber, local_port] : in_flight_)
    if (local_port() == port) return fiber;
  return std::nullopt;
}

star::Value EngineHost::with_faults(star::Thread& t, const star::FaultSpec& fault,
                                    const std::function<star::Value(star::Thread&)>& body) {
  Run& r = run();
  FaultRules::AppId app = 0;
  try {
    app = r.rules().apply(fault);
  } catch (const std::invalid_argument& e) {
    throw star::HostError(e.what());
  }
  // Connect delays are held SYNs while the body runs (DESIGN.md §3). With
  // --network host there is no queue and the rules list no wire delays
  // (FaultRules freezes the connect syscall instead).
  std::vector<std::pair<RuleRef, Run::WireDelayId>> wire;
  auto finish = [&] {
    for (const auto& [ref, id] : wire) r.rules().add_wire_hits(ref, r.remove_wire_delay(id));
    r.reports().push_back(r.rules().remove(app));
  };
  try {
    for (const FaultRules::WireDelayRule& w : r.rules().wire_delays(app))
      if (std::optional<Run::WireDelayId> id = r.add_wire_delay(w.match, w.delay)) wire.emplace_back(w.rule, *id);
    star::Value v = body(t);
    finish();
    return v;
  } catch (...) {
    finish();
    throw;
  }
}

std::vector<star::Value> EngineHost::parallel(star::Thread& t, const std::vector<star::ParallelBranch>& branches,
                                              const star::ThreadFactory& new_thread, const star::SourceLocation& at) {
  (void)t;
  (void)at;
  Driver& d = driver();
  std::vector<star::Value> results(branches.size());
  std::vector<Driver::Branch> fibers;
  fibers.reserve(branches.size());
  for (size_t i = 0; i < branches.size(); ++i) {
    // Runs on the branch's fiber, with a Thread of its own whose stack
    // check measures that fiber's stack. Everything captured lives on the
    // caller's stack, which run_branches keeps alive until every branch ended.
    fibers.push_back({branches[i].actor, [&d, &branches, &new_thread, &results, i] {
                        std::unique_ptr<star::Thread> th = new_thread(branches[i].actor);
                        d.bind_stack(*th);
                        results[i] = branches[i].run(*th);
                      }});
  }
  // Every branch runs to its end even when another failed: stopping the
  // others mid-step would leave requests whose outcome nobody sees. Then
  // the error of the first failing branch in ARGUMENT order is rethrown —
  // not the first in time — so the same interleaving reports the same
  // failure, and a replayed run reports what the recorded one did.
  // (An abandoned run — SIGINT — throws its own reason out of run_branches.)
  for (const std::exception_ptr& error : d.run_branches(std::move(fibers)))
    if (error) std::rethrow_exception(error);
  return results;
}

}  // namespace faultbox::engine

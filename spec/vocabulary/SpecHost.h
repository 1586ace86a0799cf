// SpecHost: how the spec's builtins reach whatever runs the spec (DESIGN.md
// §1). spec/ declares it, engine/ implements it; `faultbox check` uses
// CheckHost, which only validates and records. Everything crossing this
// interface is plain data plus, where Starlark must be called back, a
// callback that does it.
//
// Threads and fibers: every call passes the star::Thread of the caller. A
// host may suspend the calling fiber inside any of these calls (a step
// waiting for its HTTP response, a parallel() branch waiting for the
// others); evaluator state lives in that Thread and its fiber's stack, never
// in globals or thread_locals, so other fibers run meanwhile with their own
// Threads. Re-entrancy: with_faults() and parallel() call back into Starlark
// (the `run=` function, the branches) through the callbacks they are given,
// on the Thread the host chooses — the caller's for with_faults, a new
// Thread per fiber for parallel (make one with Spec::new_thread).
//
// Errors: a host reports a failure by throwing HostError; the builtin that
// called it turns that into a Starlark error at the call site (file:line:col
// and backtrace). Every request also carries its call site (`at`) so errors
// found later (a rule that never fired) can name the spec line.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "spec/eval/Value.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::star {

class Thread;

// A deny() or delay() rule, as written in the spec.
struct FaultRule {
  enum class Kind { Deny, Delay };
  Kind kind = Kind::Deny;
  std::string errno_name;  // Deny: "ECONNREFUSED"
  int errno_value = 0;     // Deny: its number on this machine
  int64_t delay_ns = 0;    // Delay
  std::string label;       // for reports; "" when not given
  int64_t times = -1;      // at most this many hits; -1 = unlimited
  // Triggers over the calls that matched the rule (1-based): nth= faults
  // only the Nth, after= lets the first N through. 0 = not given.
  int64_t nth = 0;
  int64_t after = 0;
  double probability = 1;  // chance that a matching call is hit, in (0, 1]
  std::string on;          // "" (what the user means, DESIGN.md §2), "file", "socket" or "any"
  std::string path;        // glob on the file path; "" = any
  SourceLocation at;       // where deny()/delay() was called

  // A rule with times=, nth=, after= or probability= is a placement rule:
  // `explore` branches on where it hits (DESIGN.md §5), and the engine
  // decides it per call.
  bool is_placement() const { return times >= 0 || nth > 0 || after > 0 || probability < 1; }
};

// One fault(target, <syscall>=rule, ..., run=fn, direction=) application.
struct FaultSpec {
  std::string target;  // service name
  // In the order written; the key is a syscall name or a family name
  // (Syscalls.h), already validated.
  std::vector<std::pair<std::string, FaultRule>> rules;
  std::string direction = "both";  // "in", "out" or "both" (connect rules)
  SourceLocation at;
};

// A driver step: svc.get/post/put/patch/delete(...) or svc.<iface>.send(data).
struct StepRequest {
  std::string service;
  std::string interface;  // the interface the step goes to
  std::string protocol;   // "http" or "tcp"
  std::string method;     // "GET", "POST", ... or "SEND"
  std::string path;       // HTTP path ("/" when not given)
  std::string body;       // request body, or the bytes to send
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t timeout_ms = 30000;
  SourceLocation at;
};

// What a step returns to Starlark (the response value's fields). A refused
// or timed-out request is a response with ok=false and error set, not a
// Starlark error.
struct StepResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  int64_t duration_ms = 0;  // wall time
  bool ok = false;          // a response arrived (any status)
  std::string error;        // why not, when !ok
};

// One branch of parallel(f1, f2, ...).
struct ParallelBranch {
  std::string actor;  // the branch's actor in traces: "test/1", "test/2", ...
  // Calls the branch's function on `t`, the Thread of the branch's fiber.
  std::function<Value(Thread&)> run;
};

// Makes a Thread for a new fiber, set up like the spec's own threads (host
// slot, print, load). The host then sets its stack bounds to the fiber's.
using ThreadFactory = std::function<std::unique_ptr<Thread>(const std::string& name)>;

// The address of a service's interface as the current mode reaches it.
struct InterfaceAddress {
  std::string host;
  int port = 0;
};

// A failure inside the host; the calling builtin reports it at its call site.
class HostError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SpecHost {
 public:
  virtual ~SpecHost() = default;

  // After the top level has been evaluated and validated. The engine checks
  // what it can (binaries exist, images present) and throws HostError.
  virtual void topology_ready(const Topology& topology) { (void)topology; }

  // svc.<iface>.addr/.host/.port. Default: localhost and the declared port.
  virtual InterfaceAddress address(const ServiceSpec& service, const InterfaceSpec& iface) {
    (void)service;
    return {"localhost", iface.port};
  }

  // Runs one step; may suspend the calling fiber until the response comes.
  virtual StepResponse step(Thread& t, const StepRequest& request) = 0;

  // Applies `fault` while `body` runs (body calls the spec's run= function
  // on the given thread and returns its result); faults nest. Returns what
  // body returned. The host removes the rules when body returns or throws.
  virtual Value with_faults(Thread& t, const FaultSpec& fault, const std::function<Value(Thread&)>& body) = 0;

  // Runs every branch concurrently, each on its own fiber with its own
  // Thread made by new_thread, and returns their results in argument order.
  // The first error of a branch is rethrown after all branches ended.
  virtual std::vector<Value> parallel(Thread& t, const std::vector<ParallelBranch>& branches,
                                      const ThreadFactory& new_thread, const SourceLocation& at) = 0;
};

}  // namespace faultbox::star

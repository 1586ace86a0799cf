// What fault matching decided for one syscall (FaultRules::decide), and
// which rule decided it. The supervisor turns it into its answer:
//
//   Allow          CONTINUE now
//   Fail           the errno now
//   ContinueAfter  CONTINUE once `delay_ns` has passed (the caller arms a
//                  timer; the thread stays parked in the notification)
//   WireDelay      CONTINUE now: the connection's SYN is held by the run's
//                  SynDelayQueue (installed when the fault started), so the
//                  caller's own connect timeout runs as on a slow network
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "engine/SeccompSupervisor.h"
#include "engine/SynDelayQueue.h"

namespace faultbox::engine {

// One rule of one fault() application: the application's id and the rule's
// position in it (the order written in the spec).
struct RuleRef {
  uint64_t app = 0;
  uint32_t index = 0;
  auto operator<=>(const RuleRef&) const = default;
};

struct FaultOutcome {
  enum class Kind { Allow, Fail, ContinueAfter, WireDelay };
  Kind kind = Kind::Allow;
  int err = 0;           // Fail
  int64_t delay_ns = 0;  // ContinueAfter, WireDelay
  SynMatch wire;         // WireDelay: the SYNs being held (for the trace)
  std::optional<RuleRef> rule;  // the rule that decided; empty for Allow
  std::string label;            // that rule's label ("" when none)
  bool cut = false;    // Fail with ECONNRESET: the connection's link is cut
  bool stale = false;  // the notification went away while we looked: Allow

  bool faulted() const { return kind != Kind::Allow; }
  // The supervisor's immediate answer. ContinueAfter must not be answered
  // before its timer: the caller handles it before asking for this.
  Decision decision() const { return kind == Kind::Fail ? Decision::fail(err) : Decision::allow(); }
};

}  // namespace faultbox::engine

// Wire-level connect delays (DESIGN.md §3, "The network"): a delayed connect
// is a held SYN, not a frozen connect() syscall, so a caller with its own
// connect timeout (non-blocking connect + poll, as Python, Go and nginx do)
// times out on time.
//
// Per run namespace there is ONE static rule, installed inside that namespace
// only (never the host's firewall):
//
//   iptables -A OUTPUT -p tcp --syn -j NFQUEUE --queue-num N --queue-bypass
//
// OUTPUT sees every locally generated SYN, which in a loopback-only namespace
// is every SYN. --queue-bypass means "accept when nobody listens", so a run
// whose queue object is gone (or not yet bound) is merely undelayed. The rule
// lives and dies with the namespace: there is nothing to remove.
//
// All policy is in userspace: a SYN matching a delay rule gets no verdict
// until its delay is up (an EventLoop timer), then NF_ACCEPT; a SYN matching
// nothing is accepted at once. A connection is identified by its 4-tuple
// plus the SYN's initial sequence number, which retransmitted SYNs repeat and
// a new connection on the same 4-tuple does not.
//
// Threading: everything but construction happens on the EventLoop's thread.
// The object must be destroyed before the EventLoop it watches on.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/EventLoop.h"
#include "engine/NetworkNamespace.h"
#include "engine/SocketAddress.h"

struct nfq_handle;
struct nfq_q_handle;
struct nfq_data;
struct nfgenmsg;

namespace faultbox::engine {

// Which SYNs a delay rule holds. Addresses are numeric ("127.0.0.1", "::1");
// empty means any. Port 0 means any.
struct SynMatch {
  std::string dst_ip;
  uint16_t dst_port = 0;
  // Services share 127.0.0.1 today, so a source address only identifies a
  // caller if the run gives services addresses of their own.
  std::string src_ip;
};

class SynDelayQueue {
 public:
  using RuleId = uint64_t;
  using Clock = EventLoop::Clock;

  struct Options {
    // Default: derived from the namespace's inode (see queue_num()).
    int queue_num = -1;
    // iptables binaries to try, in order; the first that installs the rule
    // wins. Default: iptables-nft, iptables-legacy, iptables. (Tests pin a
    // variant to check that each one really queues.)
    std::vector<std::string> iptables;
    // The chain the rule goes in. OUTPUT in a run's loopback namespace sees
    // every SYN. A container's namespace uses INPUT: the SYNs *to* that
    // container, whether from another container or from faultbox on the
    // host (whose own firewall faultbox never touches).
    std::string chain = "OUTPUT";
  };

  // Binds a netfilter queue inside `ns`, installs the NFQUEUE rule there and
  // watches the queue on `loop`. Throws EnvironmentError with one line naming
  // what is missing ("iptables NFQUEUE target unavailable: ...").
  SynDelayQueue(EventLoop& loop, const NetworkNamespace& ns) : SynDelayQueue(loop, ns, Options{}) {}
  SynDelayQueue(EventLoop& loop, const NetworkNamespace& ns, Options opts);
  // Accepts every held SYN (nothing stays stuck), then unbinds the queue.
  ~SynDelayQueue();
  SynDelayQueue(const SynDelayQueue&) = delete;
  SynDelayQueue& operator=(const SynDelayQueue&) = delete;

  // Start-up probe: builds a throwaway namespace with a queue and the rule.
  // Returns the iptables variant that worked ("iptables-nft"); throws
  // EnvironmentError with one line of cause otherwise.
  static std::string probe();

  // Holds SYNs matching `match` for `delay` after their first transmission.
  // Throws std::invalid_argument on an unparsable address. When several
  // rules match, the most recently added one decides (an inner fault
  // overrides an outer one while it runs).
  RuleId add_delay(const SynMatch& match, std::chrono::milliseconds delay);
  // Removes the rule and accepts the SYNs it holds at once (a fault applies
  // only while its run= function runs). Returns how many connections it held
  // over its life (its "fired" count); 0 for an unknown id.
  uint64_t remove(RuleId id);
  // Connections held so far by a live rule (0 for an unknown id).
  uint64_t fired(RuleId id) const;

  // Connections currently held.
  size_t held_now() const { return held_.size(); }

  // Serialized runs (DESIGN.md §4: "held packets are events"): with the gate
  // on, a SYN whose delay is up is not let through by its timer; it becomes
  // due, and the decision loop offers it as an event and lets it through
  // with release_due() when the strategy picks it — so where the delayed
  // connection lands among the other decisions is a decision too, recorded
  // and replayed. Turning the gate off lets every due SYN through; rule
  // removal (the fault's run= ended) and destruction let everything go, as
  // without the gate.
  void set_gated(bool gated);
  struct DueSyn {
    uint64_t id = 0;  // for release_due()
    SocketAddress src, dst;
  };
  // Due SYNs, oldest hold first.
  std::vector<DueSyn> due() const;
  // Lets a due SYN through; false when `id` is not due (or gone).
  bool release_due(uint64_t id);
  // The soonest time a held SYN becomes due, if any is held and not yet due
  // (a replay waiting for a recorded release waits until then).
  std::optional<Clock::time_point> next_due() const;
  // Retransmitted SYNs of held connections that were dropped (the held
  // original carries the connection).
  uint64_t retransmits_dropped() const { return retransmits_dropped_; }

  uint16_t queue_num() const { return queue_num_; }
  // The iptables binary that installed the rule ("iptables-nft" or
  // "iptables-legacy").
  const std::string& iptables() const { return iptables_; }
  // Whether IPv6 SYNs (to ::1) are queued too; false when ip6tables of the
  // same variant could not install the rule (IPv6 connects are then undelayed).
  bool ipv6_covered() const { return ipv6_covered_; }

 private:
  // Address bytes are IPv4 in the first 4 bytes or IPv6 in all 16.
  using Addr = std::array<uint8_t, 16>;
  struct Connection {
    uint8_t family = 0;  // 4 or 6
    Addr src{}, dst{};
    uint16_t sport = 0, dport = 0;
    uint32_t isn = 0;
    auto operator<=>(const Connection&) const = default;
  };
  struct Rule {
    uint8_t dst_family = 0;  // 0: any address
    Addr dst{};
    uint8_t src_family = 0;
    Addr src{};
    uint16_t dst_port = 0;
    std::chrono::milliseconds delay{};
    uint64_t fired = 0;
    bool matches(const Connection& c) const;
  };
  struct Held {
    uint32_t packet_id = 0;
    RuleId rule = 0;
    EventLoop::TimerId timer = 0;
    uint64_t serial = 0;          // hold order; DueSyn::id
    Clock::time_point due_at{};   // when its delay is up
    bool due = false;             // gated and up: waits for release_due()
  };

  struct HandleCloser {
    void operator()(nfq_handle* h) const;
  };
  struct QueueDestroyer {
    void operator()(nfq_q_handle* q) const;
  };

  static int on_packet_thunk(nfq_q_handle* qh, nfgenmsg* msg, nfq_data* nfad, void* self);
  void on_packet(nfq_data* nfad);
  void on_readable();
  void release(const Connection& c);
  // The timer's end of a hold: through at once, or due when gated.
  void delay_over(const Connection& c);
  static SocketAddress endpoint(uint8_t family, const Addr& addr, uint16_t port);
  void accept(uint32_t packet_id);
  void prune_released(Clock::time_point now);

  EventLoop& loop_;
  uint16_t queue_num_ = 0;
  std::string iptables_;
  bool ipv6_covered_ = false;
  // Declaration order is destruction order in reverse: the queue is
  // destroyed before the handle it belongs to.
  std::unique_ptr<nfq_handle, HandleCloser> handle_;
  std::unique_ptr<nfq_q_handle, QueueDestroyer> queue_;
  int fd_ = -1;  // owned by handle_

  RuleId next_rule_ = 1;
  std::map<RuleId, Rule> rules_;
  std::map<Connection, Held> held_;
  // Connections already let through, kept while the kernel may still
  // retransmit their SYN (the listener's backlog was full, or a retransmit
  // raced the release), so a late retransmit is not held a second time.
  std::map<Connection, Clock::time_point> released_;
  Clock::time_point next_prune_{};
  uint64_t retransmits_dropped_ = 0;
  bool gated_ = false;
  uint64_t next_serial_ = 1;
  std::vector<char> recv_buf_;
};

}  // namespace faultbox::engine

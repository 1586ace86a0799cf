#include "engine/SynDelayQueue.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter.h>  // NF_ACCEPT, NF_DROP
#include <linux/netlink.h>    // NETLINK_NO_ENOBUFS
#include <sched.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

extern "C" {
#include <libnetfilter_queue/libnetfilter_queue.h>
}

#include "engine/EngineError.h"
#include "engine/OneLine.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

namespace faultbox::engine {

namespace {

// Enough of a packet for an IPv4/IPv6 header (with a few extension headers)
// and the TCP header; the payload of a SYN is never needed.
constexpr unsigned kCopyRange = 256;
// Longer than the kernel's whole SYN retry schedule with the default
// tcp_syn_retries=6 (1+2+4+8+16+32+64 s): a released connection's late
// retransmits are recognised for as long as they can occur.
constexpr auto kReleasedMemory = std::chrono::seconds(130);

// iptables' output, shortened for one line of a message.
std::string short_line(const std::string& text) {
  std::string s = one_line(text);
  if (s.size() > 240) s = s.substr(0, 240) + "...";
  return s;
}

std::optional<std::string> find_executable(const std::string& name) {
  // sbin is often missing from PATH (sudo, services), and iptables lives there.
  std::vector<std::string> dirs = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
  if (const char* path = ::getenv("PATH")) {
    std::string p(path);
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      if (end > start) dirs.push_back(p.substr(start, end - start));
      start = end + 1;
    }
  }
  for (const auto& d : dirs) {
    std::string full = d + "/" + name;
    if (::access(full.c_str(), X_OK) == 0) return full;
  }
  return std::nullopt;
}

struct CommandResult {
  bool exited_ok = false;
  std::string output;  // stdout and stderr interleaved
};

// Runs `path args...` inside the network namespace `ns_fd`: the child
// setns()es before exec, so the rule it installs lands in the run's
// namespace and never in the host's firewall.
CommandResult run_in_namespace(int ns_fd, const std::string& path, const std::string& argv0,
                               const std::vector<std::string>& args) {
  // Everything the child needs is built before fork: after fork in a
  // multithreaded process only async-signal-safe calls are allowed.
  std::vector<std::string> argv_s = {argv0};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string env_path = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  std::string env_lang = "LC_ALL=C";  // stable error messages to report
  char* envp[] = {env_path.data(), env_lang.data(), nullptr};
  static constexpr char kSetnsFailed[] = "setns into the run's network namespace failed\n";

  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return {false, errno_message("pipe2", errno)};
  UniqueFd rd(pipefd[0]), wr(pipefd[1]);
  pid_t pid = ::fork();
  if (pid < 0) return {false, errno_message("fork", errno)};
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(wr.get(), 1);  // dup2 clears O_CLOEXEC on the copies
    ::dup2(wr.get(), 2);
    if (::setns(ns_fd, CLONE_NEWNET) < 0) {
      ssize_t ignored = ::write(2, kSetnsFailed, sizeof kSetnsFailed - 1);
      (void)ignored;
      ::_exit(126);
    }
    ::execve(path.c_str(), argv.data(), envp);
    ::_exit(127);
  }
  wr.reset();
  CommandResult r;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n > 0) {
      if (r.output.size() < 4096) r.output.append(buf, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  int status = 0;
  for (;;) {
    if (::waitpid(pid, &status, 0) == pid) break;
    if (errno != EINTR) {
      // Someone else reaped it (a process-wide SIGCHLD reaper): the outcome
      // is unknown, so do not claim success.
      r.output += " (" + errno_message("waitpid", errno) + ")";
      return r;
    }
  }
  r.exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!r.exited_ok && r.output.empty())
    r.output = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                 : "killed by signal " + std::to_string(WTERMSIG(status));
  return r;
}

std::vector<std::string> nfqueue_rule(const std::string& chain, uint16_t queue_num) {
  // -w: iptables-legacy takes a host-wide lock file even for a namespace's
  // tables; concurrent runs wait for each other briefly instead of failing.
  return {"-w", "5", "-A", chain, "-p", "tcp", "--syn", "-j", "NFQUEUE",
          "--queue-num", std::to_string(queue_num), "--queue-bypass"};
}

uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// (family, bytes) of a numeric address; family 0 for the empty string.
std::pair<uint8_t, std::array<uint8_t, 16>> parse_address(const std::string& s) {
  std::array<uint8_t, 16> a{};
  if (s.empty()) return {0, a};
  if (::inet_pton(AF_INET, s.c_str(), a.data()) == 1) return {4, a};
  if (::inet_pton(AF_INET6, s.c_str(), a.data()) == 1) return {6, a};
  throw std::invalid_argument("not a numeric IP address: \"" + s + "\"");
}

}  // namespace

void SynDelayQueue::HandleCloser::operator()(nfq_handle* h) const { ::nfq_close(h); }
void SynDelayQueue::QueueDestroyer::operator()(nfq_q_handle* q) const { ::nfq_destroy_queue(q); }

bool SynDelayQueue::Rule::matches(const Connection& c) const {
  if (dst_port != 0 && c.dport != dst_port) return false;
  if (dst_family != 0 && (c.family != dst_family || c.dst != dst)) return false;
  if (src_family != 0 && (c.family != src_family || c.src != src)) return false;
  return true;
}

SynDelayQueue::SynDelayQueue(EventLoop& loop, const NetworkNamespace& ns, Options opts)
    : loop_(loop), recv_buf_(64 * 1024) {
  if (opts.queue_num >= 0) {
    queue_num_ = static_cast<uint16_t>(opts.queue_num);
  } else {
    // Queue instances are per network namespace (kernel >= 3.8), so two runs
    // cannot clash whatever number they pick; deriving it from the
    // namespace's inode still makes numbers differ between concurrent runs,
    // which keeps traces and `iptables -S` output unambiguous.
    struct stat st {};
    if (::fstat(ns.fd(), &st) < 0) throw EnvironmentError(errno_message("fstat of the run's network namespace", errno));
    queue_num_ = static_cast<uint16_t>(st.st_ino & 0xffff);
  }

  // Netlink sockets belong to the namespace of the thread that creates them:
  // a short-lived thread enters the run's namespace, opens and binds the
  // queue, and exits; the socket stays in the run's namespace and is used
  // from the loop thread from then on.
  nfq_handle* h = nullptr;
  nfq_q_handle* qh = nullptr;
  std::string failed_step;
  int err = 0;
  std::thread setup([&] {
    if (::setns(ns.fd(), CLONE_NEWNET) < 0) {
      err = errno;
      failed_step = "entering the run's network namespace";
      return;
    }
    h = ::nfq_open();
    if (!h) {
      err = errno;
      failed_step = "nfq_open (NETLINK_NETFILTER socket)";
      return;
    }
    qh = ::nfq_create_queue(h, queue_num_, &SynDelayQueue::on_packet_thunk, this);
    if (!qh) {
      err = errno;
      failed_step = "binding queue " + std::to_string(queue_num_) + " (is nfnetlink_queue available?)";
      return;
    }
    if (::nfq_set_mode(qh, NFQNL_COPY_PACKET, kCopyRange) < 0) {
      err = errno;
      failed_step = "setting the queue's copy mode";
      return;
    }
    // Fail open: when the queue is full the kernel accepts instead of
    // dropping. Older kernels lack the flag; dropping is then only slower
    // (the SYN is retransmitted), so its absence is not an error.
    ::nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN, NFQA_CFG_F_FAIL_OPEN);
  });
  setup.join();
  handle_.reset(h);
  queue_.reset(qh);
  if (err != 0)
    throw EnvironmentError(errno_message("netfilter queue unavailable in the run's namespace: " + failed_step, err));
  fd_ = ::nfq_fd(handle_.get());
  // A burst of SYNs overflowing the socket buffer must not turn into an
  // ENOBUFS error on every later recv: the lost packets are retransmitted.
  int one = 1;
  ::setsockopt(fd_, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);

  // The rule goes in after the queue is bound, so no SYN is ever queued to
  // nobody (with --queue-bypass it would only pass undelayed anyway).
  // iptables-nft first: it is Debian's default and iptables-legacy is being
  // retired; legacy remains for kernels without nf_tables.
  std::vector<std::string> variants = opts.iptables;
  if (variants.empty()) variants = {"iptables-nft", "iptables-legacy", "iptables"};
  std::string tried;
  for (const std::string& variant : variants) {
    auto path = find_executable(variant);
    if (!path) {
      tried += std::string(tried.empty() ? "" : "; ") + variant + ": not installed";
      continue;
    }
    CommandResult r = run_in_namespace(ns.fd(), *path, variant, nfqueue_rule(opts.chain, queue_num_));
    if (r.exited_ok) {
      iptables_ = variant;
      break;
    }
    tried += std::string(tried.empty() ? "" : "; ") + variant + ": " + short_line(r.output);
  }
  if (iptables_.empty()) throw EnvironmentError("iptables NFQUEUE target unavailable in the run's namespace: " + tried);

  // localhost may resolve to ::1; the same variant's ip6tables covers it.
  // Missing IPv6 is reported (ipv6_covered), not fatal: IPv4 is the common case.
  std::string v6 = iptables_.rfind("iptables", 0) == 0 ? "ip6" + iptables_.substr(2) : "";  // -> ip6tables-nft
  if (auto path = v6.empty() ? std::nullopt : find_executable(v6))
    ipv6_covered_ = run_in_namespace(ns.fd(), *path, v6, nfqueue_rule(opts.chain, queue_num_)).exited_ok;

  // Last: nothing after this throws, so the loop never watches the fd of a
  // half-built object.
  loop_.watch(fd_, EPOLLIN, [this](uint32_t) { on_readable(); });
}

SynDelayQueue::~SynDelayQueue() {
  if (loop_.watching(fd_)) loop_.unwatch(fd_);
  // Unbinding would make the kernel drop what is still held; accept it
  // instead, so a torn-down fault never leaves a connection unanswerable.
  for (auto& [conn, held] : held_) {
    loop_.cancel(held.timer);
    accept(held.packet_id);
  }
  held_.clear();
}

std::string SynDelayQueue::probe() {
  NetworkNamespace ns = NetworkNamespace::create();
  EventLoop loop;
  SynDelayQueue q(loop, ns);
  return q.iptables();
}

SynDelayQueue::RuleId SynDelayQueue::add_delay(const SynMatch& match, std::chrono::milliseconds delay) {
  Rule r;
  std::tie(r.dst_family, r.dst) = parse_address(match.dst_ip);
  std::tie(r.src_family, r.src) = parse_address(match.src_ip);
  r.dst_port = match.dst_port;
  r.delay = delay;
  RuleId id = next_rule_++;
  rules_.emplace(id, r);
  return id;
}

uint64_t SynDelayQueue::remove(RuleId id) {
  auto it = rules_.find(id);
  if (it == rules_.end()) return 0;
  uint64_t fired = it->second.fired;
  rules_.erase(it);
  std::vector<Connection> mine;
  for (const auto& [conn, held] : held_)
    if (held.rule == id) mine.push_back(conn);
  for (const auto& conn : mine) {
    loop_.cancel(held_.at(conn).timer);
    release(conn);
  }
  return fired;
}

uint64_t SynDelayQueue::fired(RuleId id) const {
  auto it = rules_.find(id);
  return it == rules_.end() ? 0 : it->second.fired;
}

int SynDelayQueue::on_packet_thunk(nfq_q_handle*, nfgenmsg*, nfq_data* nfad, void* self) {
  static_cast<SynDelayQueue*>(self)->on_packet(nfad);
  return 0;
}

void SynDelayQueue::on_readable() {
  // Bounded per wake-up so a SYN flood cannot starve the rest of the loop;
  // epoll is level-triggered and brings us back.
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::recv(fd_, recv_buf_.data(), recv_buf_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == ENOBUFS) continue;
      return;  // EAGAIN, or an error the next wake-up will show again
    }
    ::nfq_handle_packet(handle_.get(), recv_buf_.data(), static_cast<int>(n));
  }
}

void SynDelayQueue::on_packet(nfq_data* nfad) {
  nfqnl_msg_packet_hdr* ph = ::nfq_get_msg_packet_hdr(nfad);
  if (!ph) return;
  uint32_t packet_id = ntohl(ph->packet_id);
  unsigned char* data = nullptr;
  int len = ::nfq_get_payload(nfad, &data);

  // Anything we cannot read as a plain SYN passes: a parsing gap must never
  // turn into a stuck connection.
  Connection c;
  size_t tcp_off = 0;
  size_t n = len > 0 ? static_cast<size_t>(len) : 0;
  if (n >= 20 && (data[0] >> 4) == 4) {
    size_t ihl = static_cast<size_t>(data[0] & 0x0f) * 4;
    bool fragment = ((data[6] & 0x1f) << 8 | data[7]) != 0;
    if (ihl >= 20 && data[9] == IPPROTO_TCP && !fragment) {
      c.family = 4;
      std::memcpy(c.src.data(), data + 12, 4);
      std::memcpy(c.dst.data(), data + 16, 4);
      tcp_off = ihl;
    }
  } else if (n >= 40 && (data[0] >> 4) == 6) {
    uint8_t next = data[6];
    size_t off = 40;
    // Hop-by-hop, routing and destination options may precede TCP.
    while ((next == 0 || next == 43 || next == 60) && n >= off + 8) {
      next = data[off];
      off += (static_cast<size_t>(data[off + 1]) + 1) * 8;
    }
    if (next == IPPROTO_TCP) {
      c.family = 6;
      std::memcpy(c.src.data(), data + 8, 16);
      std::memcpy(c.dst.data(), data + 24, 16);
      tcp_off = off;
    }
  }
  if (c.family == 0 || n < tcp_off + 14) {
    accept(packet_id);
    return;
  }
  const unsigned char* tcp = data + tcp_off;
  bool syn = tcp[13] & 0x02, ack = tcp[13] & 0x10;
  if (!syn || ack) {
    accept(packet_id);
    return;
  }
  c.sport = be16(tcp);
  c.dport = be16(tcp + 2);
  c.isn = be32(tcp + 4);

  auto now = Clock::now();
  prune_released(now);
  if (held_.count(c)) {
    // A retransmission of a held SYN: the held original will carry the
    // connection when its delay is up; letting this one through would
    // establish it early.
    ::nfq_set_verdict(queue_.get(), packet_id, NF_DROP, 0, nullptr);
    ++retransmits_dropped_;
    return;
  }
  if (released_.count(c)) {
    accept(packet_id);
    return;
  }
  // Newest rule first: an inner fault overrides an outer one while it runs.
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (!it->second.matches(c)) continue;
    ++it->second.fired;
    Held h;
    h.packet_id = packet_id;
    h.rule = it->first;
    h.serial = next_serial_++;
    h.due_at = now + it->second.delay;
    h.timer = loop_.after(it->second.delay, [this, c] { delay_over(c); });
    held_.emplace(c, h);
    return;
  }
  accept(packet_id);
}

void SynDelayQueue::release(const Connection& c) {
  auto it = held_.find(c);
  if (it == held_.end()) return;
  accept(it->second.packet_id);
  held_.erase(it);
  released_[c] = Clock::now();
}

void SynDelayQueue::delay_over(const Connection& c) {
  auto it = held_.find(c);
  if (it == held_.end()) return;
  if (!gated_) {
    release(c);
    return;
  }
  it->second.due = true;
  it->second.timer = 0;
}

void SynDelayQueue::set_gated(bool gated) {
  gated_ = gated;
  if (gated) return;
  std::vector<Connection> due_now;
  for (const auto& [conn, held] : held_)
    if (held.due) due_now.push_back(conn);
  for (const Connection& c : due_now) release(c);
}

std::vector<SynDelayQueue::DueSyn> SynDelayQueue::due() const {
  std::vector<std::pair<uint64_t, DueSyn>> found;
  for (const auto& [conn, held] : held_)
    if (held.due)
      found.push_back({held.serial, DueSyn{held.serial, endpoint(conn.family, conn.src, conn.sport),
                                          endpoint(conn.family, conn.dst, conn.dport)}});
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<DueSyn> out;
  for (auto& [serial, d] : found) out.push_back(std::move(d));
  return out;
}

bool SynDelayQueue::release_due(uint64_t id) {
  for (const auto& [conn, held] : held_)
    if (held.serial == id && held.due) {
      const Connection c = conn;  // release() erases the entry `conn` refers to
      release(c);
      return true;
    }
  return false;
}

std::optional<SynDelayQueue::Clock::time_point> SynDelayQueue::next_due() const {
  std::optional<Clock::time_point> soonest;
  for (const auto& [conn, held] : held_)
    if (!held.due && (!soonest || held.due_at < *soonest)) soonest = held.due_at;
  return soonest;
}

SocketAddress SynDelayQueue::endpoint(uint8_t family, const Addr& addr, uint16_t port) {
  SocketAddress a;
  a.family = family == 4 ? AF_INET : AF_INET6;
  a.addr = addr;
  a.port = port;
  return a;
}

void SynDelayQueue::accept(uint32_t packet_id) {
  // A failure means the packet is gone already (its socket was torn down
  // and the kernel flushed it): nothing left to let through.
  ::nfq_set_verdict(queue_.get(), packet_id, NF_ACCEPT, 0, nullptr);
}

void SynDelayQueue::prune_released(Clock::time_point now) {
  if (now < next_prune_) return;
  next_prune_ = now + std::chrono::seconds(10);
  for (auto it = released_.begin(); it != released_.end();) {
    if (now - it->second > kReleasedMemory)
      it = released_.erase(it);
    else
      ++it;
  }
}

}  // namespace faultbox::engine

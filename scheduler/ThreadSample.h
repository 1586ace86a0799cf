// One look at one thread's scheduling state, from /proc (DESIGN.md §4,
// "quiescence from kernel state"): the state letter, where it sleeps (wchan)
// and how much CPU it has had (schedstat, in nanoseconds — utime/stime in
// /proc/…/stat tick in 10 ms and would hide a thread that woke for 50 µs).
//
// Also the parsers for the /proc formats, shared with ThreadCensus, and
// testable on crafted text (a comm may hold spaces and parentheses), and
// ProcFile, a /proc file kept open for re-reading.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultbox::scheduler {

// The fields of /proc/…/stat that the scheduler reads.
struct ProcStat {
  std::string comm;         // field 2, without the parentheses
  char state = '?';         // field 3
  pid_t ppid = 0;           // field 4 (the process's parent)
  uint64_t start_time = 0;  // field 22, clock ticks since boot
};

// Parses a stat line. The comm is everything between the first '(' and the
// LAST ')' — a thread may name itself "a) R (b" — and the numeric fields are
// counted from there. nullopt on malformed text.
std::optional<ProcStat> parse_proc_stat(std::string_view text);
// First field of /proc/…/schedstat: time spent on the CPU, ns.
std::optional<uint64_t> parse_schedstat_run_ns(std::string_view text);
// A "Name:\tvalue" field of /proc/…/status as a number ("Tgid", "PPid").
std::optional<long> parse_status_field(std::string_view status, std::string_view name);

// Whether a state letter counts as runnable. Only the known sleeping and dead
// states (S, D, T, t, Z, X, I, and P for parked kthreads) are not; anything
// else — R, and letters a future kernel might add — is, so an unknown state
// delays quiescence instead of faking it.
bool is_runnable_state(char state);
// Whether a wchan is the seccomp user-notification wait. The kernel shows the
// symbol, sometimes with a compiler suffix ("seccomp_do_user_notification.isra.0"
// on 6.x), so this matches the prefix.
bool is_seccomp_wait(std::string_view wchan);
// Whether a thread in D at `wchan` waits for something that ends without
// any other thread of the run doing anything: disk I/O ("submit_bio_wait",
// "folio_wait_bit" — an fsync), a kernel lock held by a thread that is in
// the middle of a syscall. True for every D wait but the two that wait for
// another thread of the run, which may be parked (a decision away): the
// seccomp notification (a killable one shows as D) and a vfork parent
// waiting for its child's exec or exit ("kernel_clone" on 6.x kernels,
// which inline the wait).
bool is_self_ending_wait(std::string_view wchan);

// Reads a small /proc or cgroup file whole into `out`. False when it cannot
// be opened or read (the thread or group is gone); errno is kept for the caller.
bool read_small_file(const std::string& path, std::string& out);

// A /proc file opened once and re-read from offset 0 (the kernel regenerates
// it on every read). Opening costs about as much as reading (~7 µs on the
// test VM against 1–7 µs for a pread), and a sample reads three files per
// thread every interval, so the census keeps them open: 3 fds per thread.
// A kept fd is also bound to its thread: once the thread exits, reads fail
// with ESRCH even if the tid is reused. When no fd can be kept (EMFILE), the
// file is read by path each time and the caller's start-time check is what
// tells a reused tid.
class ProcFile {
 public:
  ProcFile() = default;
  explicit ProcFile(std::string path);
  ~ProcFile();
  ProcFile(ProcFile&& o) noexcept;
  ProcFile& operator=(ProcFile&& o) noexcept;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  // False when the file is gone (ENOENT, ESRCH) or empty.
  bool read(std::string& out) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

struct ThreadSample {
  pid_t tid = 0;
  pid_t tgid = 0;
  std::string service;
  std::string comm;
  char state = '?';
  std::string wchan;  // where it sleeps; empty when runnable (not read then)
  uint64_t run_ns = 0;
  uint64_t start_time = 0;  // with tid, the thread's identity (tids are reused)
  bool parked_in_seccomp = false;
  // S or D, yet still queued on a CPU: the kernel reports wchan 0 for a
  // sleeping-state task that is on a runqueue (get_wchan checks on_rq). That
  // is a thread preempted between setting its sleep state and schedule() —
  // it will run more code before it sleeps; on the 2-core test VM under load
  // one stayed so for 7.7 ms — or, on EEVDF kernels (6.12+), a sleeper whose
  // dequeue is delayed. Both count as runnable: the second only until the
  // CPU picks it. Only set where wchan is readable (see wchan_readable()).
  bool on_runqueue = false;
  // D in a wait that ends on its own (is_self_ending_wait): the thread will
  // run again without a decision — an api worker's fsync under load stayed
  // in submit_bio_wait across two samples, and the decision was taken
  // before the worker's next syscall could park (the class count of an
  // exploration changed with load). Counts as runnable. Only set where
  // wchan is readable: elsewhere every D thread, a killable seccomp wait
  // included, reads "0", and would never settle.
  bool in_kernel_wait = false;

  // Will run without anything else happening: the quiescence rule's "busy".
  bool runnable() const { return is_runnable_state(state) || on_runqueue || in_kernel_wait; }
};

// Whether /proc/TID/wchan can show where thread `tid` sleeps: the kernel
// names the function only with CONFIG_KALLSYMS (/proc/kallsyms exists) and
// to a reader with ptrace read access to the thread — otherwise it prints 0
// for everyone, and "S with wchan 0" says nothing. The access check is the
// same one that guards /proc/TID/ns/*, so a readlink of one tells.
bool wchan_readable(pid_t tid);

// The three files a sample reads, of /proc/TGID/task/TID/.
struct ThreadFiles {
  ProcFile stat, wchan, schedstat;
  static ThreadFiles open(pid_t tgid, pid_t tid);
};

// Completes a sample whose stat fields are filled in (tid, tgid, service,
// comm, state, start_time): reads wchan (skipped while the state is
// runnable — it is "0" then) and schedstat, and sets on_runqueue when the
// state is S or D, wchan reads 0 and `readable` (wchan_readable() of the
// thread), in_kernel_wait when the state is D at a self-ending wait and
// `readable`. False when the thread exited meanwhile.
bool read_wchan_and_run_time(const ThreadFiles& files, bool readable, ThreadSample& sample);

// One-off: opens and reads /proc/TGID/task/TID/{stat,wchan,schedstat}.
// nullopt when the thread (or its whole thread group) has exited —
// including between the reads. `service` is copied into the sample.
std::optional<ThreadSample> sample_thread(pid_t tgid, pid_t tid, const std::string& service);

}  // namespace faultbox::scheduler

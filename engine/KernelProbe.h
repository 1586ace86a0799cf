// The kernel features `faultbox test` relies on (DESIGN.md §3), probed once
// at start so a machine that cannot run a test says so up front — one line
// per missing feature, naming what needs it — instead of failing obscurely
// inside the first service's launch.
//
// Required: kernel ≥ 5.19; seccomp user notification installed with
// NEW_LISTENER | WAIT_KILLABLE_RECV; pidfd_open and pidfd_getfd; cgroup v2
// groups with cgroup.kill; unshare(CLONE_NEWNET). Optional:
// SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6), used when present.
//
// Probes that would change faultbox's own state (installing a filter,
// leaving the network namespace) run in a forked child that exits.
#pragma once

#include <string>
#include <vector>

namespace faultbox::engine {

struct KernelVersion {
  int major = 0, minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

// One probed feature: what it is, what needs it, whether it is there.
struct KernelFeature {
  std::string name;     // "seccomp SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19)"
  std::string needed;   // "a killed service must not hang in a notification"
  bool required = true;
  bool present = false;
  std::string detail;   // why absent ("EINVAL", "no cgroup2 mount"); "" when present
};

struct KernelProbeResult {
  std::string release;  // uname -r
  std::vector<KernelFeature> features;

  bool ok() const;  // every required feature present
  // One line per missing required feature:
  // "missing kernel feature: NAME (needed for NEEDED): DETAIL".
  std::vector<std::string> missing_lines() const;
  // One line per optional feature, present or absent (for -v).
  std::vector<std::string> optional_lines() const;
};

// "6.1.0-18-amd64" → {6, 1}; {0, 0} when unparsable.
KernelVersion parse_kernel_release(const std::string& release);

// Probes this machine. `cgroup_parent`: where a throwaway group may be
// created to look for cgroup.kill (the root group has none); "" = find
// faultbox's own group with locate_cgroup2().
KernelProbeResult probe_kernel(const std::string& cgroup_parent = "");

}  // namespace faultbox::engine

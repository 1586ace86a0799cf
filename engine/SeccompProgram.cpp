#include "engine/SeccompProgram.h"

#include <linux/bpf.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "engine/EngineError.h"
#include "engine/FdTableWatch.h"
#include "engine/UniqueFd.h"
#include "spec/vocabulary/Syscalls.h"

namespace faultbox::engine {

std::vector<std::string> filtered_syscall_names() {
  std::vector<std::string> names;
  for (const auto& family : star::syscall_families())
    for (const auto& s : family.syscalls)
      if (std::find(names.begin(), names.end(), s) == names.end()) names.push_back(s);
  return names;
}

SeccompProgram SeccompProgram::build_standard() {
  std::unique_ptr<void, void (*)(void*)> ctx(seccomp_init(SCMP_ACT_ALLOW), seccomp_release);
  if (!ctx) throw EnvironmentError("libseccomp: seccomp_init failed");
  // A binary tree over syscall numbers instead of a linear list: every
  // syscall of every service pays for the filter, notified or not.
  seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  SeccompProgram program;
  // The whole faultable vocabulary, whatever the spec says: rules appear at
  // run time and a filter cannot change after exec (DESIGN.md §3).
  for (const std::string& n : filtered_syscall_names()) {
    int nr = seccomp_syscall_resolve_name(n.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture (e.g. "open" on arm64)
    int rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 0);
    if (rc < 0) throw EnvironmentError(errno_message("libseccomp: cannot add rule for " + n, -rc));
    program.notified_.push_back(nr);
  }
  // And every other way an fd number can change its file, for the fd
  // cache's watch (FdTableWatch): answered CONTINUE at once, never faultable.
  for (const std::string& n : fd_table_syscall_names()) {
    int nr = seccomp_syscall_resolve_name(n.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture (dup2 on arm64)
    int rc;
    if (n == "dup3") {
      // The launcher and the shim dup3 the listener onto the handover number
      // before anybody holds it to answer: that one call must not notify.
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 1, SCMP_A1_32(SCMP_CMP_NE, FdTableWatch::kHandoverFd));
    } else if (n == "bpf") {
      // Only running a BPF_PROG_TYPE_SYSCALL program can close fds
      // (bpf_sys_close); the rest of bpf() stays unnotified.
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 1, SCMP_A0_32(SCMP_CMP_EQ, BPF_PROG_TEST_RUN));
    } else {
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 0);
    }
    if (rc < 0) throw EnvironmentError(errno_message("libseccomp: cannot add rule for " + n, -rc));
    program.notified_.push_back(nr);
  }
  // libseccomp 2.5 exports only to a file descriptor: go through a memfd.
  UniqueFd mem(memfd_create("faultbox-bpf", MFD_CLOEXEC));
  if (!mem) throw EnvironmentError(errno_message("memfd_create", errno));
  int rc = seccomp_export_bpf(ctx.get(), mem.get());
  if (rc < 0) throw EnvironmentError(errno_message("libseccomp: cannot export the filter", -rc));
  off_t len = lseek(mem.get(), 0, SEEK_END);
  if (len <= 0 || len % sizeof(sock_filter) != 0)
    throw EnvironmentError("libseccomp: exported filter has an odd size");
  program.insns_.resize(static_cast<size_t>(len) / sizeof(sock_filter));
  if (pread(mem.get(), program.insns_.data(), static_cast<size_t>(len), 0) != len)
    throw EnvironmentError(errno_message("reading the exported filter", errno));
  return program;
}

}  // namespace faultbox::engine

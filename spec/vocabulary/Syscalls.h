// The syscall vocabulary of fault(): the names a rule may be keyed by.
// A family name stands for every syscall that does the same thing
// (DESIGN.md §2), spelled out per architecture; a member's own name targets
// just that syscall. Some syscalls never reach a seccomp filter (vDSO
// clocks) or move data without the syscalls a rule would see (io_uring,
// sendfile, splice): a rule on them would silently never fire, so it is an
// error. The engine's filter covers every syscall listed here.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faultbox::star {

struct SyscallFamily {
  const char* name;                    // "write"
  std::vector<std::string> syscalls;   // x86-64 members: write, writev, pwrite64, pwritev, pwritev2
  const char* what;                    // one line for `faultbox help`
};

// The families, in a stable order.
std::span<const SyscallFamily> syscall_families();

// The family named `name`, or null.
const SyscallFamily* find_syscall_family(std::string_view name);

// True for every syscall a rule may name on its own (each family's members
// and the other faultable syscalls).
bool is_faultable_syscall(std::string_view name);

// Why a rule on `name` can never fire ("" if it can): the syscalls seccomp
// cannot see or that bypass the ones it sees.
std::string unenforceable_reason(std::string_view name);

// What a fault() rule key resolves to: the syscalls it covers.
// Throws nothing; returns empty for unknown names.
std::vector<std::string> expand_rule_key(std::string_view key);

// All names a rule may be keyed by (families first, then syscalls), for
// "close matches" messages.
std::vector<std::string> rule_key_names();

}  // namespace faultbox::star

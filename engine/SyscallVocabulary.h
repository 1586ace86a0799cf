// The faultable vocabulary: every syscall a rule may name, grouped into the
// families of DESIGN.md §2 (x86-64 spellings), and the syscalls seccomp can
// never see (vDSO clocks, io_uring, in-kernel copies), which are an error to
// name. The seccomp filter covers the whole vocabulary, whatever the spec
// says, because rules appear at run time and a filter cannot change later.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultbox::engine {

struct SyscallFamily {
  std::string_view name;                   // "write", "connect", ...
  std::vector<std::string_view> syscalls;  // kernel names, x86-64
};

class SyscallVocabulary {
 public:
  // The standard vocabulary.
  static const SyscallVocabulary& standard();

  // The syscalls a rule named `name` (a family or a single syscall) covers;
  // nullopt when unknown.
  std::optional<std::vector<std::string_view>> expand(std::string_view name) const;
  // Why `name` can never be intercepted ("clock_gettime is served by the vDSO
  // and never enters the kernel"), or nullopt when it can or is unknown.
  std::optional<std::string> invisible_reason(std::string_view name) const;
  // Every syscall the filter must notify on.
  std::vector<std::string_view> filtered_syscalls() const;
  // The family a syscall belongs to ("pwritev2" -> "write"); itself if none.
  std::string_view family_of(std::string_view syscall) const;
  const std::vector<SyscallFamily>& families() const { return families_; }

 private:
  SyscallVocabulary();
  std::vector<SyscallFamily> families_;
};

}  // namespace faultbox::engine

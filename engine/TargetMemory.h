// Reading a supervised process's memory (syscall arguments that are
// pointers: paths, socket addresses) with process_vm_readv.
//
// process_vm_readv transfers whole iovec elements or nothing of them, so one
// element that runs from a mapped page into an unmapped one fails entirely —
// and a path near the end of a stack or heap mapping is exactly that case.
// The remote range is therefore cut into one element per page: the read
// returns every readable page up to the first unreadable one.
//
// The target may change or unmap its memory meanwhile, and the thread may be
// gone and its pid reused: whatever is read is only trusted after the
// caller re-validates the notification (SECCOMP_IOCTL_NOTIF_ID_VALID).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace faultbox::engine {

// Copies up to `len` bytes at `addr` of process `pid` into `buf`; returns how
// many were readable from the start (0 on any error).
size_t read_target_bytes(pid_t pid, uint64_t addr, void* buf, size_t len);

// The NUL-terminated string at `addr`, at most `max_len` bytes before the
// NUL; nullopt if unreadable or longer. Reads page by page, so a short
// string costs one syscall.
std::optional<std::string> read_target_string(pid_t pid, uint64_t addr, size_t max_len);

}  // namespace faultbox::engine

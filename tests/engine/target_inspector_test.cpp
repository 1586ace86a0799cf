// TargetInspector and TargetMemory against this very process (pidfd_open and
// process_vm_readv work on oneself, and the fd table is ours to rearrange),
// so each case sets up exactly the situation it checks.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/TargetInspector.h"
#include "engine/TargetMemory.h"
#include "engine/UniqueFd.h"

using namespace faultbox::engine;

namespace {

struct TempFile {
  std::string path;
  UniqueFd fd;
  TempFile() {
    char tmpl[] = "/tmp/faultbox-inspect-XXXXXX";
    fd.reset(::mkstemp(tmpl));
    path = tmpl;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

// Two pages, the second inaccessible: the end of the first is where a
// path at the end of a mapping sits.
struct GuardedPage {
  char* base = nullptr;
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  GuardedPage() {
    base = static_cast<char*>(::mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ::mprotect(base + page, page, PROT_NONE);
  }
  ~GuardedPage() { ::munmap(base, 2 * page); }
  char* end_of_first() { return base + page; }
};

uint64_t as_addr(const void* p) { return reinterpret_cast<uint64_t>(p); }

// A connected loopback TCP pair in this process.
struct TcpPair {
  UniqueFd listener, client, server;
  uint16_t port = 0;
  TcpPair() {
    listener.reset(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener.get(), 1);
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    client.reset(::socket(AF_INET, SOCK_STREAM, 0));
    ::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    server.reset(::accept(listener.get(), nullptr, nullptr));
  }
};

TEST(TargetMemory, ReadsAStringEndingAtAnUnmappedPage) {
  GuardedPage g;
  char* s = g.end_of_first() - 4;
  std::memcpy(s, "abc", 4);
  EXPECT_EQ(read_target_string(::getpid(), as_addr(s), 4096), "abc");
  // Without a NUL before the unmapped page: unreadable, not garbage.
  std::memcpy(g.end_of_first() - 3, "xyz", 3);
  EXPECT_FALSE(read_target_string(::getpid(), as_addr(g.end_of_first() - 3), 4096));
  EXPECT_FALSE(read_target_string(::getpid(), 0, 4096));
}

TEST(TargetMemory, ReadsAStringAcrossPagesAndBoundsItsLength) {
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::string big(3 * page, 'p');
  std::string expect(page + 100, 'q');
  // Start near the end of a page so the string spans two.
  char* start = big.data() + (page - (as_addr(big.data()) % page)) - 50;
  std::memcpy(start, expect.c_str(), expect.size() + 1);
  EXPECT_EQ(read_target_string(::getpid(), as_addr(start), 8192), expect);
  EXPECT_FALSE(read_target_string(::getpid(), as_addr(start), 100)) << "longer than the bound";
  char buf[16];
  EXPECT_EQ(read_target_bytes(::getpid(), as_addr(start), buf, sizeof buf), sizeof buf);
}

TEST(TargetInspector, DescribesFilesAndNoticesANumberReused) {
  TempFile f;
  TargetInspector insp;
  pid_t self = ::getpid();
  const FdFacts* facts = insp.fd(self, f.fd.get());
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->kind, FdKind::RegularFile);
  EXPECT_EQ(facts->path, f.path);
  ASSERT_NE(insp.fd(self, f.fd.get()), nullptr);
  EXPECT_EQ(insp.stats().checked_hits, 1u);
  EXPECT_EQ(insp.stats().inspections, 1u);

  // dup2 a socket onto the same number: no close() anyone could watch.
  TcpPair tcp;
  ASSERT_EQ(::dup2(tcp.client.get(), f.fd.get()), f.fd.get());
  facts = insp.fd(self, f.fd.get());
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->kind, FdKind::Socket);
  EXPECT_EQ(insp.stats().cache_stale, 1u);
  EXPECT_TRUE(facts->socket.is_inet_stream());
  ASSERT_TRUE(facts->socket.peer);
  EXPECT_EQ(facts->socket.peer->str(), "127.0.0.1:" + std::to_string(tcp.port));
  EXPECT_FALSE(facts->socket.listening);

  // Closed: nothing to say.
  int num = f.fd.release();
  ::close(num);
  EXPECT_EQ(insp.fd(self, num), nullptr);
  EXPECT_EQ(insp.stats().pidfd_opens, 1u) << "one pidfd per process";
}

TEST(TargetInspector, DescribesSocketsAndCachesOnlyStableEndpoints) {
  TcpPair tcp;
  TargetInspector insp;
  pid_t self = ::getpid();
  const FdFacts* l = insp.fd(self, tcp.listener.get());
  ASSERT_NE(l, nullptr);
  EXPECT_TRUE(l->socket.listening);
  const FdFacts* s = insp.fd(self, tcp.server.get());
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->socket.local);
  EXPECT_EQ(s->socket.local->port, tcp.port);

  UniqueFd fresh(::socket(AF_INET, SOCK_STREAM, 0));
  const FdFacts* u = insp.fd(self, fresh.get());
  ASSERT_NE(u, nullptr);
  EXPECT_FALSE(u->socket.peer);
  uint64_t before = insp.stats().inspections;
  // Not connected yet: its endpoints may change, so they are read again.
  insp.fd(self, fresh.get());
  EXPECT_EQ(insp.stats().inspections, before + 1);
  // A connected stream socket is served from the cache.
  insp.fd(self, tcp.server.get());
  EXPECT_EQ(insp.stats().inspections, before + 1);

  UniqueFd dgram(::socket(AF_INET, SOCK_DGRAM, 0));
  EXPECT_EQ(insp.fd(self, dgram.get())->socket.type, SOCK_DGRAM);
}

// The real case: another process's table, changed behind the cache's back,
// then gone.
TEST(TargetInspector, ReChecksAnotherProcessAcrossDup2AndExit) {
  TempFile f;
  int go[2], done[2], data[2];
  ASSERT_EQ(::pipe(go), 0);
  ASSERT_EQ(::pipe(done), 0);
  ASSERT_EQ(::pipe(data), 0);
  const int num = f.fd.get();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only raw syscalls here: wait for the word, dup2 the pipe's write end
    // onto the file's number, say so, wait to be told to exit.
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    if (::dup2(data[1], num) != num) ::_exit(1);
    if (::write(done[1], "d", 1) != 1) ::_exit(1);
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    ::_exit(0);
  }
  TargetInspector insp;
  const FdFacts* facts = insp.fd(child, num);
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->kind, FdKind::RegularFile);
  EXPECT_EQ(facts->path, f.path);
  ASSERT_NE(insp.fd(child, num), nullptr);
  EXPECT_EQ(insp.stats().checked_hits, 1u) << "inspection and re-check spell (dev, ino) alike";

  char c = 'g';
  ASSERT_EQ(::write(go[1], &c, 1), 1);
  ASSERT_EQ(::read(done[0], &c, 1), 1);
  facts = insp.fd(child, num);
  ASSERT_NE(facts, nullptr);
  EXPECT_EQ(facts->kind, FdKind::Pipe);
  EXPECT_EQ(insp.stats().cache_stale, 1u);

  ASSERT_EQ(::write(go[1], &c, 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(insp.fd(child, num), nullptr) << "a process that is gone has no fds, cached or not";
  EXPECT_EQ(insp.stats().pidfd_opens, 1u);
  for (int fd : {go[0], go[1], done[0], done[1], data[0], data[1]}) ::close(fd);
}

// Neither describing an fd nor re-checking it keeps the file open: once the
// target closes its last descriptor, the file is gone (here: the reader of
// a pipe sees end-of-file at once).
TEST(TargetInspector, HoldsNoReferenceToTheFilesItChecks) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK), 0);
  TargetInspector insp;
  pid_t self = ::getpid();
  ASSERT_NE(insp.fd(self, p[1]), nullptr);
  ASSERT_NE(insp.fd(self, p[1]), nullptr);
  EXPECT_EQ(insp.stats().checked_hits, 1u);
  ::close(p[1]);
  char c;
  EXPECT_EQ(::read(p[0], &c, 1), 0) << "the write end is still open somewhere: " << std::strerror(errno);
  ::close(p[0]);
}

TEST(TargetInspector, ReadsArgumentsAndResolvesRelativePaths) {
  TargetInspector insp;
  pid_t self = ::getpid();
  const char* path = "some/where/../file.txt";
  EXPECT_EQ(insp.string_at(self, as_addr(path)), path);

  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(6379);
  ::inet_pton(AF_INET6, "::1", &a.sin6_addr);
  auto sa = insp.sockaddr_at(self, as_addr(&a), sizeof a);
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->str(), "[::1]:6379");
  EXPECT_FALSE(insp.sockaddr_at(self, as_addr(&a), 3)) << "too short";

  char cwd[4096];
  ASSERT_NE(::getcwd(cwd, sizeof cwd), nullptr);
  pid_t tid = static_cast<pid_t>(::syscall(SYS_gettid));
  std::string base = std::string(cwd) == "/" ? "" : cwd;
  EXPECT_EQ(insp.absolute(tid, self, AT_FDCWD, path), base + "/some/file.txt");
  EXPECT_EQ(insp.absolute(tid, self, AT_FDCWD, "/a/./b/"), "/a/b");
  UniqueFd tmp(::open("/tmp", O_RDONLY | O_DIRECTORY));
  EXPECT_EQ(insp.absolute(tid, self, tmp.get(), "x/y"), "/tmp/x/y");
  EXPECT_EQ(insp.absolute(tid, self, tmp.get(), ""), "/tmp") << "AT_EMPTY_PATH names the dirfd";
}

TEST(TargetInspector, ForgetsAProcess) {
  TempFile f;
  TargetInspector insp;
  ASSERT_NE(insp.fd(::getpid(), f.fd.get()), nullptr);
  EXPECT_EQ(insp.cached_processes(), 1u);
  insp.forget_process(::getpid());
  EXPECT_EQ(insp.cached_processes(), 0u);
  EXPECT_EQ(insp.fd(999999999, 0), nullptr) << "no such process";
  EXPECT_EQ(insp.cached_processes(), 0u);
}

}  // namespace

// ResourceNormalizer: what is folded (run dir, pids, mkstemp suffixes,
// whitespace, ephemeral ports) and — as important — what is not.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "recorder/ResourceNormalizer.h"

using faultbox::recorder::ResourceNormalizer;

namespace {

const char* kRunDir = "/tmp/faultbox-run-Q3x9Lm";

}  // namespace

TEST(ResourceNormalizerPath, RunDirectoryBecomesRun) {
  ResourceNormalizer n(kRunDir);
  EXPECT_EQ(n.path("/tmp/faultbox-run-Q3x9Lm/api/orders.db"), "$RUN/api/orders.db");
  EXPECT_EQ(n.path("/tmp/faultbox-run-Q3x9Lm"), "$RUN");
  EXPECT_EQ(n.path("/tmp/faultbox-run-Q3x9Lm/"), "$RUN/");
  // A sibling whose name merely starts the same is not inside the run dir.
  EXPECT_EQ(n.path("/tmp/faultbox-run-Q3x9Lm2/x"), "/tmp/faultbox-run-Q3x9Lm2/x");
  EXPECT_EQ(n.path("/var/lib/redis/dump.rdb"), "/var/lib/redis/dump.rdb");
  // A trailing slash on the given directory does not matter.
  ResourceNormalizer slash("/tmp/faultbox-run-Q3x9Lm/");
  EXPECT_EQ(slash.path("/tmp/faultbox-run-Q3x9Lm/a"), "$RUN/a");
}

TEST(ResourceNormalizerPath, RejectsARunDirectoryThatIsNotAbsolute) {
  EXPECT_THROW(ResourceNormalizer("tmp/run"), std::invalid_argument);
  EXPECT_THROW(ResourceNormalizer("/"), std::invalid_argument);
  EXPECT_NO_THROW(ResourceNormalizer(""));
  EXPECT_EQ(ResourceNormalizer("").path("/tmp/x"), "/tmp/x");
}

TEST(ResourceNormalizerPath, PidsOfTheRunBecomePid) {
  ResourceNormalizer n(kRunDir);
  n.add_pid(4711);
  n.add_pid(815);
  EXPECT_EQ(n.path("/proc/4711/status"), "/proc/$PID/status");
  EXPECT_EQ(n.path("/proc/815/task/4711/stat"), "/proc/$PID/task/$PID/stat");
  EXPECT_EQ(n.path("/tmp/faultbox-run-Q3x9Lm/redis/temp-4711.rdb"), "$RUN/redis/temp-$PID.rdb");
  EXPECT_EQ(n.path("/var/log/app.4711"), "/var/log/app.$PID");
  EXPECT_EQ(n.path("/run/4711.pid"), "/run/$PID.pid");
  EXPECT_EQ(n.path("/tmp/x_4711_y"), "/tmp/x_$PID_y");
}

TEST(ResourceNormalizerPath, NumbersThatAreNotPidsOfTheRunStay) {
  ResourceNormalizer n(kRunDir);
  n.add_pid(4711);
  EXPECT_EQ(n.path("/proc/4712/status"), "/proc/4712/status");    // not ours
  EXPECT_EQ(n.path("/proc/47110/status"), "/proc/47110/status");  // longer number
  EXPECT_EQ(n.path("/data/04711"), "/data/04711");                // leading zero
  EXPECT_EQ(n.path("/data/v4711"), "/data/v4711");                // glued to a letter
  EXPECT_EQ(n.path("/data/4711a"), "/data/4711a");
  n.add_pid(0);  // not a pid: ignored, so "0" components stay
  EXPECT_EQ(n.path("/dev/shm/0"), "/dev/shm/0");
}

TEST(ResourceNormalizerPath, MkstempSuffixesBecomeXXXXXX) {
  ResourceNormalizer n(kRunDir);
  EXPECT_EQ(n.path("/tmp/sess-a8Zk3q"), "/tmp/sess-XXXXXX");
  EXPECT_EQ(n.path("/tmp/dump.Q1w2E3"), "/tmp/dump.XXXXXX");
  EXPECT_EQ(n.path("/tmp/x_abc123"), "/tmp/x_XXXXXX");
  // All letters but mixed case: a third of mkstemp's names look like this.
  EXPECT_EQ(n.path("/tmp/sess-aBcDeF"), "/tmp/sess-XXXXXX");
  EXPECT_EQ(n.path("/tmp/sess-QWERTy"), "/tmp/sess-XXXXXX");
  // glibc tmpfile()'s fallback name.
  EXPECT_EQ(n.path("/tmp/tmpfAb12cd"), "/tmp/tmpfXXXXXX");
  // mkdtemp directories.
  EXPECT_EQ(n.path("/tmp/redis-Ab12cd/dump.rdb"), "/tmp/redis-XXXXXX/dump.rdb");
}

TEST(ResourceNormalizerPath, WordsAndOtherLengthsAreNotTempSuffixes) {
  ResourceNormalizer n(kRunDir);
  EXPECT_EQ(n.path("/etc/app-config"), "/etc/app-config");    // one class (lower)
  EXPECT_EQ(n.path("/etc/app-CONFIG"), "/etc/app-CONFIG");    // one class (upper)
  EXPECT_EQ(n.path("/etc/app-Backup"), "/etc/app-Backup");    // a capitalised word
  EXPECT_EQ(n.path("/data/log-123456"), "/data/log-123456");  // digits only
  EXPECT_EQ(n.path("/tmp/x-a8Zk3qq"), "/tmp/x-a8Zk3qq");      // 7 characters
  EXPECT_EQ(n.path("/tmp/x-a8Zk3"), "/tmp/x-a8Zk3");          // 5 characters
  EXPECT_EQ(n.path("/tmp/sessa8Zk3q"), "/tmp/sessa8Zk3q");    // no separator before it
  EXPECT_EQ(n.path("/tmp/a8Zk3q"), "/tmp/a8Zk3q");            // nothing before it
  // mkstemps-style names with an extension after the random part are not
  // recognised (documented limit).
  EXPECT_EQ(n.path("/tmp/x-a8Zk3q.txt"), "/tmp/x-a8Zk3q.txt");
}

TEST(ResourceNormalizerPath, TheSameResourceInTwoRunsGetsTheSameText) {
  ResourceNormalizer run1("/tmp/faultbox-run-Q3x9Lm");
  run1.add_pid(4711);
  ResourceNormalizer run2("/tmp/faultbox-run-8kPz0a");
  run2.add_pid(5022);
  EXPECT_EQ(run1.path("/tmp/faultbox-run-Q3x9Lm/redis/temp-4711.rdb"),
            run2.path("/tmp/faultbox-run-8kPz0a/redis/temp-5022.rdb"));
  EXPECT_EQ(run1.path("/tmp/faultbox-run-Q3x9Lm/api/upload-7Gh2kL"),
            run2.path("/tmp/faultbox-run-8kPz0a/api/upload-c0FfEe"));
  // And two different resources stay different.
  EXPECT_NE(run1.path("/tmp/faultbox-run-Q3x9Lm/api/orders.db"),
            run2.path("/tmp/faultbox-run-8kPz0a/api/orders.wal"));
}

TEST(ResourceNormalizerPath, WhitespaceBecomesUnderscore) {
  ResourceNormalizer n;
  EXPECT_EQ(n.path("/data/my file\tname\n"), "/data/my_file_name_");
}

TEST(ResourceNormalizerPeer, DeclaredInterfacesByPort) {
  ResourceNormalizer n(kRunDir);
  n.add_interface(6379, "redis.main");
  n.add_interface(8080, "api.http");
  EXPECT_EQ(n.peer("127.0.0.1:6379"), "redis.main");
  EXPECT_EQ(n.peer("127.0.0.1:8080"), "api.http");
  EXPECT_EQ(n.peer("[::1]:6379"), "redis.main");
}

TEST(ResourceNormalizerPeer, ExactAddressBeatsPortOnly) {
  // Container mode: two services listen on the same port at different IPs.
  ResourceNormalizer n(kRunDir);
  n.add_interface(8080, "api.http");
  n.add_interface("172.18.0.3", 8080, "search.http");
  n.add_interface("::1", 9000, "six.main");
  EXPECT_EQ(n.peer("172.18.0.3:8080"), "search.http");
  EXPECT_EQ(n.peer("172.18.0.2:8080"), "api.http");
  EXPECT_EQ(n.peer("[::1]:9000"), "six.main");
  EXPECT_EQ(n.peer("127.0.0.1:9000"), "ext:127.0.0.1:9000");
}

TEST(ResourceNormalizerPeer, TheDriverAndOtherClientsByTheirLocalEndpoint) {
  ResourceNormalizer n(kRunDir);
  n.add_interface(8080, "api.http");
  n.add_client("127.0.0.1:41234", "127.0.0.1:8080", "test");
  n.add_client("127.0.0.1:41240", "127.0.0.1:8080", "test/2");
  n.add_client("127.0.0.1:50001", "127.0.0.1:6379", "api");  // api's outbound socket, as redis sees it
  EXPECT_EQ(n.peer("127.0.0.1:41234", "127.0.0.1:8080"), "test");
  EXPECT_EQ(n.peer("127.0.0.1:41240", "127.0.0.1:8080"), "test/2");
  EXPECT_EQ(n.peer("127.0.0.1:50001", "127.0.0.1:6379"), "api");
  // The same spelling of one endpoint meets: "::1" as "[::1]".
  n.add_client("[::1]:41250", "[::1]:8080", "test/3");
  EXPECT_EQ(n.peer("[::1]:41250", "[::1]:8080"), "test/3");
}

// tests/e2e race fixture, 1 replay in 20: shop's connection to stock and the
// driver's to shop both left from 127.0.0.1:41234 (Linux shares a local port
// between connections to different remotes), and shop's read of the
// driver's request was named "shop read shop".
TEST(ResourceNormalizerPeer, AServicesOutboundEndNamesOnlyItsOwnConnection) {
  ResourceNormalizer n(kRunDir);
  n.add_interface(7000, "stock.main");
  n.add_interface(8080, "shop.main");
  n.add_client("127.0.0.1:41234", "127.0.0.1:7000", "shop");
  EXPECT_EQ(n.peer("127.0.0.1:41234", "127.0.0.1:7000"), "shop") << "stock's view of shop's connection";
  EXPECT_EQ(n.peer("127.0.0.1:41234", "127.0.0.1:8080"), "ext:127.0.0.1") << "shop's view of the driver's connection";
  EXPECT_EQ(n.peer("127.0.0.1:41234"), "ext:127.0.0.1") << "registered for one connection only";
  // Declared interfaces resolve whoever looks.
  EXPECT_EQ(n.peer("127.0.0.1:7000", "127.0.0.1:41234"), "stock.main");
}

TEST(ResourceNormalizerPeer, EphemeralPortsAreNeverPartOfTheName) {
  ResourceNormalizer n(kRunDir);
  EXPECT_EQ(n.peer("10.0.0.5:5432"), "ext:10.0.0.5:5432");
  EXPECT_EQ(n.peer("10.0.0.5:32767"), "ext:10.0.0.5:32767");
  EXPECT_EQ(n.peer("10.0.0.5:32768"), "ext:10.0.0.5");
  EXPECT_EQ(n.peer("10.0.0.5:60999"), "ext:10.0.0.5");
  EXPECT_EQ(n.peer("[2001:db8::1]:443"), "ext:[2001:db8::1]:443");
  EXPECT_EQ(n.peer("[2001:db8::1]:40000"), "ext:[2001:db8::1]");
  // The caller passes the host's own range.
  ResourceNormalizer narrow(kRunDir, 10000);
  EXPECT_EQ(narrow.peer("10.0.0.5:12000"), "ext:10.0.0.5");
  EXPECT_EQ(narrow.peer("10.0.0.5:9999"), "ext:10.0.0.5:9999");
}

TEST(ResourceNormalizerPeer, UnixSocketsAreNormalizedPaths) {
  ResourceNormalizer n(kRunDir);
  n.add_pid(4711);
  EXPECT_EQ(n.peer("unix:/tmp/faultbox-run-Q3x9Lm/redis.sock"), "unix:$RUN/redis.sock");
  EXPECT_EQ(n.peer("unix:/run/app-4711.sock"), "unix:/run/app-$PID.sock");
}

TEST(ResourceNormalizerPeer, RejectsWhatIsNotAnEndpoint) {
  ResourceNormalizer n(kRunDir);
  for (const char* bad : {"", "localhost:80", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:8o",
                          "[::1]80", "::1:80", "[127.0.0.1]:80", "unspec"}) {
    EXPECT_THROW(n.peer(bad), std::invalid_argument) << bad;
  }
  EXPECT_THROW(n.add_client("nonsense", "127.0.0.1:80", "test"), std::invalid_argument);
  EXPECT_THROW(n.add_client("127.0.0.1:41234", "nonsense", "test"), std::invalid_argument);
  EXPECT_THROW(n.peer("127.0.0.1:41234", "nonsense"), std::invalid_argument);
}

TEST(ResourceNormalizerPeer, InterfaceAtIgnoresClientsAndMalformedEndpoints) {
  ResourceNormalizer n("/tmp/faultbox-run-abc");
  n.add_interface(6379, "redis.main");
  n.add_client("127.0.0.1:41234", "127.0.0.1:6379", "api");
  EXPECT_EQ(n.interface_at("127.0.0.1:6379"), "redis.main");
  EXPECT_EQ(n.interface_at("127.0.0.1:41234"), std::nullopt);  // a client end, not an interface
  EXPECT_EQ(n.peer("127.0.0.1:41234", "127.0.0.1:6379"), "api");
  EXPECT_EQ(n.interface_at("unspec"), std::nullopt);
  EXPECT_EQ(n.interface_at("unix:/run/x.sock"), std::nullopt);
}

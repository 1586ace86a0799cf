// DockerClient against the real daemon (DOCKER_HOST, default
// /var/run/docker.sock) and the locally built faultbox-test/hello image
// (tests/images/build_test_images.sh): a static program that prints
// "hello-stdout" and "hello-stderr", then sleeps until killed, or exits N
// with `exit N`. What Docker did is checked from the host side where it can
// be: /proc/<pid>/{root,environ,status} of the container's main process and
// a DNS query to Docker's resolver inside the container's namespace.
//
// The DockerClient* suites need a daemon and fail (never skip) without one.
// Everything a test creates is named faultbox-dct-<pid>-… and labelled with
// the test binary's pid; the fixture's TearDown removes it all.
#include "engine/DockerClient.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/UniqueFd.h"
#include "tests/engine/docker_test_support.h"

using namespace faultbox::engine;
using namespace faultbox::engine::docker_test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kImage = "faultbox-test/hello:latest";
constexpr const char* kSuiteLabel = "faultbox-test.docker-client";

std::string pid_text() { return std::to_string(::getpid()); }

std::vector<std::string> environ_of(pid_t pid) {
  std::string raw = read_file("/proc/" + std::to_string(pid) + "/environ");
  std::vector<std::string> out;
  for (size_t pos = 0; pos < raw.size();) {
    size_t end = raw.find('\0', pos);
    if (end == std::string::npos) end = raw.size();
    out.push_back(raw.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class DockerClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      client_.emplace(DockerClient::connect(docker_host()));
    } catch (const DockerError& e) {
      FAIL() << "the DockerClient suite needs a Docker daemon (./run.sh test starts one): " << e.what();
    }
    sweep_dead_runs();
    if (!client_->inspect_image(kImage))
      FAIL() << "the DockerClient suite needs the image " << kImage << " (build it with tests/images/build_test_images.sh)";
  }

  // Removes whatever this process created, found by its label, so a failed
  // assertion half-way through a test leaves nothing behind.
  void TearDown() override {
    if (!client_) return;
    try {
      for (const auto& c : client_->list_containers(label_filter())) client_->remove_container(c.id);
      for (const auto& n : client_->list_networks(label_filter())) client_->remove_network(n.id);
    } catch (const DockerError& e) {
      ADD_FAILURE() << "cleanup failed: " << e.what();
    }
    std::error_code ignored;  // a leftover folder in /tmp is not worth failing a test over
    if (!bind_dir_.empty()) std::filesystem::remove_all(bind_dir_, ignored);
  }

  // What an earlier test process left when it crashed (its pid is gone):
  // removed so a crash does not pile up containers and networks.
  void sweep_dead_runs() {
    auto dead = [](const DockerObject& o) {
      auto it = o.labels.find(kSuiteLabel);
      if (it == o.labels.end()) return false;
      pid_t pid = static_cast<pid_t>(std::atol(it->second.c_str()));
      return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
    };
    for (const auto& c : client_->list_containers(kSuiteLabel))
      if (dead(c)) client_->remove_container(c.id);
    for (const auto& n : client_->list_networks(kSuiteLabel))
      if (dead(n)) client_->remove_network(n.id);
  }

  static std::string label_filter() { return std::string(kSuiteLabel) + "=" + pid_text(); }

  static std::map<std::string, std::string> labels() {
    return {{kSuiteLabel, pid_text()}, {"faultbox-test.case", ::testing::UnitTest::GetInstance()->current_test_info()->name()}};
  }

  // faultbox-dct-<pid>-<what>: unique across concurrent test processes.
  static std::string unique(const std::string& what) { return "faultbox-dct-" + pid_text() + "-" + what; }

  DockerContainerSpec hello(const std::string& what) {
    DockerContainerSpec spec;
    spec.name = unique(what);
    spec.image = kImage;
    spec.entrypoint = {"/hello"};  // whatever the image says, the test knows its program
    spec.labels = labels();
    return spec;
  }

  DockerContainerState wait_exited(const std::string& id) {
    DockerContainerState state;
    EXPECT_TRUE(eventually([&] {
      state = client_->inspect_container(id, "");
      return state.status == "exited";
    })) << "container still " << state.status;
    return state;
  }

  std::string wait_logs(const std::string& id) {
    std::string text;
    eventually([&] {
      text = client_->logs(id);
      return text.find("hello-stdout") != std::string::npos && text.find("hello-stderr") != std::string::npos;
    });
    return text;
  }

  std::optional<DockerClient> client_;
  std::string bind_dir_;
};

}  // namespace

// --- DOCKER_HOST and an absent daemon: no daemon needed ---------------------

TEST(DockerClientHost, SocketPathOfDockerHost) {
  EXPECT_EQ(DockerClient::socket_path_of(""), "/var/run/docker.sock");
  EXPECT_EQ(DockerClient::socket_path_of("unix:///run/user/1000/docker.sock"), "/run/user/1000/docker.sock");
  for (std::string bad : {"tcp://127.0.0.1:2375", "ssh://me@host", "npipe:////./pipe/docker_engine", "/var/run/docker.sock"}) {
    try {
      DockerClient::socket_path_of(bad);
      ADD_FAILURE() << bad << " must be refused";
    } catch (const DockerError& e) {
      EXPECT_EQ(std::string(e.what()),
                "DOCKER_HOST=" + bad + " is not supported: container mode talks to a unix socket");
      EXPECT_EQ(e.status(), 0);
    }
  }
  EXPECT_THROW(DockerClient::socket_path_of("unix://"), DockerError);
  EXPECT_THROW(DockerClient::socket_path_of("unix://relative.sock"), DockerError);
  EXPECT_THROW(DockerClient::connect("tcp://127.0.0.1:2375"), DockerError);
}

TEST(DockerClientHost, NoSocketMeansNoDaemonInOneLine) {
  std::string path = "/tmp/faultbox-dct-" + pid_text() + "-absent.sock";
  try {
    DockerClient::connect("unix://" + path);
    FAIL() << "connect to a missing socket must throw";
  } catch (const DockerError& e) {
    std::string what = e.what();
    EXPECT_EQ(what, "no Docker daemon answers at " + path + " (start one: `sudo dockerd &`, or set DOCKER_HOST)");
    EXPECT_EQ(e.status(), 0);
  }
}

TEST(DockerClientHost, ASocketNobodyListensOnMeansNoDaemon) {
  // What a crashed dockerd leaves: the socket file, no listener.
  std::string path = "/tmp/faultbox-dct-" + pid_text() + "-stale.sock";
  ::unlink(path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  try {
    DockerClient::connect("unix://" + path);
    ADD_FAILURE() << "connect to a socket without listener must throw";
  } catch (const DockerError& e) {
    EXPECT_NE(std::string(e.what()).find("no Docker daemon answers at " + path), std::string::npos) << e.what();
  }
  ::unlink(path.c_str());
}

TEST(DockerClientHost, ADaemonThatNeverAnswersTimesOut) {
  // Listening but never accepting: the kernel queues the connection and the
  // request, and no answer comes. The timeout must turn that into an error.
  std::string path = "/tmp/faultbox-dct-" + pid_text() + "-mute.sock";
  ::unlink(path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  ASSERT_EQ(::listen(fd.get(), 8), 0);
  try {
    DockerClient::connect("unix://" + path, 300ms);
    ADD_FAILURE() << "a mute daemon must time out";
  } catch (const DockerError& e) {
    std::string what = e.what();
    EXPECT_EQ(what, "docker ping: no answer from the Docker daemon at " + path + " within 300 ms");
    EXPECT_EQ(e.status(), 0);
  }
  ::unlink(path.c_str());
}

// --- against the daemon ------------------------------------------------------

TEST_F(DockerClientTest, PingNegotiatesTheApiVersion) {
  EXPECT_EQ(client_->socket_path(), DockerClient::socket_path_of(docker_host()));
  // min(the daemon's, ours): this daemon is 1.41 (docker.io 20.10), a newer
  // one is spoken to in 1.41 too.
  EXPECT_EQ(client_->api_version(), DockerClient::kMaxApiVersion);
  EXPECT_EQ(client_->timeout(), DockerClient::kDefaultTimeout);
}

TEST_F(DockerClientTest, InspectImageReadsItsConfig) {
  auto image = client_->inspect_image(kImage);
  ASSERT_TRUE(image.has_value());
  EXPECT_TRUE(image->id.starts_with("sha256:")) << image->id;
  EXPECT_FALSE(image->entrypoint.empty() && image->cmd.empty()) << "the hello image runs something";
  // The same image by its id.
  auto by_id = client_->inspect_image(image->id);
  ASSERT_TRUE(by_id.has_value());
  EXPECT_EQ(by_id->id, image->id);
}

TEST_F(DockerClientTest, MissingImageIsNulloptAndCreateNamesItWithoutPulling) {
  std::string missing = "faultbox-test/no-such-image:" + pid_text();
  EXPECT_FALSE(client_->inspect_image(missing).has_value());
  DockerContainerSpec spec = hello("missing-image");
  spec.image = missing;
  try {
    client_->create_container(spec);
    FAIL() << "create with a missing image must throw";
  } catch (const DockerError& e) {
    std::string what = e.what();
    EXPECT_EQ(what, "docker create container " + spec.name + ": image " + missing +
                        " is not present locally and faultbox never pulls (build or load it first)");
    EXPECT_EQ(e.status(), 404);
  }
  EXPECT_FALSE(client_->inspect_image(missing).has_value()) << "nothing was pulled";
  EXPECT_TRUE(client_->list_containers(label_filter()).empty());
}

TEST_F(DockerClientTest, NetworkCreateInspectListRemove) {
  std::string name = unique("net");
  EXPECT_TRUE(client_->list_networks(label_filter()).empty());
  DockerNetwork net = client_->create_network(name, /*internal=*/true, labels());
  EXPECT_EQ(net.name, name);
  EXPECT_EQ(net.id.size(), 64u) << net.id;
  EXPECT_TRUE(net.internal);
  EXPECT_NE(net.subnet.find('/'), std::string::npos) << "an IPv4 subnet: " << net.subnet;
  EXPECT_FALSE(net.gateway.empty());

  DockerNetwork by_name = client_->inspect_network(name);
  EXPECT_EQ(by_name.id, net.id);
  EXPECT_EQ(by_name.subnet, net.subnet);

  auto listed = client_->list_networks(label_filter());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, net.id);
  EXPECT_EQ(listed[0].name, name);
  EXPECT_EQ(listed[0].labels.at(kSuiteLabel), pid_text());
  // The key alone filters too.
  bool found = false;
  for (const auto& n : client_->list_networks(kSuiteLabel)) found = found || n.id == net.id;
  EXPECT_TRUE(found);

  // A second network of the same name is refused, not silently made.
  EXPECT_THROW(client_->create_network(name, true, labels()), DockerError);

  client_->remove_network(net.id);
  EXPECT_TRUE(client_->list_networks(label_filter()).empty());
  try {
    client_->inspect_network(name);
    ADD_FAILURE() << "a removed network must not inspect";
  } catch (const DockerError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_NE(std::string(e.what()).find("docker inspect network " + name + ": "), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(client_->remove_network(net.id)) << "404 counts as done";
}

TEST_F(DockerClientTest, ContainerLifeOnANetwork) {
  DockerNetwork net = client_->create_network(unique("life-net"), /*internal=*/false, labels());
  bind_dir_ = "/tmp/" + unique("bind");
  std::filesystem::create_directories(bind_dir_);
  std::ofstream(bind_dir_ + "/marker") << "marker-" << pid_text();

  DockerContainerSpec spec = hello("life");
  spec.env = {"FBTEST_VAR=yes"};
  spec.binds = {bind_dir_ + ":/data:ro"};
  spec.network = net.name;
  spec.aliases = {"hello-alias"};
  spec.user = "4321:4321";
  // A seccomp profile of a few KiB, as container mode's own would be: the
  // body goes past curl's "Expect: 100-continue" threshold.
  std::string profile = R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[)";
  for (int i = 0; i < 60; ++i) profile += std::string(i ? "," : "") + R"({"names":["acct"],"action":"SCMP_ACT_ERRNO"})";
  profile += "]}";
  ASSERT_GT(profile.size(), 2048u);
  spec.security_opt = {"no-new-privileges:true", "seccomp=" + profile};

  EXPECT_TRUE(client_->list_containers(label_filter()).empty());
  std::string id = client_->create_container(spec);
  EXPECT_EQ(id.size(), 64u) << id;
  auto listed = client_->list_containers(label_filter());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, id);
  EXPECT_EQ(listed[0].name, spec.name);
  EXPECT_EQ(listed[0].labels.at("faultbox-test.case"), "ContainerLifeOnANetwork");
  EXPECT_EQ(client_->inspect_container(id, net.name).status, "created");

  client_->start_container(id);
  EXPECT_NO_THROW(client_->start_container(id)) << "304 counts as done";
  DockerContainerState state = client_->inspect_container(id, net.name);
  EXPECT_TRUE(state.running);
  EXPECT_EQ(state.status, "running");
  ASSERT_GT(state.pid, 0);
  EXPECT_FALSE(state.ip.empty());
  EXPECT_EQ(client_->inspect_container(id, net.id).ip, state.ip) << "the network's id finds it too";
  EXPECT_EQ(client_->inspect_container(id, "").ip, "");

  // What Docker made of the spec, seen from the host.
  EXPECT_EQ(read_file("/proc/" + std::to_string(state.pid) + "/root/data/marker"), "marker-" + pid_text());
  {
    int w = ::open(("/proc/" + std::to_string(state.pid) + "/root/data/marker").c_str(), O_WRONLY | O_CLOEXEC);
    int err = errno;
    if (w >= 0) ::close(w);
    EXPECT_LT(w, 0) << "the bind is read-only";
    EXPECT_EQ(err, EROFS);
  }
  auto env = environ_of(state.pid);
  EXPECT_TRUE(contains(env, "FBTEST_VAR=yes"));
  auto image = client_->inspect_image(kImage);
  ASSERT_TRUE(image.has_value());
  for (const auto& e : image->env) EXPECT_TRUE(contains(env, e)) << "image env " << e;
  EXPECT_TRUE(status_field(state.pid, "Uid").starts_with("4321\t")) << status_field(state.pid, "Uid");
  EXPECT_EQ(status_field(state.pid, "NoNewPrivs"), "1");
  EXPECT_EQ(status_field(state.pid, "Seccomp"), "2");
  EXPECT_EQ(resolve_inside(state.pid, "hello-alias"), state.ip);

  std::string text = wait_logs(id);
  EXPECT_NE(text.find("hello-stdout\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hello-stderr\n"), std::string::npos) << text;
  EXPECT_EQ(text.size(), std::string("hello-stdout\nhello-stderr\n").size()) << "no frame headers in the text";

  client_->kill_container(id);
  state = wait_exited(id);
  EXPECT_FALSE(state.running);
  EXPECT_EQ(state.pid, 0);
  EXPECT_EQ(state.exit_code, 137);
  EXPECT_EQ(state.ip, "");
  EXPECT_NO_THROW(client_->kill_container(id)) << "409 (not running) counts as done";

  client_->remove_container(id);
  EXPECT_TRUE(client_->list_containers(label_filter()).empty());
  EXPECT_NO_THROW(client_->remove_container(id)) << "404 counts as done";
  EXPECT_NO_THROW(client_->kill_container(id)) << "404 counts as done";
  client_->remove_network(net.id);
}

TEST_F(DockerClientTest, CmdGivesTheExitCodeAndLogsKeepBothStreams) {
  DockerContainerSpec spec = hello("exit");
  spec.cmd = {"exit", "7"};
  std::string id = client_->create_container(spec);
  client_->start_container(id);
  DockerContainerState state = wait_exited(id);
  EXPECT_EQ(state.exit_code, 7);
  EXPECT_FALSE(state.oom_killed);
  EXPECT_EQ(state.error, "");
  std::string text = client_->logs(id);
  EXPECT_NE(text.find("hello-stdout\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hello-stderr\n"), std::string::npos) << text;
  client_->remove_container(id);
}

TEST_F(DockerClientTest, AnEmptyEntrypointResetsTheImageOne) {
  // If the image's entrypoint were kept, the container would run
  // `/hello /hello exit 5`, which does not exit 5.
  DockerContainerSpec spec = hello("reset");
  spec.entrypoint = {};
  spec.cmd = {"/hello", "exit", "5"};
  std::string id = client_->create_container(spec);
  client_->start_container(id);
  EXPECT_EQ(wait_exited(id).exit_code, 5);
}

TEST_F(DockerClientTest, AStartFailureCarriesTheDaemonMessageOnOneLine) {
  DockerContainerSpec spec = hello("bad-entrypoint");
  spec.entrypoint = {"/no-such-program"};
  std::string id = client_->create_container(spec);
  try {
    client_->start_container(id);
    FAIL() << "starting a missing program must throw";
  } catch (const DockerError& e) {
    std::string what = e.what();
    EXPECT_TRUE(what.starts_with("docker start container " + id.substr(0, 12) + ": ")) << what;
    EXPECT_NE(what.find("/no-such-program"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_GE(e.status(), 400);
  }
}

TEST_F(DockerClientTest, MissingObjectsAreErrorsOr404Done) {
  std::string ghost = unique("ghost");
  try {
    client_->inspect_container(ghost, "");
    ADD_FAILURE() << "inspect of a missing container must throw";
  } catch (const DockerError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(std::string(e.what()), "docker inspect container " + ghost + ": No such container: " + ghost + " (HTTP 404)");
  }
  EXPECT_THROW(client_->logs(ghost), DockerError);
  EXPECT_THROW(client_->start_container(ghost), DockerError);
  EXPECT_NO_THROW(client_->kill_container(ghost));
  EXPECT_NO_THROW(client_->remove_container(ghost));
  EXPECT_NO_THROW(client_->remove_network(ghost));
  EXPECT_THROW(client_->inspect_container("", ""), DockerError) << "an empty id must not address the collection";
}

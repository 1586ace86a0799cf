// ContainerSession against the real daemon (DOCKER_HOST, default
// /var/run/docker.sock), faultbox-shim (FAULTBOX_SHIM_PATH) and the images of
// tests/images/build_test_images.sh: the handover of a real container, our
// filter on top of Docker's, the shim's refusals as one-line errors, what the
// shim is told to exec, the sweep of dead runs, teardown and the run's
// network.
//
// The ContainerSession* suites that talk to the daemon fail (never skip)
// without a daemon, the shim or an image. Objects a test makes by hand carry
// the label faultbox-test.container-session=<this pid>; the fixture's
// TearDown removes them, and whatever a session of this process left
// (label faultbox.owner=<this pid>:<start>), should a test fail half-way.
#include "engine/ContainerSession.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/CurlGlobal.h"
#include "engine/EngineError.h"
#include "engine/SeccompProgram.h"
#include "engine/UniqueFd.h"
#include "tests/engine/expect_contains.h"
#include "tests/engine/docker_test_support.h"
#include "tests/engine/allow_all_supervisor.h"

using namespace faultbox::engine;
using namespace faultbox::engine::docker_test;
namespace star = faultbox::star;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr const char* kHello = "faultbox-test/hello:latest";
constexpr const char* kEcho = "faultbox-test/echo:latest";
constexpr const char* kSetuid = "faultbox-test/setuid:latest";
constexpr const char* kRedis = "redis:7";
constexpr const char* kApi = "company/api:latest";
constexpr const char* kSuiteLabel = "faultbox-test.container-session";
constexpr const char* kOwnerLabel = "faultbox.owner";

std::string pid_text() { return std::to_string(::getpid()); }

std::string temp_root() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

// Field 22 of /proc/self/stat (after the parenthesised comm): this
// process's start time in clock ticks, the second half of an owner label.
std::string own_start_time() {
  std::string stat = read_file("/proc/self/stat");
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return "";
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i)
    if (i == 22) return field;
  return "";
}

std::string own_owner() { return pid_text() + ":" + own_start_time(); }

bool host_has_address(const std::string& ip) {
  in_addr want{};
  if (::inet_pton(AF_INET, ip.c_str(), &want) != 1) return false;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) < 0) return false;
  bool found = false;
  for (ifaddrs* a = list; a && !found; a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET)
      found = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr == want.s_addr;
  ::freeifaddrs(list);
  return found;
}

// Whether IPv4 `ip` lies in `cidr` ("172.18.0.0/16").
bool in_subnet(const std::string& ip, const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  in_addr a{}, net{};
  if (::inet_pton(AF_INET, ip.c_str(), &a) != 1 || ::inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &net) != 1)
    return false;
  int bits = std::atoi(cidr.c_str() + slash + 1);
  if (bits < 0 || bits > 32) return false;
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (ntohl(a.s_addr) & mask) == (ntohl(net.s_addr) & mask);
}

// One line to `ip`:`port` over TCP and the answer up to its newline;
// "error: …" when the exchange fails (5 s bound on each step).
std::string tcp_line(const std::string& ip, uint16_t port, const std::string& line) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
    return std::string("error: connect: ") + std::strerror(errno);
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    return std::string("error: send: ") + std::strerror(errno);
  std::string got;
  char c;
  while (got.empty() || got.back() != '\n') {
    ssize_t n = ::recv(fd.get(), &c, 1, 0);
    if (n <= 0)
      return "error: recv: " + (n < 0 ? std::string(std::strerror(errno)) : "closed") + " after \"" + got + "\"";
    got += c;
  }
  return got;
}


// A pid that just died: a child that exited and was reaped. Nothing else
// can have it until the kernel's pid counter wraps.
pid_t dead_pid() {
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  if (child > 0) ::waitpid(child, nullptr, 0);
  return child;
}

// The shim folder of session `run_name` (faultbox-<pid>-<suffix>, the
// suffix being the folder's mkdtemp suffix lowercased): "" if none is found.
std::string shim_dir_of(const std::string& run_name) {
  std::string prefix = "faultbox-" + pid_text() + "-";
  if (!run_name.starts_with(prefix)) return "";
  std::string suffix = run_name.substr(prefix.size());
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(temp_root(), ec)) {
    std::string name = e.path().filename().string();
    std::string mine = "faultbox-shim-" + pid_text() + "-";
    if (!name.starts_with(mine)) continue;
    // faultbox-shim-<pid>-<start time>-<suffix>: the run's name carries the suffix.
    std::string theirs = name.substr(name.rfind('-') + 1);
    std::transform(theirs.begin(), theirs.end(), theirs.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (theirs == suffix) return e.path().string();
  }
  return "";
}

// One request to the daemon outside DockerClient's vocabulary (the tests
// need `commit` and image removal, which faultbox itself never does).
struct RawReply {
  long status = 0;  // 0: no answer
  std::string body;
};

RawReply docker_raw(const char* method, const std::string& path) {
  ensure_curl_initialized();
  RawReply reply;
  // An empty body, declared JSON: the daemon refuses a form's content type.
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> c(curl_easy_init(), curl_easy_cleanup);
  if (!c) return reply;
  std::string socket = DockerClient::socket_path_of(docker_host());
  std::string url = std::string("http://docker/v") + DockerClient::kMaxApiVersion + path;
  auto on_body = +[](char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  };
  curl_easy_setopt(c.get(), CURLOPT_UNIX_SOCKET_PATH, socket.c_str());
  curl_easy_setopt(c.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(c.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c.get(), CURLOPT_TIMEOUT_MS, 30'000L);
  curl_easy_setopt(c.get(), CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(c.get(), CURLOPT_HTTPHEADER, headers.get());
  if (std::string(method) == "POST") curl_easy_setopt(c.get(), CURLOPT_POSTFIELDS, "");
  if (curl_easy_perform(c.get()) == CURLE_OK) curl_easy_getinfo(c.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

std::string url_escape(const std::string& text) {
  char* e = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

star::ServiceSpec service(const std::string& name, const std::string& image, std::vector<std::string> args = {}) {
  star::ServiceSpec s;
  s.name = name;
  s.image = image;
  s.args = std::move(args);
  return s;
}

class ContainerSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    try {
      client_.emplace(DockerClient::connect(docker_host()));
    } catch (const DockerError& e) {
      FAIL() << "the ContainerSession suite needs a Docker daemon (./run.sh test starts one): " << e.what();
    }
    for (const char* image : {kHello, kEcho, kSetuid, kRedis, kApi})
      if (!client_->inspect_image(image))
        FAIL() << "the ContainerSession suite needs the image " << image
               << " (build it: bash tests/images/build_test_images.sh BUILD_DIR)";
    struct stat st {};
    if (::stat(FAULTBOX_SHIM_PATH, &st) != 0)
      FAIL() << "the ContainerSession suite needs faultbox-shim at " << FAULTBOX_SHIM_PATH
             << " (ninja faultbox-shim)";
    program_.emplace(SeccompProgram::build_standard());
    sweep_dead_images();
  }

  // Removes whatever this process made or a session of it left, so a
  // failed assertion half-way through a test leaves nothing behind.
  void TearDown() override {
    if (!client_) return;
    try {
      for (const std::string& filter : {suite_filter(), std::string(kOwnerLabel) + "=" + own_owner()}) {
        for (const auto& c : client_->list_containers(filter)) client_->remove_container(c.id);
        for (const auto& n : client_->list_networks(filter)) client_->remove_network(n.id);
      }
    } catch (const DockerError& e) {
      ADD_FAILURE() << "cleanup failed: " << e.what();
    }
    std::error_code ignored;
    for (const std::string& dir : made_dirs_) fs::remove_all(dir, ignored);
    for (const std::string& image : made_images_) {
      RawReply r = docker_raw("DELETE", "/images/" + url_escape(image) + "?force=1");
      if (r.status != 200 && r.status != 404) ADD_FAILURE() << "cannot remove image " << image << ": " << r.body;
    }
  }

  // Images committed by test processes that are gone (a crash skipped their
  // TearDown): removed so they do not pile up.
  void sweep_dead_images() {
    std::string filters = url_escape(nlohmann::json{{"label", {kSuiteLabel}}}.dump());
    RawReply r = docker_raw("GET", "/images/json?filters=" + filters);
    if (r.status != 200) return;
    for (const auto& image : nlohmann::json::parse(r.body, nullptr, false)) {
      if (!image.is_object() || !image.contains("Labels") || !image["Labels"].is_object()) continue;
      pid_t pid = static_cast<pid_t>(std::atol(image["Labels"].value(kSuiteLabel, "0").c_str()));
      if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
        docker_raw("DELETE", "/images/" + url_escape(image.value("Id", "")) + "?force=1");
    }
  }

  // faultbox-test/hello made into an image with a cmd and no entrypoint
  // (none of the built images is one), committed from a container that
  // never ran. No registry is involved: commit is local.
  std::string only_cmd_image() {
    DockerContainerSpec spec;
    spec.name = unique("commit-source");
    spec.image = kHello;
    spec.entrypoint = {};  // sent empty: resets the image's
    spec.cmd = {"/hello"};
    spec.labels = labels();
    std::string id = client_->create_container(spec);
    std::string repo = "faultbox-test/cst-" + pid_text() + "-only-cmd";
    std::string path = "/commit?container=" + id + "&repo=" + url_escape(repo) + "&tag=latest";
    for (std::string change : {std::string("ENTRYPOINT []"), std::string(R"(CMD ["/hello"])"),
                               std::string("LABEL ") + kSuiteLabel + "=" + pid_text()})
      path += "&changes=" + url_escape(change);
    RawReply r = docker_raw("POST", path);
    client_->remove_container(id);
    if (r.status != 201) {
      ADD_FAILURE() << "docker commit " << repo << ": HTTP " << r.status << " " << r.body;
      return "";
    }
    made_images_.push_back(repo + ":latest");
    return repo + ":latest";
  }

  ContainerSessionOptions options() const {
    ContainerSessionOptions o;
    o.docker_host = docker_host();
    o.shim_binary = FAULTBOX_SHIM_PATH;
    o.handover_timeout = 15'000ms;
    return o;
  }

  static std::string suite_filter() { return std::string(kSuiteLabel) + "=" + pid_text(); }

  // Labels of a hand-made object; `owner` non-empty adds faultbox.owner.
  static std::map<std::string, std::string> labels(const std::string& owner = "") {
    std::map<std::string, std::string> l = {
        {kSuiteLabel, pid_text()},
        {"faultbox-test.case", ::testing::UnitTest::GetInstance()->current_test_info()->name()}};
    if (!owner.empty()) l[kOwnerLabel] = owner;
    return l;
  }

  static std::string unique(const std::string& what) { return "faultbox-cst-" + pid_text() + "-" + what; }

  // A hello container made and started by hand, outside any session.
  std::string start_plain_hello(const std::string& what, const std::string& owner = "") {
    DockerContainerSpec spec;
    spec.name = unique(what);
    spec.image = kHello;
    spec.entrypoint = {"/hello"};
    spec.labels = labels(owner);
    std::string id = client_->create_container(spec);
    client_->start_container(id);
    return id;
  }

  // A hello container made by hand and left in state "created": what a
  // faultbox killed between create and start leaves, and quick to make.
  std::string create_plain_hello(const std::string& what, const std::string& owner) {
    DockerContainerSpec spec;
    spec.name = unique(what);
    spec.image = kHello;
    spec.entrypoint = {"/hello"};
    spec.labels = labels(owner);
    return client_->create_container(spec);
  }

  // A folder named like a session's shim folder, for faultbox pid `pid`.
  std::string make_shim_dir(pid_t pid) {
    std::string tmpl = temp_root() + "/faultbox-shim-" + std::to_string(pid) + "-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      ADD_FAILURE() << "mkdtemp " << tmpl << ": " << std::strerror(errno);
      return "";
    }
    std::ofstream(tmpl + "/handover.sock.stale") << "left by a killed faultbox";
    made_dirs_.push_back(tmpl);
    return tmpl;
  }

  // The EnvironmentError text of start(), or "(no error)".
  std::string start_error(ContainerSession& session, const star::ServiceSpec& spec) {
    try {
      session.start(spec, *program_);
    } catch (const EnvironmentError& e) {
      return e.what();
    }
    return "(no error)";
  }

  // Service `name`'s container of `session`'s run has stopped: nothing of a
  // refused start keeps running.
  // Returns its id ("" if there is not exactly one).
  std::string expect_stopped(ContainerSession& session, const std::string& name) {
    std::vector<DockerObject> run = client_->list_containers("faultbox.run=" + session.run_name());
    std::erase_if(run, [&](const DockerObject& c) {
      auto it = c.labels.find("faultbox.service");
      return it == c.labels.end() || it->second != name;
    });
    EXPECT_EQ(run.size(), 1u) << "the refused container is kept (for its log) until teardown";
    for (const DockerObject& c : run) {
      DockerContainerState state;
      EXPECT_TRUE(eventually([&] {
        state = client_->inspect_container(c.id, "");
        return !state.running;
      })) << c.name << " still " << state.status;
      EXPECT_EQ(state.pid, 0) << c.name;
      EXPECT_NE(state.exit_code, 0) << c.name << ": the shim refused, so it did not exit 0";
    }
    return run.size() == 1 ? run[0].id : "";
  }

  std::optional<DockerClient> client_;
  std::optional<SeccompProgram> program_;
  std::vector<std::string> made_dirs_;
  std::vector<std::string> made_images_;
};

}  // namespace

// --- command_of: what the shim is told to exec (no daemon needed) ----------

TEST(ContainerSessionCommand, EntrypointThenCmdOrArgs) {
  DockerImage both;
  both.entrypoint = {"docker-entrypoint.sh"};
  both.cmd = {"redis-server"};
  EXPECT_EQ(ContainerSession::command_of(both, {}), (std::vector<std::string>{"docker-entrypoint.sh", "redis-server"}));
  // args= replaces cmd, never the entrypoint (as `docker run IMAGE ARGS...`).
  EXPECT_EQ(ContainerSession::command_of(both, {"--port", "7000"}),
            (std::vector<std::string>{"docker-entrypoint.sh", "--port", "7000"}));

  DockerImage only_cmd;
  only_cmd.cmd = {"/bin/sh", "-c", "exec server"};
  EXPECT_EQ(ContainerSession::command_of(only_cmd, {}), only_cmd.cmd);
  EXPECT_EQ(ContainerSession::command_of(only_cmd, {"/bin/other", "x"}), (std::vector<std::string>{"/bin/other", "x"}));

  DockerImage only_entrypoint;
  only_entrypoint.entrypoint = {"/usr/local/bin/shop-api"};
  EXPECT_EQ(ContainerSession::command_of(only_entrypoint, {}), only_entrypoint.entrypoint);
  EXPECT_EQ(ContainerSession::command_of(only_entrypoint, {"-v"}),
            (std::vector<std::string>{"/usr/local/bin/shop-api", "-v"}));

  EXPECT_TRUE(ContainerSession::command_of(DockerImage{}, {}).empty()) << "nothing to run: start() says so";
}

TEST_F(ContainerSessionTest, CommandOfTheLocalImages) {
  // The same, read from the images Docker holds.
  std::optional<DockerImage> redis = client_->inspect_image(kRedis);
  ASSERT_TRUE(redis);
  EXPECT_EQ(ContainerSession::command_of(*redis, {}),
            (std::vector<std::string>{"docker-entrypoint.sh", "redis-server"}));
  EXPECT_EQ(ContainerSession::command_of(*redis, {"redis-server", "--port", "6380"}),
            (std::vector<std::string>{"docker-entrypoint.sh", "redis-server", "--port", "6380"}));
  std::optional<DockerImage> api = client_->inspect_image(kApi);
  ASSERT_TRUE(api);
  EXPECT_TRUE(api->cmd.empty()) << "company/api has an entrypoint and no cmd";
  EXPECT_EQ(ContainerSession::command_of(*api, {}), (std::vector<std::string>{"/usr/local/bin/shop-api"}));
  std::optional<DockerImage> hello = client_->inspect_image(kHello);
  ASSERT_TRUE(hello);
  EXPECT_EQ(ContainerSession::command_of(*hello, {"exit", "3"}), (std::vector<std::string>{"/hello", "exit", "3"}));
}

// --- start(): the handover of a real container --------------------------------

TEST_F(ContainerSessionTest, StartHandsOverAndTheGoAheadRunsTheImageProgram) {
  ContainerSession session(options());
  ContainerSession::Started started = session.start(service("hello", kHello), *program_);
  ASSERT_FALSE(started.id.empty());
  ASSERT_GT(started.pid, 0);
  EXPECT_EQ(started.process.pid, started.pid);
  ASSERT_TRUE(started.process.listener.valid()) << "the shim's seccomp listener is ours";
  EXPECT_TRUE(started.process.pidfd.valid());
  EXPECT_EQ(started.handover.program(), "/hello") << "the image's entrypoint, resolved in the container";
  EXPECT_EQ(started.handover.euid(), 0u) << "the image's user (root)";
  EXPECT_FALSE(started.handover.gone_ahead());

  // Held: the filter is on and the program has not run.
  EXPECT_EQ(status_field(started.pid, "Seccomp"), "2");
  EXPECT_EQ(session.exit_text(started.id), "") << "the shim waits, it did not exit";
  EXPECT_EQ(session.logs(started.id).find("hello-stdout"), std::string::npos) << "the program ran before the go-ahead";

  faultbox::engine::testing::AllowAllSupervisor supervisor(std::move(started.process.listener));
  started.handover.go_ahead();
  EXPECT_TRUE(started.handover.gone_ahead());
  std::string log;
  EXPECT_TRUE(eventually([&] {
    log = session.logs(started.id);
    return log.find("hello-stdout") != std::string::npos && log.find("hello-stderr") != std::string::npos;
  })) << "the program's log: " << log;
  EXPECT_CONTAINS(log, "hello-stdout\n");
  EXPECT_CONTAINS(log, "hello-stderr\n");
  EXPECT_EQ(log.find("faultbox-shim"), std::string::npos) << "the shim said nothing: " << log;
  EXPECT_EQ(session.exit_text(started.id), "") << "hello sleeps until killed";

  // The same process now runs /hello, under our filter on top of Docker's.
  std::string comm = read_file("/proc/" + std::to_string(started.pid) + "/comm");
  EXPECT_EQ(comm, "hello\n") << "the shim exec'd the image's program in place";
  EXPECT_EQ(status_field(started.pid, "Seccomp"), "2");
  EXPECT_EQ(status_field(started.pid, "NoNewPrivs"), "1");
  std::string ours = status_field(started.pid, "Seccomp_filters");
  ASSERT_FALSE(ours.empty()) << "this kernel shows no Seccomp_filters line";

  std::string plain = start_plain_hello("plain");
  DockerContainerState plain_state = client_->inspect_container(plain, "");
  ASSERT_TRUE(plain_state.running);
  std::string theirs = status_field(plain_state.pid, "Seccomp_filters");
  EXPECT_EQ(status_field(plain_state.pid, "Seccomp"), "2") << "Docker's own profile";
  ASSERT_FALSE(theirs.empty());
  EXPECT_EQ(std::atoi(ours.c_str()), std::atoi(theirs.c_str()) + 1)
      << "ours " << ours << " filters; a plain container of the same image " << theirs;
  client_->remove_container(plain);
}

TEST_F(ContainerSessionTest, AProfileForbiddingSeccompIsAnErrorNamingIt) {
  // Docker's profile is what the shim's seccomp(2) runs under: this one
  // allows everything else, so the only refusal is the install itself.
  ContainerSessionOptions o = options();
  o.security_opt = {
      R"(seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["seccomp"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]})"};
  ContainerSession session(o);
  std::string what = start_error(session, service("guarded", kHello));
  EXPECT_CONTAINS(what, "installing the seccomp filter failed: EPERM");
  EXPECT_CONTAINS(what, "the container's seccomp profile forbids installing seccomp filters");
  EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  // The shim said it on stderr too (Docker's log may lag the socket, so
  // read it from the daemon rather than log_of_failed()'s snapshot).
  std::string id = expect_stopped(session, "guarded");
  std::string log;
  EXPECT_TRUE(eventually([&] {
    log = id.empty() ? "" : session.logs(id);
    return log.find("faultbox-shim: installing the seccomp filter failed") != std::string::npos;
  })) << log;
  EXPECT_EQ(log.find("hello-stdout"), std::string::npos) << "the program never ran";
  EXPECT_EQ(session.log_of_failed().find("hello-stdout"), std::string::npos);
}

TEST_F(ContainerSessionTest, AnImageWithOnlyCmdRunsItAndArgsReplaceIt) {
  std::string image = only_cmd_image();
  ASSERT_FALSE(image.empty());
  std::optional<DockerImage> config = client_->inspect_image(image);
  ASSERT_TRUE(config);
  EXPECT_TRUE(config->entrypoint.empty()) << "the committed image has no entrypoint";
  EXPECT_EQ(config->cmd, (std::vector<std::string>{"/hello"}));
  EXPECT_EQ(ContainerSession::command_of(*config, {}), (std::vector<std::string>{"/hello"}));

  ContainerSession session(options());
  ContainerSession::Started started = session.start(service("plain", image), *program_);
  EXPECT_EQ(started.handover.program(), "/hello") << "the cmd is what the shim runs";

  // args= replaces the cmd: a program the image lacks is named before any
  // filter is installed, and nothing runs.
  std::string what = start_error(session, service("ghost", image, {"/nonexistent", "--flag"}));
  EXPECT_CONTAINS(what, "cannot run /nonexistent");
  EXPECT_CONTAINS(what, "ENOENT");
  EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  expect_stopped(session, "ghost");
  EXPECT_EQ(session.exit_text(started.id), "") << "the other container is untouched, still held";
}

TEST_F(ContainerSessionTest, ASetuidEntrypointIsRefused) {
  ContainerSession session(options());
  std::string what = start_error(session, service("suid", kSetuid));
  EXPECT_CONTAINS(what, "cannot run /hello: it is setuid (owner uid 65534, running as uid 0)");
  EXPECT_CONTAINS(what, "no_new_privs");
  EXPECT_EQ(what.find('\n'), std::string::npos) << "one line: " << what;
  std::string id = expect_stopped(session, "suid");
  EXPECT_EQ(session.log_of_failed().find("hello-stdout"), std::string::npos) << "the program never ran";
  if (!id.empty()) {
    EXPECT_EQ(session.logs(id).find("hello-stdout"), std::string::npos) << "the program never ran";
  }
}

// --- the sweep of dead runs -------------------------------------------------

TEST_F(ContainerSessionTest, SweepRemovesWhatDeadRunsLeftAndKeepsLiveOnes) {
  std::string live_container = start_plain_hello("live", own_owner());
  DockerNetwork live_network = client_->create_network(unique("live-net"), /*internal=*/true, labels(own_owner()));
  std::string live_dir = make_shim_dir(::getpid());
  ASSERT_FALSE(live_dir.empty());
  auto has = [](const std::vector<std::string>& v, const std::string& id) {
    return std::find(v.begin(), v.end(), id) != v.end();
  };

  // Any faultbox starting meanwhile (ctest -j runs test processes side by
  // side) sweeps the same leftovers and may take some of ours from this
  // session's count: a few attempts, each with fresh leftovers. Whoever
  // swept them, they must be gone every time.
  int swept = -1;  // -1: another faultbox swept first on every attempt
  for (int attempt = 1; attempt <= 5 && swept < 4; ++attempt) {
    SCOPED_TRACE("attempt " + std::to_string(attempt));
    pid_t dead = dead_pid();
    ASSERT_GT(dead, 0);
    std::string dead_owner = std::to_string(dead) + ":4242";
    // A live pid with another start time: the faultbox that had this pid is
    // gone and the pid was reused.
    std::string reused_owner = pid_text() + ":1";
    ASSERT_NE(reused_owner, own_owner());
    std::string n = std::to_string(attempt);
    // Made quickly, one after the other: the less time they stand, the less
    // likely another faultbox sweeps them first.
    std::string dead_container = start_plain_hello("dead-" + n, dead_owner);
    DockerNetwork dead_network =
        client_->create_network(unique("dead-net-" + n), /*internal=*/true, labels(dead_owner));
    std::string dead_dir = make_shim_dir(dead);
    ASSERT_FALSE(dead_dir.empty());
    std::string reused_container = create_plain_hello("reused-" + n, reused_owner);

    // Still all there? If another faultbox swept meanwhile, this attempt
    // cannot count them.
    std::vector<std::string> containers, networks;
    for (const auto& c : client_->list_containers(suite_filter())) containers.push_back(c.id);
    for (const auto& net : client_->list_networks(suite_filter())) networks.push_back(net.id);
    bool intact = has(containers, dead_container) && has(containers, reused_container) &&
                  has(networks, dead_network.id) && fs::exists(dead_dir);

    ContainerSession session(options());
    if (intact) swept = session.swept();

    containers.clear();
    networks.clear();
    for (const auto& c : client_->list_containers(suite_filter())) containers.push_back(c.id);
    for (const auto& net : client_->list_networks(suite_filter())) networks.push_back(net.id);
    EXPECT_FALSE(has(containers, dead_container)) << "a dead owner's container is swept";
    EXPECT_FALSE(has(containers, reused_container)) << "an owner whose pid was reused is dead too";
    EXPECT_FALSE(has(networks, dead_network.id)) << "a dead owner's network is swept";
    EXPECT_FALSE(fs::exists(dead_dir)) << "a dead faultbox's shim folder is swept";
    EXPECT_TRUE(has(containers, live_container)) << "a live owner's container is kept";
    EXPECT_TRUE(has(networks, live_network.id)) << "a live owner's network is kept";
    EXPECT_TRUE(fs::exists(live_dir)) << "a live faultbox's shim folder is kept";
    EXPECT_EQ(client_->inspect_container(live_container, "").status, "running") << "not even killed";
  }
  // Our four at least (another faultbox's dead leftovers may be counted too).
  EXPECT_GE(swept, 4) << "swept() does not count what the session removed";
}

// --- teardown ------------------------------------------------------------------

TEST_F(ContainerSessionTest, DestructorRemovesContainersNetworkAndShimFolder) {
  std::optional<ContainerSession> session;
  session.emplace(options());
  std::string name = session->run_name();
  EXPECT_TRUE(name.starts_with("faultbox-" + pid_text() + "-")) << name;
  std::string net_id = session->network().id;
  std::string dir = shim_dir_of(name);
  ASSERT_FALSE(dir.empty()) << "no shim folder for run " << name << " in " << temp_root();
  EXPECT_TRUE(fs::exists(dir + "/handover.sock"));

  // One container held before its go-ahead, one running its program.
  ContainerSession::Started held = session->start(service("held", kHello), *program_);
  ContainerSession::Started running = session->start(service("running", kHello), *program_);
  faultbox::engine::testing::AllowAllSupervisor supervisor(std::move(running.process.listener));
  running.handover.go_ahead();
  ASSERT_TRUE(eventually([&] { return session->logs(running.id).find("hello-stdout") != std::string::npos; }));
  std::vector<DockerObject> before = client_->list_containers("faultbox.run=" + name);
  ASSERT_EQ(before.size(), 2u);
  for (const DockerObject& c : before) {
    EXPECT_TRUE(c.name == name + "-held" || c.name == name + "-running") << c.name;
    EXPECT_EQ(c.labels.at(kOwnerLabel), own_owner());
  }
  ASSERT_EQ(client_->list_networks("faultbox.run=" + name).size(), 1u);

  session.reset();

  EXPECT_TRUE(client_->list_containers("faultbox.run=" + name).empty());
  EXPECT_TRUE(client_->list_networks("faultbox.run=" + name).empty());
  try {
    client_->inspect_network(net_id);
    ADD_FAILURE() << "the run's network " << name << " outlived its session";
  } catch (const DockerError& e) {
    EXPECT_EQ(e.status(), 404) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir)) << dir;
  // Both processes are gone, the held one too (it waited in a notification
  // nobody answered).
  for (const ContainerSession::Started* s : {&held, &running}) {
    pollfd p{s->process.pidfd.get(), POLLIN, 0};
    EXPECT_TRUE(eventually([&] { return ::poll(&p, 1, 0) == 1; })) << "pid " << s->pid << " still runs";
  }
}

// --- the run's network -----------------------------------------------------------

TEST_F(ContainerSessionTest, TheRunsNetworkIsReachableFromTheHost) {
  ContainerSession session(options());
  const DockerNetwork& net = session.network();
  EXPECT_EQ(net.name, session.run_name());
  EXPECT_TRUE(host_has_address(net.gateway)) << "the probe: the host holds the gateway " << net.gateway;
  EXPECT_TRUE(in_subnet(net.gateway, net.subnet)) << net.gateway << " in " << net.subnet;
  DockerNetwork seen = client_->inspect_network(net.id);
  EXPECT_EQ(seen.internal, net.internal);
  EXPECT_EQ(seen.subnet, net.subnet);
  std::vector<DockerObject> listed = client_->list_networks("faultbox.run=" + session.run_name());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].labels.at(kOwnerLabel), own_owner());

  ContainerSession::Started echo = session.start(service("echo", kEcho), *program_);
  EXPECT_TRUE(in_subnet(echo.ip, net.subnet)) << echo.ip << " in " << net.subnet;
  EXPECT_NE(echo.ip, net.gateway);
  EXPECT_EQ(resolve_inside(echo.pid, "echo"), echo.ip) << "the service name is a DNS alias on the run's network";

  // Nothing is published: the host dials the container's own address.
  faultbox::engine::testing::AllowAllSupervisor supervisor(std::move(echo.process.listener));
  echo.handover.go_ahead();
  std::string answer;
  EXPECT_TRUE(eventually([&] {
    answer = tcp_line(echo.ip, 7000, "ping\n");
    return answer == "ping\n";
  })) << answer << "; log: " << session.logs(echo.id);
}

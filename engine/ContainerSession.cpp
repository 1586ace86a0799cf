#include "engine/ContainerSession.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/EngineError.h"
#include "engine/OwnerTag.h"

namespace faultbox::engine {

namespace fs = std::filesystem;

namespace {

// Where the shim and its socket folder appear inside every container
// (shim/ShimProtocol.h's protocol runs over that socket).
constexpr const char* kShimInContainer = "/.faultbox/shim";
constexpr const char* kSocketDirInContainer = "/.faultbox/run";
constexpr const char* kSocketInContainer = "/.faultbox/run/handover.sock";
constexpr const char* kShimDirPrefix = "faultbox-shim-";

// Whether `ip` is one of the host's own interface addresses: the host can
// reach a network whose gateway address it holds.
bool host_has_address(const std::string& ip) {
  in_addr want{};
  if (ip.empty() || ::inet_pton(AF_INET, ip.c_str(), &want) != 1) return false;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) < 0) return false;
  bool found = false;
  for (ifaddrs* a = list; a && !found; a = a->ifa_next)
    if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET)
      found = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr == want.s_addr;
  ::freeifaddrs(list);
  return found;
}

}  // namespace

std::vector<std::string> ContainerSession::command_of(const DockerImage& image, const std::vector<std::string>& args) {
  std::vector<std::string> out = image.entrypoint;
  const std::vector<std::string>& tail = args.empty() ? image.cmd : args;
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

bool any_container(const star::Topology& topology) {
  for (const star::ServiceSpec& s : topology.services)
    if (!s.image.empty()) return true;
  return false;
}

std::string mixed_modes(const star::Topology& topology) {
  const star::ServiceSpec* first_image = nullptr;
  const star::ServiceSpec* first_binary = nullptr;
  for (const star::ServiceSpec& s : topology.services) {
    if (!s.image.empty() && !first_image) first_image = &s;
    if (s.image.empty() && !first_binary) first_binary = &s;
  }
  if (!first_image || !first_binary) return "";
  return "service " + first_image->name + " is a container (image=) and service " + first_binary->name +
         " a local binary (binary=): one spec runs all its services one way; mixing both is not supported yet";
}

ContainerSession::ContainerSession(ContainerSessionOptions options)
    : options_(std::move(options)), docker_(DockerClient::connect(options_.docker_host)), owner_(owner_of_self()) {
  struct stat st {};
  if (options_.shim_binary.empty() || ::stat(options_.shim_binary.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
    throw EnvironmentError("faultbox-shim not found" +
                           (options_.shim_binary.empty() ? std::string() : " at " + options_.shim_binary) +
                           " (it is built next to the faultbox binary; container mode needs it)");
  sweep_leftovers();
  // faultbox-shim-<pid>-<start time>-XXXXXX: the owner, as the labels name it.
  shim_dir_ = make_owned_temp_dir(kShimDirPrefix);
  // A non-root image user must reach the socket through the bind mount.
  ::chmod(shim_dir_.c_str(), 0755);
  std::string suffix = shim_dir_.substr(shim_dir_.rfind('-') + 1);
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  name_ = "faultbox-" + std::to_string(::getpid()) + "-" + suffix;
  try {
    listener_ = std::make_unique<ShimListener>(shim_dir_);
    create_network();
  } catch (...) {
    teardown();
    throw;
  }
}

ContainerSession::~ContainerSession() { teardown(); }

void ContainerSession::sweep_leftovers() {
  for (const DockerObject& c : docker_.list_containers("faultbox.owner")) {
    auto it = c.labels.find("faultbox.owner");
    if (it == c.labels.end() || owner_alive(it->second)) continue;
    try {
      docker_.kill_container(c.id);
      docker_.remove_container(c.id);
      ++swept_;
    } catch (const DockerError&) {
      // Someone else (another faultbox sweeping) got there first.
    }
  }
  for (const DockerObject& n : docker_.list_networks("faultbox.owner")) {
    auto it = n.labels.find("faultbox.owner");
    if (it == n.labels.end() || owner_alive(it->second)) continue;
    try {
      docker_.remove_network(n.id);
      ++swept_;
    } catch (const DockerError&) {
    }
  }
  swept_ += sweep_owned_temp_dirs(kShimDirPrefix);
}

void ContainerSession::create_network() {
  std::map<std::string, std::string> labels = {{"faultbox.owner", owner_}, {"faultbox.run", name_}};
  network_ = docker_.create_network(name_, /*internal=*/true, labels);
  if (host_has_address(network_.gateway)) return;
  // This daemon gives the host no address on internal networks: the driver
  // could not reach the containers. A plain bridge then (still per run, and
  // still nothing published).
  docker_.remove_network(network_.id);
  network_ = docker_.create_network(name_, /*internal=*/false, labels);
  if (!host_has_address(network_.gateway))
    throw EnvironmentError("the host has no address on Docker network " + name_ + " (gateway " +
                           (network_.gateway.empty() ? std::string("none") : network_.gateway) +
                           "): faultbox could not reach its containers");
}

ContainerSession::Started ContainerSession::start(const star::ServiceSpec& spec, const SeccompProgram& program) {
  std::optional<DockerImage> image = docker_.inspect_image(spec.image);
  if (!image)
    throw EnvironmentError("image " + spec.image + " is not present locally (faultbox never pulls: build or load it, "
                           "e.g. `docker build -t " + spec.image + " .`)");
  std::vector<std::string> command = command_of(*image, spec.args);
  if (command.empty())
    throw EnvironmentError("image " + spec.image + " has neither ENTRYPOINT nor CMD: give the command with args=");

  DockerContainerSpec c;
  c.name = name_ + "-" + spec.name;
  c.image = spec.image;
  c.entrypoint = {kShimInContainer, kSocketInContainer, "--"};
  c.cmd = std::move(command);
  for (const auto& [k, v] : spec.env) c.env.push_back(k + "=" + v);
  c.labels = {{"faultbox.owner", owner_}, {"faultbox.run", name_}, {"faultbox.service", spec.name}};
  c.binds = {options_.shim_binary + ":" + kShimInContainer + ":ro", shim_dir_ + ":" + kSocketDirInContainer};
  c.network = network_.name;
  c.aliases = {spec.name};
  c.security_opt = options_.security_opt;
  std::string id = docker_.create_container(c);
  containers_.push_back(id);
  docker_.start_container(id);

  DockerContainerState state = docker_.inspect_container(id, network_.name);
  auto failed = [&](const std::string& cause) {
    failed_log_ = logs(id);
    return EnvironmentError(cause);
  };
  // The shim refused before the filter (a missing or setuid program, a
  // seccomp profile that forbids filters) and said why on stderr: that line
  // is the cause, the exit status only its echo.
  auto exited_before_handover = [&] {
    EnvironmentError e = failed("the container exited before the handover (" + exit_text(id) + ")");
    std::string said;
    // Docker copies a container's output into its log asynchronously: the
    // shim's last line may land a moment after its exit.
    for (int attempt = 0; attempt < 20 && said.empty(); ++attempt) {
      if (attempt > 0) {
        ::usleep(50'000);
        failed_log_ = logs(id);
      }
      std::istringstream in(failed_log_);
      for (std::string line; std::getline(in, line);)
        if (line.rfind("faultbox-shim: ", 0) == 0) said = line.substr(15);
    }
    return said.empty() ? e : EnvironmentError(said);
  };
  // Gone before we learned its pid: only its log says why.
  if (!state.running || state.pid <= 0) throw exited_before_handover();
  try {
    // await() watches the shim's exit itself (and then reads the failure
    // it reported on the socket).
    ShimSession session = listener_->await(state.pid, program, options_.handover_timeout, {});
    LaunchedProcess process = session.take_process();
    return Started{id, state.pid, state.ip, std::move(process), std::move(session)};
  } catch (const EnvironmentError& e) {
    throw failed(e.what());
  }
}

void ContainerSession::kill_all() noexcept {
  for (const std::string& id : containers_) {
    try {
      docker_.kill_container(id);
    } catch (const std::exception&) {
    }
  }
}

std::string ContainerSession::logs(const std::string& id) { return docker_.logs(id); }

std::string ContainerSession::exit_text(const std::string& id) {
  DockerContainerState s = docker_.inspect_container(id, network_.name);
  if (s.running) return "";
  std::string text = "exited with status " + std::to_string(s.exit_code);
  if (s.oom_killed) text += ", killed for lack of memory";
  if (!s.error.empty()) text += ": " + s.error;
  return text;
}

void ContainerSession::teardown() noexcept {
  kill_all();
  for (const std::string& id : containers_) {
    try {
      docker_.remove_container(id);
    } catch (const std::exception&) {
      // The next session's sweep removes it (it carries our owner label).
    }
  }
  containers_.clear();
  if (!network_.id.empty()) {
    try {
      docker_.remove_network(network_.id);
    } catch (const std::exception&) {
    }
    network_ = {};
  }
  listener_.reset();
  if (!shim_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(shim_dir_, ec);
    shim_dir_.clear();
  }
}

}  // namespace faultbox::engine

// The Docker Engine API, as container mode needs it (DESIGN.md §3).
//
// Why the HTTP API over a unix socket and not the docker CLI: the CLI may be
// missing where a daemon runs, its output is for humans, and every call would
// be a fork. libcurl speaks HTTP over the socket (CURLOPT_UNIX_SOCKET_PATH);
// nlohmann/json reads and writes the bodies.
//
// The API version is negotiated once, in connect(): GET /_ping answers with
// the daemon's newest version in its `API-Version` header; requests then go
// to /v<min(that, kMaxApiVersion)>/…, so a newer daemon keeps answering in
// the dialect this file was written against, and an older one than
// kMinApiVersion is refused up front rather than failing mid-run.
//
// Never a pull: no registry may be reachable, and a test must not depend on
// one. A missing image is an error naming it.
//
// Calls block (curl easy interface). They happen at start-up and teardown,
// outside the serialized part of a run, never on a fiber waiting for a
// service. Every request has a timeout (connect()'s argument), so a hung
// daemon is an error and not a hung faultbox.
//
// One client is one connection (kept alive between calls); not thread-safe.
// A moved-from client may only be assigned to or destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/EngineError.h"

namespace faultbox::engine {

// A daemon-side failure or an unreachable daemon. One line; what() names the
// call and carries the daemon's own message. status() is the HTTP status,
// 0 when no answer came (no daemon, timeout, bad DOCKER_HOST).
class DockerError : public EnvironmentError {
 public:
  DockerError(std::string msg, long http_status);
  long status() const { return status_; }

 private:
  long status_;
};

struct DockerImage {
  std::string id;  // "sha256:…"
  std::vector<std::string> entrypoint, cmd, env;
  std::string user, working_dir;
};

struct DockerContainerSpec {
  std::string name;                       // container name
  std::string image;                      // reference as the spec wrote it
  // Always sent, so it replaces the image's; an empty list resets it (the
  // container then runs `cmd`, or the image's Cmd when `cmd` is empty too).
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;           // "K=V", on top of the image's own env (Docker merges)
  std::map<std::string, std::string> labels;
  std::vector<std::string> binds;         // "host_path:container_path:ro" (HostConfig.Binds)
  std::string network;                    // name or id: HostConfig.NetworkMode + NetworkingConfig.EndpointsConfig;
                                          // "" leaves Docker's default bridge
  std::vector<std::string> aliases;       // DNS aliases on that network
  std::vector<std::string> security_opt;  // HostConfig.SecurityOpt, e.g. "seccomp=<json>"
  std::string user;                       // "" keeps the image's USER
};

struct DockerContainerState {
  pid_t pid = 0;            // host pid of the main process, 0 when not running
  bool running = false;
  int exit_code = 0;
  std::string status;       // "created", "running", "exited", ...
  std::string error;        // State.Error
  bool oom_killed = false;
  std::string ip;           // IPv4 on the network named in inspect_container's argument, "" if none
};

struct DockerNetwork {
  std::string id, name, subnet, gateway;  // subnet/gateway: the first IPv4 IPAM config
  bool internal = false;
};

struct DockerObject {
  std::string id;
  std::string name;  // without the leading "/" Docker gives container names
  std::map<std::string, std::string> labels;
};

class DockerClient {
 public:
  // Newest dialect this client speaks, and the oldest daemon it accepts.
  static constexpr const char* kMaxApiVersion = "1.41";
  static constexpr const char* kMinApiVersion = "1.40";
  static constexpr std::chrono::milliseconds kDefaultTimeout{60'000};

  // The socket path a DOCKER_HOST value names: "" → /var/run/docker.sock,
  // "unix:///path" → /path. Any other form throws DockerError
  // "DOCKER_HOST=tcp://… is not supported: container mode talks to a unix socket".
  static std::string socket_path_of(const std::string& docker_host);

  // Pings and negotiates the version. No daemon → DockerError with one line
  // saying so and how to start one. `timeout` bounds every request of the
  // client (the whole exchange, connect included).
  static DockerClient connect(const std::string& docker_host, std::chrono::milliseconds timeout = kDefaultTimeout);

  DockerClient(DockerClient&&) noexcept;
  DockerClient& operator=(DockerClient&&) noexcept;
  ~DockerClient();

  const std::string& api_version() const { return api_version_; }  // "1.41"
  const std::string& socket_path() const { return socket_path_; }
  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

  std::optional<DockerImage> inspect_image(const std::string& ref);  // nullopt on 404

  // A user-defined bridge network; returns it as inspect_network sees it
  // (the daemon picks the subnet).
  DockerNetwork create_network(const std::string& name, bool internal, const std::map<std::string, std::string>& labels);
  DockerNetwork inspect_network(const std::string& id_or_name);
  void remove_network(const std::string& id_or_name);  // 404 counts as done

  // Returns the id. A missing image → DockerError naming it (never pulls).
  std::string create_container(const DockerContainerSpec& spec);
  void start_container(const std::string& id);  // 304 (already running) counts as done
  DockerContainerState inspect_container(const std::string& id, const std::string& network);
  void kill_container(const std::string& id);    // SIGKILL; 404 and 409 (not running) count as done
  void remove_container(const std::string& id);  // force=true&v=true; 404 counts as done
  // stdout+stderr so far (no follow), demultiplexed, in frame order.
  std::string logs(const std::string& id);

  // all=true. `label_filter` is "key=value" or "key"; "" lists everything.
  std::vector<DockerObject> list_containers(const std::string& label_filter);
  std::vector<DockerObject> list_networks(const std::string& label_filter);

 private:
  struct Connection;  // the curl easy handle and its buffers
  struct Reply {
    long status = 0;
    std::string body;
    std::string api_version;  // the API-Version response header, if any
  };

  DockerClient(std::string socket_path, std::chrono::milliseconds timeout);

  // One request. `call` names it for errors ("inspect image redis:7").
  // `path` is unversioned ("/containers/json?all=true"); `versioned` puts
  // /v<api_version> in front. Transport failures throw DockerError (status 0).
  Reply request(const std::string& call, const char* method, const std::string& path, const std::string* body,
                bool versioned = true);

  std::string socket_path_;
  std::string api_version_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace faultbox::engine

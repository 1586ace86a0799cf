#include "engine/DockerClient.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

#include "engine/CurlGlobal.h"
#include "engine/DockerLogDemuxer.h"
#include "engine/OneLine.h"
#include "engine/UniqueFd.h"

namespace faultbox::engine {

using nlohmann::json;

DockerError::DockerError(std::string msg, long http_status)
    : EnvironmentError(std::move(msg)), status_(http_status) {}

namespace {

constexpr const char* kDefaultSocket = "/var/run/docker.sock";

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const char* line) {
  curl_slist* head = curl_slist_append(list.get(), line);
  if (!head) throw std::bad_alloc();
  (void)list.release();  // `head` is the same list, or a new one if it was empty
  list.reset(head);
}

// Daemon messages can span lines (an OCI runtime error quotes its own
// output); our errors are one line, so control characters become spaces.
// Container ids are 64 hex digits; messages show the 12 people know.
std::string short_id(const std::string& id) {
  bool hex64 = id.size() == 64 && std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return hex64 ? id.substr(0, 12) : id;
}

// Percent-encodes everything but RFC 3986's unreserved characters and `keep`.
std::string escape(std::string_view s, std::string_view keep = "") {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~' || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", u);
      out += hex;
    }
  }
  return out;
}

// A name or id as one path segment. An empty one would silently address the
// collection instead ("/containers/" + "" + "/json" is another endpoint).
std::string segment(const std::string& call, const std::string& name) {
  if (name.empty()) throw DockerError("docker " + call + ": empty name or id", 0);
  return escape(name);
}

// "1.41" → {1, 41}.
std::optional<std::pair<int, int>> parse_version(const std::string& v) {
  int major = 0, minor = 0;
  char tail = 0;
  if (std::sscanf(v.c_str(), "%d.%d%c", &major, &minor, &tail) != 2) return std::nullopt;
  return std::pair{major, minor};
}

// What the daemon said: its JSON {"message": …}, or the body's text.
std::string daemon_message(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return one_line(j["message"].get<std::string>());
  std::string text = one_line(body);
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

// Tolerant readers: Docker gives null for absent lists and maps.
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (it->is_string()) {
    out.push_back(it->get<std::string>());  // old daemons: Entrypoint as one string
  } else if (it->is_array()) {
    for (const auto& e : *it)
      if (e.is_string()) out.push_back(e.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> labels_of(const json& j) {
  std::map<std::string, std::string> out;
  auto it = j.find("Labels");
  if (it == j.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items())
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  return out;
}

// "?filters={"label":{"k=v":true}}", the form the docker CLI sends.
std::string label_filter_query(const std::string& label_filter) {
  if (label_filter.empty()) return "";
  json filters = {{"label", {{label_filter, true}}}};
  return "filters=" + escape(filters.dump());
}

// The connect() probe: a plain connect() tells a missing daemon (no socket,
// or nobody listening) from a permission problem, which curl folds into one
// "couldn't connect".
void probe_socket(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    throw DockerError("the Docker socket path " + path + " is too long for a unix socket (" +
                          std::to_string(sizeof addr.sun_path - 1) + " bytes at most)",
                      0);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) throw DockerError(errno_message("docker: cannot create a unix socket", errno), 0);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return;
  int err = errno;
  switch (err) {
    case ENOENT:
    case ECONNREFUSED:
    case ENOTDIR:
      throw DockerError("no Docker daemon answers at " + path + " (start one: `sudo dockerd &`, or set DOCKER_HOST)", 0);
    case EACCES:
    case EPERM:
      throw DockerError("cannot connect to the Docker daemon at " + path +
                            ": permission denied (run as root, or join the docker group)",
                        0);
    default:
      throw DockerError(errno_message("cannot connect to the Docker daemon at " + path, err), 0);
  }
}

// curl's callbacks: C frames sit between us and curl, so nothing may escape
// as an exception; returning 0 makes curl fail the transfer instead.
size_t on_body(char* data, size_t size, size_t n, void* userp) {
  try {
    static_cast<std::string*>(userp)->append(data, size * n);
    return size * n;
  } catch (...) {
    return 0;
  }
}

size_t on_header(char* data, size_t size, size_t n, void* userp) {
  size_t total = size * n;
  try {
    std::string_view line(data, total);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return total;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "api-version") *static_cast<std::string*>(userp) = one_line(line.substr(colon + 1));
    return total;
  } catch (...) {
    return 0;
  }
}

}  // namespace

struct DockerClient::Connection {
  char errbuf[CURL_ERROR_SIZE] = {};
  std::unique_ptr<CURL, EasyDeleter> easy;
};

DockerClient::DockerClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout), conn_(std::make_unique<Connection>()) {
  ensure_curl_initialized();
  conn_->easy.reset(curl_easy_init());
  if (!conn_->easy) throw DockerError("docker: libcurl cannot create a handle", 0);
}

DockerClient::DockerClient(DockerClient&&) noexcept = default;
DockerClient& DockerClient::operator=(DockerClient&&) noexcept = default;
DockerClient::~DockerClient() = default;

std::string DockerClient::socket_path_of(const std::string& docker_host) {
  if (docker_host.empty()) return kDefaultSocket;
  constexpr std::string_view kUnix = "unix://";
  std::string_view host = docker_host;
  if (host.starts_with(kUnix)) {
    std::string path(host.substr(kUnix.size()));
    if (!path.empty() && path[0] == '/') return path;
    throw DockerError("DOCKER_HOST=" + docker_host + " names no absolute socket path (write unix:///path/to/docker.sock)", 0);
  }
  throw DockerError("DOCKER_HOST=" + docker_host + " is not supported: container mode talks to a unix socket", 0);
}

DockerClient DockerClient::connect(const std::string& docker_host, std::chrono::milliseconds timeout) {
  std::string path = socket_path_of(docker_host);
  probe_socket(path);
  DockerClient client(path, timeout);
  Reply r = client.request("ping", "GET", "/_ping", nullptr, /*versioned=*/false);
  if (r.status != 200) {
    std::string msg = daemon_message(r.body);
    throw DockerError("docker ping at " + path + ": " + (msg.empty() ? "" : msg + " ") + "(HTTP " +
                          std::to_string(r.status) + ")",
                      r.status);
  }
  auto daemon = parse_version(r.api_version);
  if (!daemon)
    throw DockerError("docker ping at " + path + ": no usable API-Version header (got \"" + r.api_version +
                          "\"); faultbox needs Docker Engine API " + kMinApiVersion + " or newer",
                      r.status);
  auto max = *parse_version(kMaxApiVersion);
  auto min = *parse_version(kMinApiVersion);
  if (*daemon < min)
    throw DockerError("the Docker daemon at " + path + " speaks Engine API " + r.api_version + ", older than the " +
                          kMinApiVersion + " faultbox needs (Docker 19.03 or newer)",
                      r.status);
  client.api_version_ = *daemon < max ? std::to_string(daemon->first) + "." + std::to_string(daemon->second)
                                      : std::string(kMaxApiVersion);
  return client;
}

DockerClient::Reply DockerClient::request(const std::string& call, const char* method, const std::string& path,
                                          const std::string* body, bool versioned) {
  CURL* e = conn_->easy.get();
  // reset clears the previous call's options but keeps the connection and
  // its keep-alive: one socket for the client's whole life.
  curl_easy_reset(e);
  Reply reply;
  Slist headers;
  // curl waits a second for "100 Continue" before sending a larger body
  // (a seccomp profile in SecurityOpt is several KiB); the daemon needs none.
  append(headers, "Expect:");
  if (body) append(headers, "Content-Type: application/json");
  std::string url = "http://docker" + (versioned ? "/v" + api_version_ : std::string()) + path;

  bool ok = curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, socket_path_.c_str()) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_URL, url.c_str()) == CURLE_OK &&
            // An http_proxy in the environment must not capture the socket's traffic.
            curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count())) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_ERRORBUFFER, conn_->errbuf) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get()) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_WRITEDATA, &reply.body) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
            curl_easy_setopt(e, CURLOPT_HEADERDATA, &reply.api_version) == CURLE_OK;
  std::string_view m = method;
  if (m == "POST") {
    // POST with no body still sends Content-Length: 0 (start, kill).
    ok = ok && curl_easy_setopt(e, CURLOPT_POST, 1L) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body ? body->size() : 0)) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body->c_str() : "") == CURLE_OK;
  } else if (m != "GET") {
    ok = ok && curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
  }
  if (!ok) throw DockerError("docker " + call + ": libcurl refused an option (built without unix socket support?)", 0);

  conn_->errbuf[0] = '\0';
  CURLcode rc = curl_easy_perform(e);
  if (rc != CURLE_OK) {
    std::string cause;
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      cause = "no answer from the Docker daemon at " + socket_path_ + " within " + std::to_string(timeout_.count()) + " ms";
    } else if (rc == CURLE_COULDNT_CONNECT) {
      cause = "no Docker daemon answers at " + socket_path_ + " any more (" + one_line(conn_->errbuf) + ")";
    } else {
      cause = std::string(curl_easy_strerror(rc)) + (conn_->errbuf[0] ? ": " + one_line(conn_->errbuf) : "");
    }
    throw DockerError("docker " + call + ": " + cause, 0);
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

namespace {

[[noreturn]] void fail(const std::string& call, long status, const std::string& body) {
  std::string msg = daemon_message(body);
  throw DockerError("docker " + call + ": " + (msg.empty() ? "" : msg + " ") + "(HTTP " + std::to_string(status) + ")",
                    status);
}

// Parses a success body; a malformed one is the daemon's fault, named as such.
template <typename F>
auto read_answer(const std::string& call, long status, const std::string& body, F&& f) {
  try {
    return f(json::parse(body));
  } catch (const json::exception& e) {
    throw DockerError("docker " + call + ": unreadable answer from the daemon (" + one_line(e.what()) + ")", status);
  }
}

}  // namespace

std::optional<DockerImage> DockerClient::inspect_image(const std::string& ref) {
  std::string call = "inspect image " + ref;
  if (ref.empty()) throw DockerError("docker inspect image: empty image reference", 0);
  // A reference keeps its '/', ':' and '@' (repo/name:tag@sha256:…): the
  // daemon routes /images/{name:.*}/json on the whole of it.
  Reply r = request(call, "GET", "/images/" + escape(ref, "/:@") + "/json", nullptr);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) fail(call, r.status, r.body);
  return read_answer(call, r.status, r.body, [](const json& j) {
    DockerImage image;
    image.id = str(j, "Id");
    auto config = j.find("Config");
    if (config != j.end() && config->is_object()) {
      image.entrypoint = strings(*config, "Entrypoint");
      image.cmd = strings(*config, "Cmd");
      image.env = strings(*config, "Env");
      image.user = str(*config, "User");
      image.working_dir = str(*config, "WorkingDir");
    }
    return image;
  });
}

DockerNetwork DockerClient::create_network(const std::string& name, bool internal,
                                           const std::map<std::string, std::string>& labels) {
  std::string call = "create network " + name;
  if (name.empty()) throw DockerError("docker create network: empty name", 0);
  json body = {
      {"Name", name},
      // Without it the daemon happily makes a second network of the same name.
      {"CheckDuplicate", true},
      {"Driver", "bridge"},
      {"Internal", internal},
      {"Labels", labels},
  };
  std::string text = body.dump();
  Reply r = request(call, "POST", "/networks/create", &text);
  if (r.status != 201) fail(call, r.status, r.body);
  std::string id = read_answer(call, r.status, r.body, [](const json& j) { return str(j, "Id"); });
  if (id.empty()) throw DockerError("docker " + call + ": the daemon's answer has no Id", r.status);
  return inspect_network(id);
}

DockerNetwork DockerClient::inspect_network(const std::string& id_or_name) {
  std::string call = "inspect network " + short_id(id_or_name);
  Reply r = request(call, "GET", "/networks/" + segment(call, id_or_name), nullptr);
  if (r.status != 200) fail(call, r.status, r.body);
  return read_answer(call, r.status, r.body, [](const json& j) {
    DockerNetwork net;
    net.id = str(j, "Id");
    net.name = str(j, "Name");
    auto internal = j.find("Internal");
    net.internal = internal != j.end() && internal->is_boolean() && internal->get<bool>();
    auto ipam = j.find("IPAM");
    if (ipam != j.end() && ipam->is_object()) {
      auto configs = ipam->find("Config");
      if (configs != ipam->end() && configs->is_array()) {
        for (const auto& c : *configs) {
          std::string subnet = c.is_object() ? str(c, "Subnet") : "";
          if (subnet.find('.') == std::string::npos) continue;  // the IPv4 one
          net.subnet = subnet;
          net.gateway = str(c, "Gateway");
          break;
        }
      }
    }
    return net;
  });
}

void DockerClient::remove_network(const std::string& id_or_name) {
  std::string call = "remove network " + short_id(id_or_name);
  Reply r = request(call, "DELETE", "/networks/" + segment(call, id_or_name), nullptr);
  if (r.status == 204 || r.status == 200 || r.status == 404) return;
  fail(call, r.status, r.body);
}

std::string DockerClient::create_container(const DockerContainerSpec& spec) {
  std::string call = "create container " + spec.name + " (image " + spec.image + ")";
  if (spec.image.empty()) throw DockerError("docker create container " + spec.name + ": no image", 0);
  json host_config = {{"Binds", spec.binds}, {"SecurityOpt", spec.security_opt}};
  json body = {
      {"Image", spec.image},
      // Sent even when empty: an empty list resets the image's entrypoint,
      // while an absent one would keep it and prepend it to our cmd.
      {"Entrypoint", spec.entrypoint},
      {"Cmd", spec.cmd},
      {"Env", spec.env},
      {"Labels", spec.labels},
  };
  if (!spec.user.empty()) body["User"] = spec.user;
  if (!spec.network.empty()) {
    host_config["NetworkMode"] = spec.network;
    body["NetworkingConfig"] = {{"EndpointsConfig", {{spec.network, {{"Aliases", spec.aliases}}}}}};
  }
  body["HostConfig"] = std::move(host_config);
  std::string text = body.dump();
  std::string query = spec.name.empty() ? "" : "?name=" + escape(spec.name);
  Reply r = request(call, "POST", "/containers/create" + query, &text);
  if (r.status == 404) {
    std::string msg = daemon_message(r.body);
    // 404 is also a missing network; only "No such image" is the image.
    if (msg.starts_with("No such image"))
      throw DockerError("docker create container " + spec.name + ": image " + spec.image +
                            " is not present locally and faultbox never pulls (build or load it first)",
                        r.status);
  }
  if (r.status != 201) fail(call, r.status, r.body);
  std::string id = read_answer(call, r.status, r.body, [](const json& j) { return str(j, "Id"); });
  if (id.empty()) throw DockerError("docker " + call + ": the daemon's answer has no Id", r.status);
  return id;
}

void DockerClient::start_container(const std::string& id) {
  std::string call = "start container " + short_id(id);
  Reply r = request(call, "POST", "/containers/" + segment(call, id) + "/start", nullptr);
  if (r.status == 204 || r.status == 304) return;
  fail(call, r.status, r.body);
}

DockerContainerState DockerClient::inspect_container(const std::string& id, const std::string& network) {
  std::string call = "inspect container " + short_id(id);
  Reply r = request(call, "GET", "/containers/" + segment(call, id) + "/json", nullptr);
  if (r.status != 200) fail(call, r.status, r.body);
  return read_answer(call, r.status, r.body, [&](const json& j) {
    DockerContainerState s;
    auto state = j.find("State");
    if (state != j.end() && state->is_object()) {
      auto pid = state->find("Pid");
      if (pid != state->end() && pid->is_number_integer()) s.pid = static_cast<pid_t>(pid->get<long long>());
      auto running = state->find("Running");
      s.running = running != state->end() && running->is_boolean() && running->get<bool>();
      auto code = state->find("ExitCode");
      if (code != state->end() && code->is_number_integer()) s.exit_code = static_cast<int>(code->get<long long>());
      s.status = str(*state, "Status");
      s.error = str(*state, "Error");
      auto oom = state->find("OOMKilled");
      s.oom_killed = oom != state->end() && oom->is_boolean() && oom->get<bool>();
    }
    if (network.empty()) return s;
    auto settings = j.find("NetworkSettings");
    if (settings == j.end() || !settings->is_object()) return s;
    auto networks = settings->find("Networks");
    if (networks == settings->end() || !networks->is_object()) return s;
    // Keyed by network name; the caller may hold the id (or a prefix of it).
    for (const auto& [name, endpoint] : networks->items()) {
      if (!endpoint.is_object()) continue;
      std::string net_id = str(endpoint, "NetworkID");
      if (name == network || net_id == network || (network.size() >= 12 && net_id.starts_with(network))) {
        s.ip = str(endpoint, "IPAddress");
        break;
      }
    }
    return s;
  });
}

void DockerClient::kill_container(const std::string& id) {
  std::string call = "kill container " + short_id(id);
  Reply r = request(call, "POST", "/containers/" + segment(call, id) + "/kill?signal=SIGKILL", nullptr);
  if (r.status == 204 || r.status == 404 || r.status == 409) return;
  fail(call, r.status, r.body);
}

void DockerClient::remove_container(const std::string& id) {
  std::string call = "remove container " + short_id(id);
  Reply r = request(call, "DELETE", "/containers/" + segment(call, id) + "?force=true&v=true", nullptr);
  if (r.status == 204 || r.status == 404) return;
  fail(call, r.status, r.body);
}

std::string DockerClient::logs(const std::string& id) {
  std::string call = "logs of container " + short_id(id);
  Reply r = request(call, "GET", "/containers/" + segment(call, id) + "/logs?stdout=true&stderr=true", nullptr);
  if (r.status != 200) fail(call, r.status, r.body);
  DockerLogDemuxer demuxer;
  std::string text;
  try {
    for (auto& piece : demuxer.feed(r.body.data(), r.body.size())) text += piece.text;
  } catch (const EnvironmentError& e) {
    throw DockerError("docker " + call + ": " + e.what(), r.status);
  }
  if (!demuxer.at_frame_boundary())
    throw DockerError("docker " + call + ": the log stream ended inside a frame after " +
                          std::to_string(demuxer.offset()) + " bytes",
                      r.status);
  return text;
}

std::vector<DockerObject> DockerClient::list_containers(const std::string& label_filter) {
  std::string call = "list containers" + (label_filter.empty() ? "" : " labelled " + label_filter);
  std::string filters = label_filter_query(label_filter);
  Reply r = request(call, "GET", "/containers/json?all=true" + (filters.empty() ? "" : "&" + filters), nullptr);
  if (r.status != 200) fail(call, r.status, r.body);
  return read_answer(call, r.status, r.body, [](const json& j) {
    std::vector<DockerObject> out;
    if (!j.is_array()) throw DockerError("docker list containers: the daemon's answer is not a list", 200);
    for (const auto& c : j) {
      if (!c.is_object()) continue;
      DockerObject o{str(c, "Id"), "", labels_of(c)};
      auto names = strings(c, "Names");
      if (!names.empty()) o.name = names.front().starts_with('/') ? names.front().substr(1) : names.front();
      out.push_back(std::move(o));
    }
    return out;
  });
}

std::vector<DockerObject> DockerClient::list_networks(const std::string& label_filter) {
  std::string call = "list networks" + (label_filter.empty() ? "" : " labelled " + label_filter);
  std::string filters = label_filter_query(label_filter);
  Reply r = request(call, "GET", "/networks" + (filters.empty() ? "" : "?" + filters), nullptr);
  if (r.status != 200) fail(call, r.status, r.body);
  return read_answer(call, r.status, r.body, [](const json& j) {
    std::vector<DockerObject> out;
    if (!j.is_array()) throw DockerError("docker list networks: the daemon's answer is not a list", 200);
    for (const auto& n : j)
      if (n.is_object()) out.push_back(DockerObject{str(n, "Id"), str(n, "Name"), labels_of(n)});
    return out;
  });
}

}  // namespace faultbox::engine

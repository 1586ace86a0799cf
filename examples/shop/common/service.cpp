#include "service.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <thread>

namespace shop {
namespace {

[[noreturn]] void usage_error(const char* argv0, const std::string& why) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--host HOST] [--port PORT]\n", argv0,
               why.c_str(), argv0);
  std::exit(2);
}

int parse_port(const char* argv0, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 1 || value > 65535)
    usage_error(argv0, "bad port: '" + text + "'");
  return static_cast<int>(value);
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

ListenAddress listen_address(int argc, char** argv, int default_port) {
  ListenAddress where{env_or("HOST", "0.0.0.0"), 0};
  std::string port = env_or("PORT", std::to_string(default_port));
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view flag) -> std::optional<std::string> {
      if (arg == flag) {
        if (i + 1 >= argc) usage_error(argv[0], std::string(flag) + " needs a value");
        return std::string(argv[++i]);
      }
      if (arg.starts_with(flag) && arg.size() > flag.size() && arg[flag.size()] == '=')
        return std::string(arg.substr(flag.size() + 1));
      return std::nullopt;
    };
    if (auto v = value("--port")) {
      port = *v;
    } else if (auto h = value("--host")) {
      where.host = *h;
    } else {
      usage_error(argv[0], "unknown argument: " + std::string(arg));
    }
  }
  where.port = parse_port(argv[0], port);
  return where;
}

void init_process() {
  std::signal(SIGPIPE, SIG_IGN);
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Logs go to pipes in faultbox; line buffering keeps them readable live.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
}

void log(const char* fmt, ...) {
  char line[1024];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(line, sizeof line - 1, fmt, args);
  va_end(args);
  if (n < 0) return;
  size_t len = std::min(static_cast<size_t>(n), sizeof line - 2);
  line[len] = '\n';
  std::fwrite(line, 1, len + 1, stderr);  // stderr is unbuffered: one write
}

void reply(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

int serve(httplib::Server& server, const ListenAddress& where, const char* name) {
  // cpp-httplib's default socket options add SO_REUSEPORT, which lets a second
  // process bind a port that is already taken and silently share it. A busy
  // port must be an error, so keep only SO_REUSEADDR (restart over TIME_WAIT).
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log("%s %s -> %d", req.method.c_str(), req.path.c_str(), res.status);
  });
  // A handler that throws is a bug of ours: say what it was instead of an
  // empty 500, so the cause shows in the response and the log.
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        log("internal error: %s", what.c_str());
        reply(res, 500, {{"error", "internal error: " + what}});
      });
  // Unknown paths and methods answer JSON like everything else.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string what = res.status == 404   ? "no such endpoint: "
                       : res.status == 405 ? "method not allowed: "
                                           : "request failed: ";
    reply(res, res.status, {{"error", what + req.method + " " + req.path}});
  });

  errno = 0;
  if (!server.bind_to_port(where.host, where.port)) {
    int err = errno;
    log("%s: cannot listen on %s:%d: %s", name, where.host.c_str(), where.port,
        err != 0 ? std::strerror(err) : "bind failed");
    return 1;
  }
  log("%s listening on %s:%d", name, where.host.c_str(), where.port);

  // SIGTERM/SIGINT are blocked everywhere (init_process); this thread takes
  // them synchronously, so stopping the server needs no async-signal safety.
  std::atomic<bool> listening_done{false};
  std::atomic<bool> signalled{false};
  std::thread stopper([&server, &listening_done, &signalled, name] {
    sigset_t set = stop_signals();
    int sig = 0;
    sigwait(&set, &sig);
    if (!listening_done) {
      signalled = true;
      log("%s: %s, stopping", name, strsignal(sig));
    }
    server.stop();
  });
  bool ok = server.listen_after_bind();
  listening_done = true;
  // Wake the stopper if the server ended on its own (it is in sigwait).
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  if (!ok && !signalled) log("%s: server stopped unexpectedly", name);
  return ok || signalled ? 0 : 1;
}

}  // namespace shop

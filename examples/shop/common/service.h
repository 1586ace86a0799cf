// What both shop services share: where to listen, how to log, how to stop.
// Kept tiny on purpose: each service is meant to read like an ordinary
// program someone would ship, not like a test fixture.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

namespace shop {

struct ListenAddress {
  std::string host;
  int port = 0;
};

// Flags (--host H, --port N, also --port=N) win over the environment (HOST,
// PORT), which wins over the defaults. Exits with status 2 on a bad flag.
ListenAddress listen_address(int argc, char** argv, int default_port);

// getenv with a default for unset or empty variables.
std::string env_or(const char* name, const std::string& fallback);

// Call first in main, before any thread exists: SIGPIPE is ignored (a peer
// that hangs up must be an error return, not the death of the process) and
// SIGTERM/SIGINT are blocked so that serve() can take them with sigwait.
void init_process();

// Printf-style log line on stderr: one write per line, never a file, so a
// disk-full fault on the service's files cannot reach its logging.
void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Binds, logs "<name> listening on host:port", serves until SIGTERM/SIGINT.
// Returns the process exit status: 0 after a signal, 1 if it cannot listen.
int serve(httplib::Server& server, const ListenAddress& where, const char* name);

// Reply with a JSON body (the services speak JSON only).
void reply(httplib::Response& res, int status, const nlohmann::json& body);

}  // namespace shop

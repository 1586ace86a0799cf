// What evaluating a spec's top level produces, as plain data (strings and
// ints, no Starlark values): the services with their interfaces and
// healthchecks, and the tests. The engine starts services from this; the
// CLI prints it. Every entity keeps the Starlark call site that declared it,
// so later errors ("binary not found") can point at the spec line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faultbox::star {

// A position in a spec file (1-based line and column; 0 = unknown).
struct SourceLocation {
  std::string path;
  int line = 0;
  int col = 0;
  bool known() const { return line > 0; }
  // "path:line:col" (or just the path when unknown).
  std::string str() const;
};

struct InterfaceSpec {
  std::string name;
  std::string protocol;  // any name; "http" gets HTTP steps, "tcp" gets send()
  int port = 0;
};

struct HealthcheckSpec {
  enum class Kind { Http, Tcp };
  Kind kind = Kind::Tcp;
  std::string target;  // as written: "localhost:8080/health" or "localhost:6379"
  std::string host;
  int port = 0;
  std::string path;            // Http only; starts with '/'
  int64_t timeout_ms = 10000;  // total time allowed for the service to become healthy
};

struct ServiceSpec {
  std::string name;
  std::string binary;  // exactly one of binary and image is set
  std::string image;
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // in declaration order
  std::vector<std::string> depends_on;                   // service names
  std::string cwd;
  std::vector<InterfaceSpec> interfaces;  // in declaration order
  std::optional<HealthcheckSpec> healthcheck;
  SourceLocation declared_at;

  const InterfaceSpec* find_interface(const std::string& iface) const;
};

struct TestSpec {
  std::string name;  // test_*
  std::string doc;   // first line of the docstring, or ""
  SourceLocation declared_at;
};

struct Topology {
  std::vector<ServiceSpec> services;  // in declaration order
  std::vector<TestSpec> tests;        // in definition order

  const ServiceSpec* find_service(const std::string& name) const;
};

}  // namespace faultbox::star

// faultbox check SPEC: load and validate a spec, print what it declares.
#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "spec/eval/Render.h"
#include "spec/vocabulary/CheckHost.h"
#include "spec/vocabulary/Duration.h"
#include "spec/vocabulary/Spec.h"

namespace faultbox::cli {

namespace {

using namespace faultbox::star;

std::string pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string healthcheck_text(const HealthcheckSpec& h) {
  std::string kind = h.kind == HealthcheckSpec::Kind::Http ? "http" : "tcp";
  std::string target = h.host + ":" + std::to_string(h.port) + (h.kind == HealthcheckSpec::Kind::Http ? h.path : "");
  return kind + " " + target + " (timeout " + format_duration(h.timeout_ms * 1000000) + ")";
}

void print_topology(const Spec& spec) {
  const Topology& topo = spec.topology();
  auto plural = [](size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); };
  std::cout << spec.path() << ": " << plural(topo.services.size(), "service") << ", "
            << plural(topo.tests.size(), "test") << "\n";

  size_t name_width = 0;
  for (const ServiceSpec& s : topo.services) name_width = std::max(name_width, s.name.size());
  std::cout << "\nservices:\n";
  if (topo.services.empty()) std::cout << "  (none)\n";
  for (const ServiceSpec& s : topo.services) {
    std::string indent(2 + name_width + 2, ' ');
    std::cout << "  " << pad(s.name, name_width + 2);
    if (!s.image.empty())
      std::cout << "image " << s.image << "\n";
    else
      std::cout << "binary " << s.binary << "\n";
    if (!s.args.empty()) {
      std::cout << indent << "args";
      for (const auto& a : s.args) std::cout << " " << a;
      std::cout << "\n";
    }
    if (!s.cwd.empty()) std::cout << indent << "cwd " << s.cwd << "\n";
    size_t iface_width = 0, proto_width = 0;
    for (const InterfaceSpec& i : s.interfaces) {
      iface_width = std::max(iface_width, i.name.size());
      proto_width = std::max(proto_width, i.protocol.size());
    }
    for (const InterfaceSpec& i : s.interfaces)
      std::cout << indent << "interface " << pad(i.name, iface_width + 1) << pad(i.protocol, proto_width + 1) << ":"
                << i.port << "\n";
    if (s.healthcheck) std::cout << indent << "healthcheck " << healthcheck_text(*s.healthcheck) << "\n";
    if (!s.env.empty()) {
      std::cout << indent << "env";
      for (const auto& [k, v] : s.env) std::cout << " " << k << "=" << v;
      std::cout << "\n";
    }
    if (!s.depends_on.empty()) {
      std::cout << indent << "depends_on";
      for (size_t i = 0; i < s.depends_on.size(); ++i) std::cout << (i ? ", " : " ") << s.depends_on[i];
      std::cout << "\n";
    }
  }

  size_t test_width = 0;
  for (const TestSpec& t : topo.tests) test_width = std::max(test_width, t.name.size());
  std::cout << "\ntests:\n";
  if (topo.tests.empty()) std::cout << "  (none: tests are top-level functions named test_*)\n";
  for (const TestSpec& t : topo.tests) {
    std::cout << "  " << (t.doc.empty() ? t.name : pad(t.name, test_width + 2) + t.doc) << "\n";
  }
}

}  // namespace

int run_check(const std::string& path) {
  CheckHost host;
  try {
    auto spec = Spec::load(path, host);
    print_topology(*spec);
    return kExitOk;
  } catch (const SourceErrors& e) {
    std::cout.flush();
    std::cerr << render_source_errors(e) << "\n";
  } catch (const EvalError& e) {
    std::cout.flush();
    std::cerr << render_eval_error(e) << "\n";
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "faultbox check: " << e.what() << "\n";
  }
  return kExitUsage;
}

}  // namespace faultbox::cli

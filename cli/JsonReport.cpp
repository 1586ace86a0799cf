#include "cli/JsonReport.h"

#include <nlohmann/json.hpp>

namespace faultbox::cli {

std::string json_report(const TestSuiteResult& suite) {
  // ordered_json: keys in the order written (test, run, seed, verdict, …), so
  // the file reads like the terminal output rather than alphabetically.
  using json = nlohmann::ordered_json;
  json runs = json::array();
  for (const auto& r : suite.runs) {
    json faults = json::array();
    for (const auto& h : r.faults)
      faults.push_back({{"name", h.name},
                        {"label", h.label},
                        {"syscall", h.syscall},
                        {"target", h.target},
                        {"hits", h.hits},
                        {"cut_connections", h.cut_connections},
                        {"never_fired", h.never_fired}});
    json failure = nullptr;
    if (r.failure)
      failure = {{"kind", r.failure->kind},
                 {"message", r.failure->message},
                 {"location", r.failure->location.empty() ? json(nullptr) : json(r.failure->location)},
                 {"details", r.failure->details}};
    runs.push_back({{"test", r.test},
                    {"run", r.run_index},
                    {"seed", r.seed},
                    {"verdict", r.passed ? "pass" : "fail"},
                    {"duration_ms", r.duration_ms},
                    {"failure", failure},
                    {"faults", faults},
                    {"schedule", r.schedule},
                    {"decisions", r.decisions},
                    {"trace", r.trace.empty() ? json(nullptr) : json(r.trace)}});
  }
  int failed = suite.failures();
  json doc = {{"spec", suite.spec},
              {"passed", static_cast<int>(suite.runs.size()) - failed},
              {"failed", failed},
              {"duration_ms", suite.duration_ms},
              {"runs", runs}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace faultbox::cli

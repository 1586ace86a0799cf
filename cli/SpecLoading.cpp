#include "cli/SpecLoading.h"

#include <fnmatch.h>

#include <iostream>

#include "cli/ExitCodes.h"
#include "spec/eval/Render.h"

namespace faultbox::cli {

std::unique_ptr<star::Spec> load_spec_or_report(const std::string& path, engine::EngineHost& host,
                                                const std::string& command, int& exit_code) {
  exit_code = kExitUsage;
  try {
    auto spec = star::Spec::load(path, host);
    exit_code = kExitOk;
    return spec;
  } catch (const engine::TopologyEnvironmentError& e) {
    std::cerr << "faultbox " << command << ": " << e.what() << "\n";
    exit_code = kExitEnvironment;
  } catch (const star::SourceErrors& e) {
    std::cerr << star::render_source_errors(e) << "\n";
  } catch (const star::EvalError& e) {
    std::cerr << star::render_eval_error(e) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "faultbox " << command << ": " << e.what() << "\n";
  }
  return nullptr;
}

std::vector<const star::TestSpec*> select_tests_or_report(const star::Spec& spec, const std::string& glob,
                                                         const std::string& command) {
  std::vector<const star::TestSpec*> tests;
  for (const star::TestSpec& t : spec.topology().tests)
    if (glob.empty() || ::fnmatch(glob.c_str(), t.name.c_str(), 0) == 0) tests.push_back(&t);
  if (tests.empty())
    std::cerr << "faultbox " << command << ": no test matches"
              << (glob.empty() ? std::string(" (tests are functions named test_*)") : " --test " + glob) << "\n";
  return tests;
}

std::optional<engine::KernelProbeResult> probe_kernel_or_report(const std::string& command) {
  engine::KernelProbeResult kernel = engine::probe_kernel();
  if (kernel.ok()) return kernel;
  for (const auto& line : kernel.missing_lines()) std::cerr << "faultbox " << command << ": " << line << "\n";
  return std::nullopt;
}

}  // namespace faultbox::cli

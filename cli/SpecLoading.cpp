#include "cli/SpecLoading.h"

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

}  // namespace faultbox::cli

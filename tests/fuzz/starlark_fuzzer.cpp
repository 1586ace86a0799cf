// libFuzzer target over the whole front end and a bounded evaluation:
// scanner, parser, resolver, then execution with a step budget (so loops
// end) and print/load disabled. Any input may fail with a SourceErrors or an
// EvalError; none may crash, hang, leak or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <string>

#include "spec/eval/Interpreter.h"
#include "spec/eval/Render.h"

using namespace faultbox::star;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return -1;  // long inputs add nothing but time
  std::string source(reinterpret_cast<const char*>(data), size);
  Interpreter interp;
  Thread thread(interp.heap(), "fuzz");
  thread.max_steps = 20000;
  thread.print = [](Thread&, std::string_view) {};
  thread.load = [](Thread&, std::string_view, const std::string&) -> Value {
    throw EvalError("load not available in the fuzzer");
  };
  Dialect dialect = Dialect::all();
  try {
    Value module = interp.exec_file(thread, "fuzz.star", std::move(source), dialect, {});
    (void)module;
  } catch (const SourceErrors& e) {
    (void)render_source_errors(e);
  } catch (const EvalError& e) {
    (void)render_eval_error(e);
  }
  return 0;
}

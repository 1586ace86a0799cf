// The state the vocabulary's builtins share while one spec is loaded and its
// tests run: the host, the topology being built, and whether the top level
// is still being evaluated. Every Thread of the spec (one per fiber) points
// at it through Thread::host_data, so builtins find it without globals.
#pragma once

#include <string>
#include <string_view>

#include "spec/eval/Thread.h"
#include "spec/vocabulary/SpecHost.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::star {

class Spec;

struct SpecContext {
  enum class Phase {
    Load,  // the top level (and files it loads) is being evaluated
    Run,   // a test function is running
  };
  SpecHost* host = nullptr;
  Spec* spec = nullptr;  // for new_thread() in parallel()
  Topology topology;
  Phase phase = Phase::Load;
};

// The context of the spec `t` belongs to; throws EvalError("FN: the Faultbox
// vocabulary is only available in specs") for a thread without one.
SpecContext& spec_context(Thread& t, std::string_view fn);

// The innermost Starlark frame's position: where a builtin was called.
SourceLocation call_site(const Thread& t);

// Runs a host call, turning HostError into a Starlark error named after fn.
template <class F>
auto host_call(std::string_view fn, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const HostError& e) {
    throw EvalError(std::string(fn) + ": " + e.what());
  }
}

}  // namespace faultbox::star

#include "spec/vocabulary/SpecContext.h"

namespace faultbox::star {

SpecContext& spec_context(Thread& t, std::string_view fn) {
  if (!t.host_data)
    throw EvalError(std::string(fn) + ": the Faultbox vocabulary is only available in specs (faultbox check/test)");
  return *static_cast<SpecContext*>(t.host_data);
}

SourceLocation call_site(const Thread& t) {
  const auto& frames = t.frames();
  for (auto it = frames.rbegin(); it != frames.rend(); ++it)
    if (it->file) return SourceLocation{it->file->path, it->pos.line, it->pos.col};
  return {};
}

}  // namespace faultbox::star

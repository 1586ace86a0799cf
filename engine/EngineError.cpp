#include "engine/EngineError.h"

#include <cstring>

namespace faultbox::engine {

std::string errno_message(const std::string& what, int err) {
  return what + ": " + std::strerror(err);
}

}  // namespace faultbox::engine

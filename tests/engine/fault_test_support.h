// What the engine tests that run real processes under fault rules share: a
// temporary directory and the rules they apply.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <string>
#include <utility>

#include "spec/vocabulary/SpecHost.h"

namespace faultbox::engine::testing {

struct TempDir {
  std::string path;
  explicit TempDir(const char* prefix = "/tmp/faultbox-rules-") {
    std::string tmpl = std::string(prefix) + "XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline star::FaultRule deny(const char* name, int err) {
  star::FaultRule r;
  r.kind = star::FaultRule::Kind::Deny;
  r.errno_name = name;
  r.errno_value = err;
  return r;
}

inline star::FaultSpec fault(std::string target, std::string key, star::FaultRule rule) {
  star::FaultSpec s;
  s.target = std::move(target);
  s.rules.emplace_back(std::move(key), std::move(rule));
  return s;
}

}  // namespace faultbox::engine::testing

// The occurrence index of an event identity (DESIGN.md §4): 1 + the number
// of earlier events of this run with the same (host, action, resource).
// Threads are deliberately not part of the key — which thread of a pool
// did something varies between runs; the thread ordinal is only a
// tie-breaker printed beside the identity.
//
// Two ways to ask: peek() says what the next such event would get without
// counting it (the scheduler shows the enabled set with it before one is
// chosen; events not chosen must not consume a number), take() assigns and
// counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

namespace faultbox::recorder {

class OccurrenceCounter {
 public:
  uint64_t peek(const std::string& host, const std::string& action, const std::string& resource) const;
  uint64_t take(const std::string& host, const std::string& action, const std::string& resource);
  // How many have been taken for this key (0 if none).
  uint64_t taken(const std::string& host, const std::string& action, const std::string& resource) const;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, uint64_t> counts_;
};

}  // namespace faultbox::recorder

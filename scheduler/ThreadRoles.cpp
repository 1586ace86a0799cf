#include "scheduler/ThreadRoles.h"

namespace faultbox::scheduler {

std::optional<std::string> ThreadRoles::player(const std::string& host, const std::string& recorded) const {
  auto it = ours_of_.find({host, recorded});
  if (it == ours_of_.end()) return std::nullopt;
  return it->second;
}

bool ThreadRoles::claimed(const std::string& host, const std::string& ours) const {
  return recorded_of_.count({host, ours}) != 0;
}

bool ThreadRoles::learn(const std::string& host, const std::string& recorded, const std::string& ours) {
  auto r = recorded_of_.find({host, ours});
  auto o = ours_of_.find({host, recorded});
  if (r != recorded_of_.end() || o != ours_of_.end()) return r != recorded_of_.end() && r->second == recorded;
  recorded_of_[{host, ours}] = recorded;
  ours_of_[{host, recorded}] = ours;
  return true;
}

traces::EventIdentity ThreadRoles::canonical(const traces::EventIdentity& id) const {
  if (id.thread.empty()) return id;
  traces::EventIdentity out = id;
  if (auto it = recorded_of_.find({id.host, id.thread}); it != recorded_of_.end()) {
    out.thread = it->second;
    return out;
  }
  // Not paired: its own name, unless another thread took that name over —
  // then the name that thread left, following the chain of takeovers (it
  // ends: the pairs are one-to-one and this thread is in none of them).
  std::string name = id.thread;
  for (auto taker = ours_of_.find({id.host, name}); taker != ours_of_.end(); taker = ours_of_.find({id.host, name}))
    name = taker->second;
  out.thread = name;
  return out;
}

}  // namespace faultbox::scheduler

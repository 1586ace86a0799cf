#include "scheduler/ThreadOrdinals.h"

#include <algorithm>
#include <tuple>

namespace faultbox::scheduler {

void ThreadOrdinals::number(const std::vector<ThreadInfo>& threads) {
  names_.clear();
  children_.clear();
  strangers_.clear();
  std::vector<const ThreadInfo*> order;
  order.reserve(threads.size());
  for (const auto& t : threads) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const ThreadInfo* a, const ThreadInfo* b) {
    return std::tie(a->service, a->depth, a->start_time, a->tid) <
           std::tie(b->service, b->depth, b->start_time, b->tid);
  });
  std::map<std::string, int> next;  // service → last ordinal given
  for (const ThreadInfo* t : order) names_[{t->service, t->tid}] = std::to_string(++next[t->service]);
}

const std::string& ThreadOrdinals::adopt(const std::string& service, pid_t tid, const std::string& creator_ordinal) {
  int k = ++children_[{service, creator_ordinal}];
  std::string& name = names_[{service, tid}];
  name = creator_ordinal + "." + std::to_string(k);
  return name;
}

const std::string& ThreadOrdinals::ordinal_of(const std::string& service, pid_t tid) {
  auto [it, inserted] = names_.try_emplace({service, tid});
  if (inserted) it->second = "?" + std::to_string(++strangers_[service]);
  return it->second;
}

std::optional<std::string> ThreadOrdinals::find(const std::string& service, pid_t tid) const {
  auto it = names_.find({service, tid});
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

void ThreadOrdinals::forget(const std::string& service, pid_t tid) { names_.erase({service, tid}); }

}  // namespace faultbox::scheduler

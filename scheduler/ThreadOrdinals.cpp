#include "scheduler/ThreadOrdinals.h"

#include <algorithm>
#include <tuple>

namespace faultbox::scheduler {

namespace {

// What tells idle workers of one pool apart, as far as faultbox can see:
// nothing but their tids. "0" is a wchan the kernel hides (or a thread on
// its way to sleep): no grounds to call two threads alike.
bool may_pool(const ThreadInfo& t) { return t.tid != t.tgid && !t.wchan.empty() && t.wchan != "0"; }

using PoolKey = std::tuple<std::string, pid_t, int, std::string, std::string>;
PoolKey pool_key(const ThreadInfo& t) { return {t.service, t.tgid, t.depth, t.comm, t.wchan}; }

}  // namespace

void ThreadOrdinals::number(const std::vector<ThreadInfo>& threads) {
  names_.clear();
  pooled_.clear();
  pools_.clear();
  children_.clear();
  strangers_.clear();
  std::vector<const ThreadInfo*> order;
  order.reserve(threads.size());
  for (const auto& t : threads) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const ThreadInfo* a, const ThreadInfo* b) {
    return std::tie(a->service, a->depth, a->start_time, a->tid) <
           std::tie(b->service, b->depth, b->start_time, b->tid);
  });
  std::map<PoolKey, int> alike;
  for (const ThreadInfo* t : order)
    if (may_pool(*t)) ++alike[pool_key(*t)];
  std::map<PoolKey, size_t> pool_of;
  std::map<std::string, int> next;  // service → last ordinal given
  for (const ThreadInfo* t : order) {
    std::string ordinal = std::to_string(++next[t->service]);
    if (!may_pool(*t) || alike[pool_key(*t)] < 2) {
      names_[{t->service, t->tid}] = std::move(ordinal);
      continue;
    }
    auto [pool, added] = pool_of.try_emplace(pool_key(*t), pools_.size());
    if (added) pools_.emplace_back();
    pools_[pool->second].ordinals.push_back(std::move(ordinal));  // in `order`: ascending
    pooled_[{t->service, t->tid}] = pool->second;
  }
}

const std::string& ThreadOrdinals::adopt(const std::string& service, pid_t tid, const std::string& creator_ordinal) {
  pooled_.erase({service, tid});
  int k = ++children_[{service, creator_ordinal}];
  std::string& name = names_[{service, tid}];
  name = creator_ordinal + "." + std::to_string(k);
  return name;
}

const std::string& ThreadOrdinals::ordinal_of(const std::string& service, pid_t tid) {
  auto [it, inserted] = names_.try_emplace({service, tid});
  if (!inserted) return it->second;
  if (auto member = pooled_.find({service, tid}); member != pooled_.end()) {
    // A pool has as many ordinals as members, and each member takes one once.
    Pool& pool = pools_.at(member->second);
    it->second = pool.ordinals.at(pool.used++);
    pooled_.erase(member);
    return it->second;
  }
  it->second = "?" + std::to_string(++strangers_[service]);
  return it->second;
}

std::optional<std::string> ThreadOrdinals::find(const std::string& service, pid_t tid) const {
  auto it = names_.find({service, tid});
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

void ThreadOrdinals::forget(const std::string& service, pid_t tid) {
  names_.erase({service, tid});
  pooled_.erase({service, tid});  // its ordinal stays unused: the pool has one to spare
}

}  // namespace faultbox::scheduler

#include "explorer/OptimalDpor.h"

#include <algorithm>
#include <stdexcept>

#include "explorer/ClassId.h"
#include "explorer/HappensBefore.h"

namespace faultbox::explorer {

using scheduler::Decision;

namespace {

// The sleep set after `e` runs: what commutes with e sleeps on.
std::vector<Decision> propagate(const std::vector<Decision>& sleep, const Decision& e) {
  std::vector<Decision> out;
  for (const Decision& s : sleep)
    if (!conflicts(s, e)) out.push_back(s);
  return out;
}

bool asleep(const std::vector<Decision>& sleep, const scheduler::EventRef& e, bool faulted) {
  return std::any_of(sleep.begin(), sleep.end(), [&](const Decision& s) {
    return s.faulted == faulted && s.event.process == e.process && s.event.label == e.label;
  });
}

int faults_in(const std::vector<Decision>& w) {
  return static_cast<int>(std::count_if(w.begin(), w.end(), [](const Decision& d) { return d.faulted; }));
}

// FNV-1a: the same on every platform and standard library, so shard i of n
// means the same branches on every CI machine.
class Fnv1a {
 public:
  void add(const std::string& s) {
    for (unsigned char c : s) {
      hash_ ^= c;
      hash_ *= 1099511628211ull;
    }
    add_byte(0);
  }
  void add_byte(unsigned char c) {
    hash_ ^= c;
    hash_ *= 1099511628211ull;
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 1469598103934665603ull;
};

}  // namespace

OptimalDpor::OptimalDpor(DporOptions options) : options_(options) {
  if (options_.shards == 0 || options_.shard >= options_.shards)
    throw std::invalid_argument("dpor: shard " + std::to_string(options_.shard) + "/" +
                                std::to_string(options_.shards) + " is not one of 0.." +
                                std::to_string(options_.shards) + "-1");
  if (options_.max_faults < 0) throw std::invalid_argument("dpor: max_faults must not be negative");
}

std::unique_ptr<scheduler::Strategy> OptimalDpor::next_run() {
  if (outstanding_) throw std::logic_error("dpor: next_run() before the previous run's finished_run()");
  if (!started_) {
    started_ = true;
    first_run_ = true;
    path_.assign(1, Node{});
  } else {
    first_run_ = false;
    // Backtrack: a node whose wakeup tree is empty is done; the branch it
    // took is explored and sleeps at it from now on (Algorithm 2, line 16).
    while (!path_.empty()) {
      Node& node = path_.back();
      if (node.taken) {
        node.sleep.push_back(*node.taken);
        node.taken.reset();
      }
      if (!node.wakeup.empty()) break;
      path_.pop_back();
    }
    if (path_.empty()) return nullptr;
    branch_node_ = path_.size() - 1;
    // Down the leftmost sequence; each node on it keeps the siblings.
    WakeupTree::Branch branch = path_.back().wakeup.take_leftmost();
    for (;;) {
      Node& node = path_.back();
      node.taken = branch.event;
      Node next;
      next.sleep = propagate(node.sleep, branch.event);
      next.faults = node.faults + (branch.event.faulted ? 1 : 0);
      if (branch.subtree.empty()) {
        path_.push_back(std::move(next));
        break;
      }
      WakeupTree::Branch child = branch.subtree.take_leftmost();
      next.wakeup = std::move(branch.subtree);
      path_.push_back(std::move(next));
      branch = std::move(child);
    }
  }
  prefix_size_ = path_.size() - 1;
  prefix_sleep_ = path_.back().sleep;

  scheduler::Schedule schedule;
  schedule.max_faults = options_.max_faults;
  for (size_t k = 0; k < prefix_size_; ++k) schedule.prefix.push_back(*path_[k].taken);
  schedule.sleep = prefix_sleep_;
  outstanding_ = true;
  return std::make_unique<scheduler::ScheduleStrategy>(std::move(schedule), name());
}

RunVerdict OptimalDpor::finished_run(scheduler::RunRecord record) {
  if (!outstanding_) throw std::logic_error("dpor: finished_run() without a run from next_run()");
  outstanding_ = false;
  ++counts_.runs;
  if (record.divergence || record.decisions.size() < prefix_size_) return diverged(record);
  const std::vector<Decision>& d = record.decisions;
  if (record.enabled.size() != d.size())
    throw std::invalid_argument("dpor: the run record has " + std::to_string(d.size()) + " decisions but " +
                                std::to_string(record.enabled.size()) + " enabled sets");

  // The nodes past the prefix, each with the sleep set the run had there.
  std::vector<Decision> sleep = prefix_sleep_;
  std::optional<size_t> blocked;
  for (size_t k = prefix_size_; k < d.size(); ++k) {
    // Blocked: nothing awake, allowed or (within the budget) faulted —
    // ScheduleStrategy's continuation had nothing left to prefer.
    const auto& enabled = record.enabled[k];
    const bool budget = path_[k].faults < options_.max_faults;
    if (std::none_of(enabled.begin(), enabled.end(), [&](const scheduler::EventRef& e) {
          return !asleep(sleep, e, false) || (budget && e.faultable && !asleep(sleep, e, true));
        })) {
      blocked = k;
      break;
    }
    path_[k].taken = d[k];
    sleep = propagate(sleep, d[k]);
    Node next;
    next.sleep = sleep;
    next.faults = path_[k].faults + (d[k].faulted ? 1 : 0);
    path_.push_back(std::move(next));
  }

  RunVerdict verdict;
  verdict.class_id = class_id(d);
  if (blocked) {
    // Algorithm 2 would have stopped at that node, its class covered by
    // another branch. But the way here is a real execution, and with
    // placements (a choice within a process, which the paper's algorithm
    // does not model) its races may be the only witness of other classes:
    // they are analysed up to the blocked node.
    ++counts_.sleep_blocked;
    verdict.kind = RunVerdict::Kind::SleepBlocked;
    analyse(record, *blocked);
    return verdict;
  }
  if (classes_.insert(verdict.class_id).second) {
    verdict.kind = RunVerdict::Kind::NewClass;
    if (std::any_of(d.begin(), d.end(), [](const Decision& x) { return x.faulted; })) ++placements_;
  } else {
    verdict.kind = RunVerdict::Kind::Redundant;
    ++counts_.redundant;
  }
  analyse(record, d.size());
  return verdict;
}

void OptimalDpor::analyse(const scheduler::RunRecord& record, size_t end) {
  const std::vector<Decision> d(record.decisions.begin(), record.decisions.begin() + static_cast<std::ptrdiff_t>(end));
  // Races: reverse each by v = notdep(e, E).e' at pre(E, e).
  const HappensBefore hb(d, record.caused_by);
  for (const auto& [i, j] : hb.races()) {
    std::vector<Decision> v;
    for (size_t k = i + 1; k < d.size(); ++k)
      if (!hb.before(i, k)) v.push_back(d[k]);
    v.push_back(d[j]);
    insert(i, v);
  }
  // Disabled events: a blocking receive or accept that was enabled at node
  // k and is not at k+1 lost its message or connection to d[k] — a race
  // that happens-before cannot see, because the loser never ran. Its
  // reversal is the loser itself, enabled right there. (The run ends when
  // nothing is enabled, so whatever was enabled at its last decision and
  // conflicts with it was disabled by it.)
  for (size_t k = 0; k < d.size(); ++k)
    for (const scheduler::EventRef& x : record.enabled[k]) {
      if (x.process == d[k].event.process) continue;
      const Decision loser{x, false};
      if (!conflicts(loser, d[k])) continue;
      if (k + 1 < record.enabled.size() &&
          std::any_of(record.enabled[k + 1].begin(), record.enabled[k + 1].end(),
                      [&](const scheduler::EventRef& y) { return y.process == x.process && y.label == x.label; }))
        continue;
      insert(k, {loser});
    }
  // Placements: each decision's other placement — allowed for a faulted
  // one, faulted for a faultable allowed one while the budget lasts.
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i].faulted)
      insert(i, {Decision{d[i].event, false}});
    else if (d[i].event.faultable && path_[i].faults < options_.max_faults)
      insert(i, {Decision{d[i].event, true}});
  }
}

RunVerdict OptimalDpor::diverged(const scheduler::RunRecord& record) {
  ++counts_.divergences;
  // The decisions the run did follow stay; the branch it was sent down is
  // dropped at the node where it failed (or at its branch point, if the run
  // left even the part of the path earlier runs followed) — it is never
  // marked explored, so it puts nothing to sleep.
  size_t cut = std::max(record.decisions.size(), branch_node_);
  cut = std::min(cut, path_.size() - 1);
  path_.resize(cut + 1);
  path_[cut].taken.reset();
  RunVerdict verdict;
  verdict.kind = RunVerdict::Kind::Diverged;
  return verdict;
}

void OptimalDpor::insert(size_t at, const std::vector<Decision>& v) {
  Node& node = path_[at];
  const int budget = options_.max_faults - node.faults - faults_in(v);
  if (sleep_covers(node.sleep, v, budget)) return;
  if (first_run_ && options_.shards > 1 && !node.wakeup.covering_child(v, budget) &&
      !owned_by_this_shard(at, v.front()))
    return;
  node.wakeup.insert(v, budget);
}

bool OptimalDpor::owned_by_this_shard(size_t at, const Decision& first) const {
  Fnv1a h;
  auto add = [&](const Decision& d) {
    h.add(d.event.process);
    h.add(d.event.label);
    h.add_byte(d.faulted ? 'F' : 'A');
  };
  for (size_t k = 0; k < at; ++k) add(*path_[k].taken);
  add(first);
  return h.value() % options_.shards == options_.shard;
}

uint64_t OptimalDpor::pending() const {
  uint64_t n = 0;
  for (const Node& node : path_) n += node.wakeup.leaves();
  return n;
}

ExplorationStats OptimalDpor::stats() const {
  ExplorationStats s = counts_;
  s.classes = classes_.size();
  s.placements = placements_;
  s.pending = pending();
  s.exhausted = started_ && !outstanding_ && s.pending == 0;
  return s;
}

}  // namespace faultbox::explorer

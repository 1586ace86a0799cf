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

// splitmix64: the Random order's draws, the same on every machine.
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

OptimalDpor::OptimalDpor(DporOptions options) : options_(options), draws_(options.order_seed) {
  if (options_.shards == 0 || options_.shard >= options_.shards)
    throw std::invalid_argument("dpor: shard " + std::to_string(options_.shard) + "/" +
                                std::to_string(options_.shards) + " is not one of 0.." +
                                std::to_string(options_.shards) + "-1");
  if (options_.max_faults < 0) throw std::invalid_argument("dpor: max_faults must not be negative");
}

std::unique_ptr<scheduler::Strategy> OptimalDpor::next_run() {
  if (outstanding_) throw std::logic_error("dpor: next_run() before the previous run's finished_run()");
  if (!root_) {
    first_run_ = true;
    root_ = std::make_unique<Node>();
    root_->serial = serials_++;
    live_nodes_ = peak_live_nodes_ = 1;
    run_.assign(1, root_.get());
    branch_depth_ = 0;
  } else {
    first_run_ = false;
    Node* at = choose_branch_node();
    if (!at) return nullptr;
    run_.assign(at->depth + 1, nullptr);
    for (Node* n = at; n; n = n->parent) run_[n->depth] = n;
    branch_depth_ = at->depth;
    // Down the leftmost sequence; each new node keeps its siblings.
    WakeupTree::Branch branch = at->wakeup.take_leftmost();
    wakeup_changed(*at);
    for (;;) {
      Node& next = start_child(*run_.back(), branch.event);
      run_.push_back(&next);
      if (branch.subtree.empty()) break;
      WakeupTree::Branch child = branch.subtree.take_leftmost();
      next.wakeup = std::move(branch.subtree);
      wakeup_changed(next);
      branch = std::move(child);
    }
  }
  prefix_size_ = run_.size() - 1;
  prefix_sleep_ = run_.back()->sleep;

  scheduler::Schedule schedule;
  schedule.max_faults = options_.max_faults;
  for (size_t k = 1; k < run_.size(); ++k) schedule.prefix.push_back(run_[k]->via);
  schedule.sleep = prefix_sleep_;
  outstanding_ = true;
  return std::make_unique<scheduler::ScheduleStrategy>(std::move(schedule), name());
}

OptimalDpor::Node& OptimalDpor::start_child(Node& parent, const Decision& d) {
  auto child = std::make_unique<Node>();
  child->parent = &parent;
  child->via = d;
  child->depth = parent.depth + 1;
  child->serial = serials_++;
  // Every sibling started before it, freed or not, is one depth-first
  // would have finished by now: the new child sleeps on it (header, (2)).
  std::vector<Decision> sleep = parent.sleep;
  for (const auto& sibling : parent.children) sleep.push_back(sibling->via);
  child->sleep = propagate(sleep, d);
  child->faults = parent.faults + (d.faulted ? 1 : 0);
  child->preemptions = parent.preemptions + (preempts(parent, d) ? 1 : 0);
  parent.children.push_back(std::move(child));
  peak_live_nodes_ = std::max(peak_live_nodes_, ++live_nodes_);
  return *parent.children.back();
}

bool OptimalDpor::preempts(const Node& at, const Decision& next) {
  if (at.depth == 0 || next.event.process == at.via.event.process) return false;
  // Not recorded: any switch counts (an upper bound).
  if (!at.enabled) return true;
  return std::binary_search(at.enabled->begin(), at.enabled->end(), at.via.event.process);
}

void OptimalDpor::learn_enabled(const scheduler::RunRecord& record, size_t begin, size_t end) {
  end = std::min({end, record.enabled.size(), run_.size()});
  for (size_t k = begin; k < end; ++k) {
    std::vector<std::string> processes;
    for (const scheduler::EventRef& e : record.enabled[k]) processes.push_back(e.process);
    std::sort(processes.begin(), processes.end());
    processes.erase(std::unique(processes.begin(), processes.end()), processes.end());
    run_[k]->enabled = std::move(processes);
    run_[k]->priority.reset();
    if (k + 1 < run_.size()) {
      run_[k + 1]->preemptions = run_[k]->preemptions + (preempts(*run_[k], run_[k + 1]->via) ? 1 : 0);
      run_[k + 1]->priority.reset();
    }
  }
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
  learn_enabled(record, 0, prefix_size_);

  // The nodes past the prefix, each with the sleep set the run had there.
  std::optional<size_t> blocked;
  for (size_t k = prefix_size_; k < d.size(); ++k) {
    Node& node = *run_[k];
    learn_enabled(record, k, k + 1);
    // Blocked: nothing awake, allowed or (within the budget) faulted —
    // ScheduleStrategy's continuation had nothing left to prefer.
    const auto& enabled = record.enabled[k];
    const bool budget = node.faults < options_.max_faults;
    if (std::none_of(enabled.begin(), enabled.end(), [&](const scheduler::EventRef& e) {
          return !asleep(node.sleep, e, false) || (budget && e.faultable && !asleep(node.sleep, e, true));
        })) {
      blocked = k;
      break;
    }
    run_.push_back(&start_child(node, d[k]));
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
  } else {
    if (classes_.insert(verdict.class_id).second) {
      verdict.kind = RunVerdict::Kind::NewClass;
      if (std::any_of(d.begin(), d.end(), [](const Decision& x) { return x.faulted; })) ++placements_;
    } else {
      verdict.kind = RunVerdict::Kind::Redundant;
      ++counts_.redundant;
    }
    analyse(record, d.size());
  }
  settle(*root_);
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
    else if (d[i].event.faultable && run_[i]->faults < options_.max_faults)
      insert(i, {Decision{d[i].event, true}});
  }
}

RunVerdict OptimalDpor::diverged(const scheduler::RunRecord& record) {
  ++counts_.divergences;
  // The decisions the run did follow stay; the branch it was sent down is
  // dropped at the node where it failed (or at its branch point, if the run
  // left even the part of the path earlier runs followed) — it is never
  // marked explored, so it puts nothing to sleep.
  const size_t cut = std::min(std::max(record.decisions.size(), branch_depth_), prefix_size_);
  learn_enabled(record, 0, cut + 1);
  if (cut < prefix_size_)
    drop(run_[cut + 1]);
  else if (cut > 0)
    drop(run_[cut]);  // past the whole prefix: its last decision is the one dropped
  settle(*root_);
  RunVerdict verdict;
  verdict.kind = RunVerdict::Kind::Diverged;
  return verdict;
}

void OptimalDpor::drop(Node* child) {
  uint64_t freed = 0;
  std::vector<const Node*> stack{child};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    ++freed;
    waiting_.erase(n->serial);
    for (const auto& c : n->children) stack.push_back(c.get());
  }
  live_nodes_ -= freed;
  auto& siblings = child->parent->children;
  std::erase_if(siblings, [&](const std::unique_ptr<Node>& c) { return c.get() == child; });
}

bool OptimalDpor::settle(Node& node) {
  // Children settle in start order: a later one waits for the earlier ones,
  // whose runs may still deliver into its subtree.
  while (!node.children.empty() && settle(*node.children.front())) {
  }
  if (!node.parent || !node.children.empty() || !node.wakeup.empty()) return false;
  // Algorithm 2, line 16: an explored branch sleeps at its node.
  node.parent->sleep.push_back(node.via);
  drop(&node);
  return true;
}

void OptimalDpor::insert(size_t at, const std::vector<Decision>& v) {
  Node& node = *run_[at];
  const int budget = options_.max_faults - node.faults - faults_in(v);
  if (sleep_covers(node.sleep, v, budget)) return;
  // The started children in start order: before this run's own one, they
  // are what depth-first would have finished (covered, like the sleeping
  // ones); after it, what depth-first would still have in the wakeup tree
  // (the sequence goes down into the first weak initial among them).
  const Node* own = run_[at + 1];
  bool after_own = false;
  for (const auto& child : node.children) {
    if (child.get() == own) {
      after_own = true;
      continue;
    }
    std::vector<Decision> rest;
    if (!weak_initial(child->via, v, budget, &rest)) continue;
    if (after_own) deliver(*child, rest, budget);
    return;
  }
  if (first_run_ && options_.shards > 1 && !node.wakeup.covering_child(v, budget) &&
      !owned_by_this_shard(node, v.front()))
    return;
  if (node.wakeup.insert(v, budget)) wakeup_changed(node);
}

void OptimalDpor::deliver(Node& node, const std::vector<Decision>& w, int budget_after_w) {
  // Used up: the runs through this node extend it.
  if (w.empty()) return;
  for (const auto& child : node.children) {
    std::vector<Decision> rest;
    if (weak_initial(child->via, w, budget_after_w, &rest)) return deliver(*child, rest, budget_after_w);
  }
  if (node.wakeup.insert(w, budget_after_w)) wakeup_changed(node);
}

bool OptimalDpor::owned_by_this_shard(const Node& at, const Decision& first) const {
  std::vector<const Decision*> path;
  for (const Node* n = &at; n->parent; n = n->parent) path.push_back(&n->via);
  Fnv1a h;
  auto add = [&](const Decision& d) {
    h.add(d.event.process);
    h.add(d.event.label);
    h.add_byte(d.faulted ? 'F' : 'A');
  };
  for (auto it = path.rbegin(); it != path.rend(); ++it) add(**it);
  add(first);
  return h.value() % options_.shards == options_.shard;
}

void OptimalDpor::wakeup_changed(Node& node) {
  node.priority.reset();
  if (node.wakeup.empty())
    waiting_.erase(node.serial);
  else
    waiting_.emplace(node.serial, &node);
}

int OptimalDpor::branch_preemptions(const Node& node) const {
  int count = node.preemptions;
  const Decision* previous = node.depth > 0 ? &node.via : nullptr;
  bool first = true;
  for (const Decision& d : node.wakeup.leftmost_sequence()) {
    // The first step is judged by the node's recorded enabled set; past it,
    // enabledness is unknown and every switch counts (an upper bound).
    if (previous && d.event.process != previous->event.process && (!first || preempts(node, d))) ++count;
    previous = &d;
    first = false;
  }
  return count;
}

OptimalDpor::Node* OptimalDpor::choose_branch_node() {
  if (waiting_.empty()) return nullptr;
  Node* best = nullptr;
  switch (options_.order) {
    case DporOrder::DepthFirst:
      for (const auto& [serial, n] : waiting_)
        if (!best || n->depth > best->depth) best = n;
      break;
    case DporOrder::PreemptionsFirst:
      for (const auto& [serial, n] : waiting_) {
        if (!n->priority) n->priority = branch_preemptions(*n);
        if (!best || *n->priority < *best->priority || (*n->priority == *best->priority && n->depth > best->depth))
          best = n;
      }
      break;
    case DporOrder::Random:
      best = std::next(waiting_.begin(), static_cast<std::ptrdiff_t>(splitmix64(draws_) % waiting_.size()))->second;
      break;
  }
  return best;
}

uint64_t OptimalDpor::pending() const {
  uint64_t n = 0;
  for (const auto& [serial, node] : waiting_) n += node->wakeup.leaves();
  return n;
}

ExplorationStats OptimalDpor::stats() const {
  ExplorationStats s = counts_;
  s.classes = classes_.size();
  s.placements = placements_;
  s.pending = pending();
  s.exhausted = root_ && !outstanding_ && s.pending == 0;
  s.peak_live_nodes = peak_live_nodes_;
  return s;
}

}  // namespace faultbox::explorer

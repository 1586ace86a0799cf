#include "explorer/OrderConstraints.h"

#include <algorithm>
#include <deque>
#include <map>
#include <stdexcept>
#include <utility>

#include "scheduler/Dependence.h"

namespace faultbox::explorer {

const char* to_string(OrderReason reason) {
  switch (reason) {
    case OrderReason::ProgramOrder:
      return "program order";
    case OrderReason::CausedBy:
      return "caused by";
    case OrderReason::Dependent:
      return "dependent";
    case OrderReason::Required:
      return "required";
  }
  return "?";
}

std::string InfeasibleOrder::describe() const {
  std::string out;
  auto name = [](const CycleStep& s) {
    return "decision " + std::to_string(s.decision + 1) + " (" + s.label + ")";
  };
  for (const CycleStep& s : cycle) {
    out += name(s);
    out += " -[";
    out += to_string(s.reason);
    if (!s.detail.empty()) out += ": " + s.detail;
    out += "]-> ";
  }
  if (!cycle.empty()) out += name(cycle.front());
  return out;
}

namespace {

using Bits = std::vector<uint64_t>;

bool test(const Bits& b, size_t i) { return (b[i / 64] >> (i % 64)) & 1U; }
void set(Bits& b, size_t i) { b[i / 64] |= uint64_t{1} << (i % 64); }
void merge(Bits& into, const Bits& from) {
  for (size_t w = 0; w < into.size(); ++w) into[w] |= from[w];
}

struct Edge {
  size_t from;
  OrderReason reason;
};

// Dependence is decided once per pair of distinct footprints: a run repeats
// a few footprints many times.
class FootprintKinds {
 public:
  explicit FootprintKinds(const std::vector<scheduler::Decision>& decisions) {
    std::map<std::pair<std::string, std::vector<std::string>>, size_t> ids;
    for (const auto& d : decisions) {
      const auto& f = d.event.footprint;
      auto [it, fresh] = ids.emplace(std::make_pair(f.service, f.resources), distinct_.size());
      if (fresh) distinct_.push_back(&f);
      kind_.push_back(it->second);
    }
    const size_t k = distinct_.size();
    dependent_.assign(k, {});
    for (size_t a = 0; a < k; ++a)
      for (size_t b = 0; b < k; ++b)
        if (scheduler::dependent(*distinct_[a], *distinct_[b])) dependent_[a].push_back(b);
  }
  size_t kinds() const { return distinct_.size(); }
  size_t kind(size_t decision) const { return kind_[decision]; }
  const std::vector<size_t>& dependent_kinds(size_t kind) const { return dependent_[kind]; }

 private:
  std::vector<const scheduler::Footprint*> distinct_;
  std::vector<size_t> kind_;
  std::vector<std::vector<size_t>> dependent_;
};

// The run's happens-before as generating edges, each pointing back to an
// earlier decision: program order, caused_by, and for every footprint kind
// dependent with a decision's, the latest earlier decision of that kind (the
// earlier ones of the kind precede it: equal footprints share a service, so
// they are dependent). The closure is the full happens-before at O(n·kinds)
// edges instead of O(n²). At most one edge per pair, the strongest reason
// (a hard reason wins over Dependent).
//
// `races` (later → earliers) are dependence edges left out: the latest
// decision of a kind that is not a left-out earlier stands in, so that
// leaving out a→b does not also lose x→b for an x of a's kind before a.
std::vector<std::vector<Edge>> happens_before(const scheduler::RunRecord& run,
                                              const std::map<size_t, std::vector<size_t>>& races = {}) {
  const auto& ds = run.decisions;
  const size_t n = ds.size();
  const FootprintKinds kinds(ds);
  std::vector<std::vector<size_t>> of_kind(kinds.kinds());
  std::map<std::string, size_t> last_of_process;
  std::vector<std::vector<Edge>> preds(n);
  for (size_t j = 0; j < n; ++j) {
    std::map<size_t, OrderReason> from;
    auto add = [&](size_t i, OrderReason r) {
      auto [it, fresh] = from.emplace(i, r);
      if (!fresh && r < it->second) it->second = r;
    };
    const auto race = races.find(j);
    auto left_out = [&](size_t i) {
      return race != races.end() && std::find(race->second.begin(), race->second.end(), i) != race->second.end();
    };
    for (size_t k : kinds.dependent_kinds(kinds.kind(j)))
      for (auto i = of_kind[k].rbegin(); i != of_kind[k].rend(); ++i)
        if (!left_out(*i)) {
          add(*i, OrderReason::Dependent);
          break;
        }
    if (auto it = last_of_process.find(ds[j].event.process); it != last_of_process.end())
      add(it->second, OrderReason::ProgramOrder);
    if (j < run.caused_by.size() && run.caused_by[j]) {
      const size_t c = *run.caused_by[j];
      if (c >= j)
        throw std::invalid_argument("order constraints: caused_by of decision " + std::to_string(j + 1) +
                                    " names decision " + std::to_string(c + 1) + ", which is not earlier");
      add(c, OrderReason::CausedBy);
    }
    for (auto [i, r] : from) preds[j].push_back({i, r});
    of_kind[kinds.kind(j)].push_back(j);
    last_of_process[ds[j].event.process] = j;
  }
  return preds;
}

std::string dependence_detail(const scheduler::Footprint& a, const scheduler::Footprint& b) {
  if (a.service == b.service) return "same service " + a.service;
  for (const auto& r : a.resources)
    if (std::binary_search(b.resources.begin(), b.resources.end(), r)) return "share " + r;
  return "";
}

// Decisions reachable from `start` along successor lists (start included).
std::vector<bool> reachable(const std::vector<std::vector<size_t>>& succs, size_t start) {
  std::vector<bool> seen(succs.size(), false);
  std::vector<size_t> stack{start};
  seen[start] = true;
  while (!stack.empty()) {
    const size_t u = stack.back();
    stack.pop_back();
    for (size_t v : succs[u])
      if (!seen[v]) {
        seen[v] = true;
        stack.push_back(v);
      }
  }
  return seen;
}

// The shortest path from `from` to `to` along the kept edges, as the
// (decision, reason of the edge leaving it) pairs; empty if there is none.
std::vector<std::pair<size_t, OrderReason>> shortest_path(const std::vector<std::vector<Edge>>& succs, size_t from,
                                                          size_t to) {
  const size_t n = succs.size();
  std::vector<std::optional<Edge>> came(n);  // came[v]: predecessor on the path and the edge's reason
  std::vector<bool> seen(n, false);
  std::deque<size_t> queue{from};
  seen[from] = true;
  while (!queue.empty() && !seen[to]) {
    const size_t u = queue.front();
    queue.pop_front();
    for (const Edge& e : succs[u])  // here Edge::from names the successor
      if (!seen[e.from]) {
        seen[e.from] = true;
        came[e.from] = Edge{u, e.reason};
        queue.push_back(e.from);
      }
  }
  if (!seen[to] || from == to) return {};
  std::vector<std::pair<size_t, OrderReason>> path;
  for (size_t v = to; v != from;) {
    const Edge back = *came[v];
    path.emplace_back(back.from, back.reason);
    v = back.from;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace

std::variant<OrderConstraints, InfeasibleOrder> OrderConstraints::of_run(const scheduler::RunRecord& run,
                                                                         const std::vector<Reversal>& reversals) {
  const auto& ds = run.decisions;
  const size_t n = ds.size();
  for (const Reversal& r : reversals)
    if (r.later >= n || r.earlier >= r.later)
      throw std::invalid_argument("order constraints: reversal of decisions " + std::to_string(r.earlier + 1) + " and " +
                                  std::to_string(r.later + 1) + " needs 1 <= earlier < later <= " +
                                  std::to_string(n));

  const std::vector<std::vector<Edge>> original = happens_before(run);

  // Kept edges: the run's, minus each reversed race (a hard edge between
  // the two stays and makes the request a cycle), plus Required ones.
  std::map<size_t, std::vector<size_t>> races;
  for (const Reversal& r : reversals) races[r.later].push_back(r.earlier);
  std::vector<std::vector<Edge>> kept = reversals.empty() ? original : happens_before(run, races);
  for (const Reversal& r : reversals) kept[r.earlier].push_back({r.later, OrderReason::Required});

  // Feasibility: the run's edges all point forward, so every cycle uses a
  // Required edge later→earlier and returns along a path earlier ⇝ later.
  // The shortest such cycle is the clearest explanation.
  std::vector<std::vector<Edge>> kept_succs(n);
  for (size_t j = 0; j < n; ++j)
    for (const Edge& e : kept[j]) kept_succs[e.from].push_back({j, e.reason});
  std::vector<std::pair<size_t, OrderReason>> best;
  for (const Reversal& r : reversals) {
    auto path = shortest_path(kept_succs, r.earlier, r.later);
    if (!path.empty() && (best.empty() || path.size() + 1 < best.size())) {
      path.emplace_back(r.later, OrderReason::Required);
      best = std::move(path);
    }
  }
  if (!best.empty()) {
    InfeasibleOrder infeasible;
    for (size_t s = 0; s < best.size(); ++s) {
      const auto [d, reason] = best[s];
      const size_t next = best[(s + 1) % best.size()].first;
      CycleStep step{d, ds[d].event.process, ds[d].event.label, reason, ""};
      if (reason == OrderReason::Dependent)
        step.detail = dependence_detail(ds[d].event.footprint, ds[next].event.footprint);
      infeasible.cycle.push_back(std::move(step));
    }
    return infeasible;
  }

  // Which decisions the schedule keeps (see the header): all of them
  // without reversals; else notdep(earlier)·later per reversal, closed
  // under the kept edges.
  std::vector<bool> in(n, reversals.empty());
  if (!reversals.empty()) {
    std::vector<std::vector<size_t>> original_succs(n);
    for (size_t j = 0; j < n; ++j)
      for (const Edge& e : original[j]) original_succs[e.from].push_back(j);
    for (const Reversal& r : reversals) {
      const std::vector<bool> after_earlier = reachable(original_succs, r.earlier);
      for (size_t x = 0; x < r.later; ++x)
        if (!after_earlier[x]) in[x] = true;
      in[r.later] = true;
    }
    std::vector<size_t> work;
    for (size_t x = 0; x < n; ++x)
      if (in[x]) work.push_back(x);
    while (!work.empty()) {
      const size_t x = work.back();
      work.pop_back();
      for (const Edge& e : kept[x])
        if (!in[e.from]) {
          in[e.from] = true;
          work.push_back(e.from);
        }
    }
  }

  OrderConstraints c;
  c.reversed_ = !reversals.empty();
  std::vector<std::optional<size_t>> node_of(n);
  for (size_t x = 0; x < n; ++x)
    if (in[x]) {
      node_of[x] = c.decision_.size();
      c.decision_.push_back(x);
      c.decisions_.push_back(ds[x]);
    }
  const size_t m = c.decision_.size();

  // Node-level edges (the closure keeps every predecessor of a kept node).
  std::vector<std::vector<size_t>> preds(m);
  for (size_t v = 0; v < m; ++v)
    for (const Edge& e : kept[c.decision_[v]]) preds[v].push_back(*node_of[e.from]);

  // Each node's continuation: its process's next decision in the run, kept
  // or not, and that decision's other hard predecessors.
  std::vector<std::optional<size_t>> next_in_run(n);
  {
    std::map<std::string, size_t> last_of_process;
    for (size_t x = 0; x < n; ++x) {
      auto [it, fresh] = last_of_process.emplace(ds[x].event.process, x);
      if (!fresh) {
        next_in_run[it->second] = x;
        it->second = x;
      }
    }
  }
  c.continuation_.assign(m, std::nullopt);
  for (size_t k = 0; k < m; ++k) {
    const size_t x = c.decision_[k];
    if (!next_in_run[x]) continue;
    const size_t s = *next_in_run[x];
    Continuation cont{node_of[s], {}};
    bool can_be_enabled = true;
    for (const Edge& e : kept[s]) {
      if (e.from == x || (e.reason != OrderReason::ProgramOrder && e.reason != OrderReason::CausedBy)) continue;
      if (!node_of[e.from]) {
        can_be_enabled = false;
        break;
      }
      cont.waits_for.push_back(*node_of[e.from]);
    }
    if (can_be_enabled) c.continuation_[k] = std::move(cont);
  }

  // A topological order (Kahn, smallest node first), then ancestors as
  // bitsets and the transitive reduction: the solver gets only edges that
  // no other path implies.
  std::vector<size_t> waiting(m, 0);
  std::vector<std::vector<size_t>> succs(m);
  for (size_t v = 0; v < m; ++v)
    for (size_t u : preds[v]) {
      succs[u].push_back(v);
      ++waiting[v];
    }
  std::vector<size_t> topo;
  std::vector<size_t> rank(m);
  {
    std::vector<size_t> ready;
    for (size_t v = m; v-- > 0;)
      if (waiting[v] == 0) ready.push_back(v);
    auto later_first = [](size_t a, size_t b) { return a > b; };
    std::make_heap(ready.begin(), ready.end(), later_first);
    while (!ready.empty()) {
      std::pop_heap(ready.begin(), ready.end(), later_first);
      const size_t u = ready.back();
      ready.pop_back();
      rank[u] = topo.size();
      topo.push_back(u);
      for (size_t v : succs[u])
        if (--waiting[v] == 0) {
          ready.push_back(v);
          std::push_heap(ready.begin(), ready.end(), later_first);
        }
    }
  }
  if (topo.size() != m)  // the cycle search above rules this out
    throw std::logic_error("order constraints: kept edges are cyclic after the cycle search found none");

  const size_t words = (m + 63) / 64;
  c.ancestors_.assign(m, Bits(words, 0));
  c.must_follow_.assign(m, {});
  for (size_t v : topo) {
    std::vector<size_t> ps = preds[v];
    std::sort(ps.begin(), ps.end(), [&](size_t a, size_t b) { return rank[a] > rank[b]; });
    ps.erase(std::unique(ps.begin(), ps.end()), ps.end());
    Bits& anc = c.ancestors_[v];
    for (size_t u : ps) {
      if (test(anc, u)) continue;  // implied by a later predecessor
      c.must_follow_[v].push_back(u);
      merge(anc, c.ancestors_[u]);
      set(anc, u);
    }
    std::sort(c.must_follow_[v].begin(), c.must_follow_[v].end());
  }
  return c;
}

bool OrderConstraints::precedes(size_t a, size_t b) const { return test(ancestors_[b], a); }

size_t OrderConstraints::edge_count() const {
  size_t e = 0;
  for (const auto& p : must_follow_) e += p.size();
  return e;
}

std::optional<std::string> OrderConstraints::violation(const std::vector<size_t>& order) const {
  const size_t m = size();
  if (order.size() != m)
    return "the order has " + std::to_string(order.size()) + " decisions, the constraints " + std::to_string(m);
  std::vector<std::optional<size_t>> at(m);
  for (size_t t = 0; t < m; ++t) {
    const size_t v = order[t];
    if (v >= m) return "position " + std::to_string(t) + " names node " + std::to_string(v) + ", out of range";
    if (at[v]) return "decision " + std::to_string(decision_[v] + 1) + " appears twice";
    at[v] = t;
  }
  for (size_t v = 0; v < m; ++v)
    for (size_t u : must_follow_[v])
      if (*at[u] > *at[v])
        return "decision " + std::to_string(decision_[v] + 1) + " (" + decisions_[v].event.label +
               ") runs before decision " + std::to_string(decision_[u] + 1) + " (" + decisions_[u].event.label +
               "), which must precede it";
  return std::nullopt;
}

int OrderConstraints::preemptions(const std::vector<size_t>& order) const {
  const size_t m = size();
  std::vector<bool> placed(m, false);
  int count = 0;
  for (size_t t = 0; t + 1 < order.size(); ++t) {
    const size_t k = order[t];
    placed[k] = true;
    const size_t q = order[t + 1];
    const auto& cont = continuation_[k];
    if (process(q) == process(k) || !cont) continue;
    if (std::all_of(cont->waits_for.begin(), cont->waits_for.end(), [&](size_t e) { return placed[e]; })) ++count;
  }
  return count;
}

std::optional<std::vector<size_t>> OrderConstraints::run_order() const {
  if (reversed_) return std::nullopt;
  std::vector<size_t> order(size());
  for (size_t v = 0; v < order.size(); ++v) order[v] = v;
  return order;
}

scheduler::Schedule OrderConstraints::schedule_of(const std::vector<size_t>& order) const {
  scheduler::Schedule s;
  for (size_t v : order) {
    s.prefix.push_back(decisions_.at(v));
    if (decisions_[v].faulted) ++s.max_faults;
  }
  return s;
}

}  // namespace faultbox::explorer

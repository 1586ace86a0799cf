#include "explorer/ScheduleOptimizer.h"

#include <z3++.h>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "explorer/GreedySchedule.h"

namespace faultbox::explorer {

namespace {

// The encoding, for m kept decisions. A schedule is a sequence of blocks
// (maximal stretches of one process); p_v is the index of v's block, not its
// position, so that "s runs right after k" is the single atom p_s <= p_k and
// no `distinct` over m positions is needed (it was: 45 000 disequalities at
// m = 300, and Z3 did not finish in 5 s; this encoding takes about 1 s).
//   - m integers p_v in [0, m);
//   - per edge u→v of the transitive reduction: p_u <= p_v when u and v are
//     one process's (consecutive in program order: they may share a
//     block), else p_u < p_v (another process's block in between);
//   - per decision k whose process has a next decision s, one soft clause of
//     weight 1, "no preemption at k":
//         p_s <= p_k   ∨  p_c > p_k          (s kept: same block)
//         end_k        ∨  p_c > p_k          (s cut off by a reversal)
//     c ranging over the hard predecessors of s other than k not already
//     known to precede k (at most one: s's caused_by) — s runs right after
//     k, or k ends the prefix, or s was not enabled when k's process left.
//     Left out when c is known to follow k, or s can never be enabled in
//     the prefix (never a preemption);
//   - end_k (a Boolean, only for a process's last kept decision whose next
//     one was cut off — at most one per process): p_z < p_k for every kept z
//     of another process; k's block is the last one, k the last decision.
// Size: m integers, ≤ m + (reduced edges) difference constraints (≈ 2–3m in
// practice), ≤ m soft clauses of ≤ 2 literals, ≤ processes × m implications
// for the end markers. The order read back sorts by (p, process, node): the
// decisions of one block stay together in program order, so its preemptions
// are at most the optimum's cost (equal, as every schedule is such a model).
// Returns the number of soft clauses.
size_t encode(const OrderConstraints& c, z3::context& ctx, z3::optimize& opt, z3::expr_vector& pos) {
  const size_t m = c.size();
  size_t soft = 0;
  for (size_t v = 0; v < m; ++v) {
    pos.push_back(ctx.int_const(("p" + std::to_string(v)).c_str()));
    opt.add(pos[static_cast<unsigned>(v)] >= 0);
    opt.add(pos[static_cast<unsigned>(v)] < static_cast<int>(m));
  }
  auto at = [&](size_t v) { return pos[static_cast<unsigned>(v)]; };
  for (size_t v = 0; v < m; ++v)
    for (size_t u : c.must_follow(v)) opt.add(c.process(u) == c.process(v) ? at(u) <= at(v) : at(u) < at(v));
  for (size_t k = 0; k < m; ++k) {
    const auto& cont = c.continuation(k);
    if (!cont) continue;
    bool never = false;
    z3::expr_vector either(ctx);
    for (size_t e : cont->waits_for) {
      if (c.precedes(e, k)) continue;
      if (c.precedes(k, e)) {
        never = true;
        break;
      }
      either.push_back(at(e) > at(k));
    }
    if (never) continue;
    if (cont->next) {
      either.push_back(at(*cont->next) <= at(k));
    } else {
      const z3::expr end = ctx.bool_const(("end" + std::to_string(k)).c_str());
      for (size_t z = 0; z < m; ++z)
        if (c.process(z) != c.process(k)) opt.add(z3::implies(end, at(z) < at(k)));
      either.push_back(end);
    }
    opt.add_soft(z3::mk_or(either), 1);
    ++soft;
  }
  return soft;
}

// The nodes sorted by block, then process, then program order.
std::vector<size_t> order_of(const OrderConstraints& c, const z3::model& model, const z3::expr_vector& pos) {
  const size_t m = pos.size();
  std::vector<int64_t> p(m);
  for (size_t v = 0; v < m; ++v) p[v] = model.eval(pos[static_cast<unsigned>(v)], true).get_numeral_int64();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (p[a] != p[b]) return p[a] < p[b];
    if (c.process(a) != c.process(b)) return c.process(a) < c.process(b);
    return a < b;
  });
  return order;
}

std::vector<size_t> run_indices(const OrderConstraints& c, const std::vector<size_t>& nodes) {
  std::vector<size_t> out;
  out.reserve(nodes.size());
  for (size_t v : nodes) out.push_back(c.decision(v));
  return out;
}

void require_linearization(const OrderConstraints& c, const std::vector<size_t>& order, const char* who) {
  if (auto why = c.violation(order))
    throw std::logic_error(std::string("schedule optimizer: the ") + who + " order is not a linearization: " + *why);
}

}  // namespace

OptimizedSchedule ScheduleOptimizer::minimize(const scheduler::RunRecord& run) const {
  auto built = OrderConstraints::of_run(run);
  // Without reversals every edge points forward: there is no cycle.
  return optimize(std::get<OrderConstraints>(built));
}

OptimizeOutcome ScheduleOptimizer::reverse(const scheduler::RunRecord& run,
                                           const std::vector<Reversal>& reversals) const {
  auto built = OrderConstraints::of_run(run, reversals);
  if (auto* infeasible = std::get_if<InfeasibleOrder>(&built)) return std::move(*infeasible);
  return optimize(std::get<OrderConstraints>(built));
}

OptimizedSchedule ScheduleOptimizer::optimize(const OrderConstraints& c) const {
  OptimizedSchedule out;
  out.decisions = c.size();
  out.orders = c.edge_count();

  std::vector<size_t> best = greedy_order(c);
  require_linearization(c, best, "greedy");
  out.greedy_preemptions = c.preemptions(best);
  int best_count = out.greedy_preemptions;
  if (auto own = c.run_order()) {
    require_linearization(c, *own, "run's");
    out.run_preemptions = c.preemptions(*own);
    if (*out.run_preemptions < best_count) {
      best = std::move(*own);
      best_count = *out.run_preemptions;
    }
  }

  if (best_count == 0) {
    // Nothing to improve on: zero is the minimum.
    out.proven_minimal = true;
  } else {
    try {
      z3::context ctx;
      z3::optimize opt(ctx);
      z3::params params(ctx);
      params.set("timeout", options_.timeout_ms);
      params.set("rlimit", options_.rlimit);
      opt.set(params);
      z3::expr_vector pos(ctx);
      out.soft = encode(c, ctx, opt, pos);
      const z3::check_result result = opt.check();
      if (result == z3::unsat)  // OrderConstraints ruled out cycles
        throw std::logic_error("schedule optimizer: Z3 found acyclic constraints unsatisfiable");
      if (result != z3::sat) {
        // maxres climbs from below: stopped early, it has no better order
        // than the cheap ones to offer.
        out.solver_note = std::string("Z3 stopped: ") + Z3_optimize_get_reason_unknown(ctx, opt);
      } else {
        out.proven_minimal = true;
        std::vector<size_t> found = order_of(c, opt.get_model(), pos);
        require_linearization(c, found, "solver's");
        const int count = c.preemptions(found);
        if (count > best_count)  // the objective is the preemption count: a bug here
          throw std::logic_error("schedule optimizer: the solver's optimum has " + std::to_string(count) +
                                 " preemptions, more than a known order's " + std::to_string(best_count));
        best = std::move(found);
        best_count = count;
      }
    } catch (const z3::exception& e) {
      out.proven_minimal = false;
      out.solver_note = std::string("Z3 error: ") + e.msg();
    }
  }

  out.preemptions = best_count;
  out.schedule = c.schedule_of(best);
  out.order = run_indices(c, best);
  return out;
}

}  // namespace faultbox::explorer

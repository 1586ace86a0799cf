#include "explorer/GreedySchedule.h"

#include <optional>
#include <set>
#include <stdexcept>

namespace faultbox::explorer {

std::vector<size_t> greedy_order(const OrderConstraints& constraints) {
  const size_t m = constraints.size();
  std::vector<size_t> waiting(m, 0);
  std::vector<std::vector<size_t>> succs(m);
  for (size_t v = 0; v < m; ++v)
    for (size_t u : constraints.must_follow(v)) {
      succs[u].push_back(v);
      ++waiting[v];
    }
  std::set<size_t> ready;
  for (size_t v = 0; v < m; ++v)
    if (waiting[v] == 0) ready.insert(v);

  std::vector<size_t> order;
  order.reserve(m);
  std::optional<size_t> last;
  while (!ready.empty()) {
    size_t v = *ready.begin();
    if (last)
      if (auto next = constraints.next_in_process(*last); next && ready.count(*next)) v = *next;
    ready.erase(v);
    order.push_back(v);
    last = v;
    for (size_t s : succs[v])
      if (--waiting[s] == 0) ready.insert(s);
  }
  if (order.size() != m) throw std::logic_error("greedy order: the constraints are cyclic");
  return order;
}

}  // namespace faultbox::explorer

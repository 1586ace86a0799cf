#include "explorer/ClassId.h"

#include <openssl/sha.h>

#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "explorer/DependenceMatrix.h"

namespace faultbox::explorer {

namespace {

// A decision's place in its class: the same in every linearization, so the
// normal form is ordered by it.
struct Position {
  const std::string* process;
  uint64_t index;  // 0-based among its process's decisions
  size_t decision;
  bool operator>(const Position& o) const {
    if (*process != *o.process) return *process > *o.process;
    return index > o.index;
  }
};

// Length-prefixed fields, so that no two different normal forms can be
// written as the same bytes.
void field(std::string& out, const std::string& s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

}  // namespace

std::string class_id(const std::vector<scheduler::Decision>& decisions) {
  const size_t n = decisions.size();
  const DependenceMatrix dep(decisions);

  std::vector<Position> position(n);
  std::map<std::string, uint64_t> per_process;
  for (size_t i = 0; i < n; ++i)
    position[i] = {&decisions[i].event.process, per_process[decisions[i].event.process]++, i};

  // Edges from every earlier dependent decision (transitive ones included:
  // they never change which decisions are ready).
  std::vector<std::vector<size_t>> successors(n);
  std::vector<size_t> waiting_for(n, 0);
  for (size_t j = 0; j < n; ++j)
    for (size_t i = 0; i < j; ++i)
      if (dep.dependent(i, j)) {
        successors[i].push_back(j);
        ++waiting_for[j];
      }

  // The lexicographically least linearization by position: a function of
  // the partial order alone, hence of the class.
  std::priority_queue<Position, std::vector<Position>, std::greater<Position>> ready;
  for (size_t i = 0; i < n; ++i)
    if (waiting_for[i] == 0) ready.push(position[i]);
  std::string normal_form;
  while (!ready.empty()) {
    const Position p = ready.top();
    ready.pop();
    const scheduler::Decision& d = decisions[p.decision];
    field(normal_form, d.event.process);
    field(normal_form, std::to_string(p.index));
    field(normal_form, d.event.label);
    normal_form += d.faulted ? "F;" : "A;";
    for (size_t s : successors[p.decision])
      if (--waiting_for[s] == 0) ready.push(position[s]);
  }

  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(normal_form.data()), normal_form.size(), digest);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace faultbox::explorer

#include "explorer/DependenceMatrix.h"

#include <map>
#include <tuple>

namespace faultbox::explorer {

namespace {
struct FootprintLess {
  bool operator()(const scheduler::Footprint* a, const scheduler::Footprint* b) const {
    return std::tie(a->service, a->resources) < std::tie(b->service, b->resources);
  }
};
}  // namespace

DependenceMatrix::DependenceMatrix(const std::vector<scheduler::Decision>& decisions) {
  std::map<const scheduler::Footprint*, size_t, FootprintLess> ids;
  std::vector<const scheduler::Footprint*> distinct;
  kind_.reserve(decisions.size());
  for (const auto& d : decisions) {
    auto [it, fresh] = ids.emplace(&d.event.footprint, distinct.size());
    if (fresh) distinct.push_back(&d.event.footprint);
    kind_.push_back(it->second);
  }
  kinds_ = distinct.size();
  table_.assign(kinds_ * kinds_, false);
  for (size_t a = 0; a < kinds_; ++a)
    for (size_t b = a; b < kinds_; ++b)
      table_[a * kinds_ + b] = table_[b * kinds_ + a] = scheduler::dependent(*distinct[a], *distinct[b]);
}

}  // namespace faultbox::explorer

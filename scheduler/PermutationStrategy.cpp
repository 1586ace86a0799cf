#include "scheduler/PermutationStrategy.h"

#include <algorithm>
#include <stdexcept>

namespace faultbox::scheduler {

uint64_t permutation_count(size_t n) {
  if (n > PermutationStrategy::kMaxPermuted)
    throw std::out_of_range("permutations: " + std::to_string(n) + "! does not fit in 64 bits (at most " +
                            std::to_string(PermutationStrategy::kMaxPermuted) + " events are permuted)");
  uint64_t f = 1;
  for (size_t i = 2; i <= n; ++i) f *= i;
  return f;
}

std::vector<size_t> nth_permutation(uint64_t index, size_t n) {
  const uint64_t count = permutation_count(n);
  if (index >= count)
    throw std::out_of_range("permutations: index " + std::to_string(index) + " is not below " + std::to_string(n) +
                            "! = " + std::to_string(count));
  // Factorial number system: the leading digit picks among the remaining
  // positions, in increasing order, which is what makes the rank
  // lexicographic.
  std::vector<size_t> remaining(n);
  for (size_t i = 0; i < n; ++i) remaining[i] = i;
  std::vector<size_t> out;
  out.reserve(n);
  uint64_t block = count;
  for (size_t left = n; left > 0; --left) {
    block /= left;
    const size_t digit = static_cast<size_t>(index / block);
    index %= block;
    out.push_back(remaining[digit]);
    remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(digit));
  }
  return out;
}

PermutationStrategy::PermutationStrategy(uint64_t index, std::optional<std::vector<EventRef>> expected_batch)
    : index_(index), expected_batch_(std::move(expected_batch)) {}

namespace {
std::vector<std::string> texts(const std::vector<traces::EventIdentity>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const auto& id : ids) out.push_back(id.text());
  return out;
}
}  // namespace

void PermutationStrategy::take_batch(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  first_enabled_size_ = enabled.size();
  if (expected_batch_) {
    const std::vector<EventRef>& want = *expected_batch_;
    for (size_t i = 0; i < std::max(want.size(), enabled.size()); ++i) {
      if (i < want.size() && i < enabled.size()) {
        const EventRef got = event_ref(enabled[i]);
        if (got.process == want[i].process && got.label == want[i].label) continue;
      }
      const std::string expected = i < want.size() ? want[i].label : "";
      throw Divergence(step, expected, texts(enabled),
                       "permutation " + std::to_string(index_) + " was drawn for a first batch of " +
                           std::to_string(want.size()) + " events, but decision " + std::to_string(step) +
                           " offers " + std::to_string(enabled.size()) + " and they differ at position " +
                           std::to_string(i + 1) + (expected.empty() ? "" : " (expected " + expected + ")"));
    }
  }
  const size_t n = std::min(enabled.size(), kMaxPermuted);
  batch_.assign(enabled.begin(), enabled.begin() + static_cast<std::ptrdiff_t>(n));
  if (index_ >= permutation_count(n))
    throw Divergence(step, "", texts(enabled),
                     "permutation " + std::to_string(index_) + " needs a first batch of more than " +
                         std::to_string(n) + " events (" + std::to_string(n) + "! = " +
                         std::to_string(permutation_count(n)) + ")");
  order_ = nth_permutation(index_, n);
  released_.assign(n, false);
  started_ = true;
}

bool PermutationStrategy::held(const traces::EventIdentity& id) const {
  for (size_t b = 0; b < batch_.size(); ++b)
    if (!released_[b] && batch_[b] == id) return true;
  return false;
}

size_t PermutationStrategy::choose(const std::vector<traces::EventIdentity>& enabled, uint64_t step) {
  if (enabled.empty())
    throw std::invalid_argument("permutations: decision " + std::to_string(step) + " with nothing enabled");
  if (!started_) take_batch(enabled, step);

  auto position_in = [&](const traces::EventIdentity& id) -> std::optional<size_t> {
    for (size_t i = 0; i < enabled.size(); ++i)
      if (enabled[i] == id) return i;
    return std::nullopt;
  };
  auto release = [&](size_t b) {
    released_[b] = true;
    while (next_ < order_.size() && released_[order_[next_]]) ++next_;
  };

  if (next_ < order_.size()) {
    const size_t b = order_[next_];
    if (auto at = position_in(batch_[b])) {
      release(b);
      return *at;
    }
  }
  for (size_t i = 0; i < enabled.size(); ++i)
    if (!held(enabled[i])) return i;
  // Only held batch events are enabled and the one whose turn it is is not:
  // the run cannot wait for it, so the earliest enabled one in the order
  // goes now.
  for (size_t k = next_; k < order_.size(); ++k) {
    const size_t b = order_[k];
    if (released_[b]) continue;
    if (auto at = position_in(batch_[b])) {
      release(b);
      ++out_of_turn_;
      return *at;
    }
  }
  // Unreachable: every enabled event was held, so one of them is found above.
  throw std::logic_error("permutations: decision " + std::to_string(step) + " found no event to release");
}

}  // namespace faultbox::scheduler

#include "recorder/OccurrenceCounter.h"

namespace faultbox::recorder {

uint64_t OccurrenceCounter::taken(const std::string& host, const std::string& action,
                                  const std::string& resource) const {
  auto it = counts_.find(Key{host, action, resource});
  return it == counts_.end() ? 0 : it->second;
}

uint64_t OccurrenceCounter::peek(const std::string& host, const std::string& action,
                                 const std::string& resource) const {
  return taken(host, action, resource) + 1;
}

uint64_t OccurrenceCounter::take(const std::string& host, const std::string& action, const std::string& resource) {
  return ++counts_[Key{host, action, resource}];
}

}  // namespace faultbox::recorder

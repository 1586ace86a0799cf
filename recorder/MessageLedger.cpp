#include "recorder/MessageLedger.h"

#include <stdexcept>

namespace faultbox::recorder {

namespace {

std::string range_text(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

void check_range(const char* what, const std::string& from, const std::string& to, uint64_t begin, uint64_t end) {
  if (end < begin)
    throw std::invalid_argument(std::string("MessageLedger::") + what + ": " + from + " -> " + to + ": bytes " +
                                range_text(begin, end) + " end before they begin");
}

}  // namespace

void MessageLedger::sent(const std::string& local, const std::string& peer, uint64_t begin, uint64_t end,
                         traces::VectorClock clock) {
  check_range("sent", local, peer, begin, end);
  if (begin == end) return;
  std::deque<Send>& q = pending_[{local, peer}];
  for (const Send& s : q)
    if (s.range && begin < s.range->second)
      throw std::logic_error("MessageLedger::sent: " + local + " -> " + peer + ": bytes " + range_text(begin, end) +
                             " start before an earlier send " + range_text(s.range->first, s.range->second) +
                             " ended (a new connection on the same endpoints that was never closed()?)");
  q.push_back(Send{std::make_pair(begin, end), std::move(clock)});
}

std::vector<traces::VectorClock> MessageLedger::received(const std::string& local, const std::string& peer,
                                                         uint64_t begin, uint64_t end) {
  check_range("received", peer, local, begin, end);
  std::vector<traces::VectorClock> out;
  auto it = pending_.find({peer, local});
  if (it == pending_.end()) return out;
  std::deque<Send>& q = it->second;
  bool reads_something = end > begin;
  for (auto s = q.begin(); s != q.end();) {
    if (!s->range) {
      // A whole message: the first receive that reads anything reads it.
      if (!reads_something) {
        ++s;
        continue;
      }
      out.push_back(std::move(s->clock));
      s = q.erase(s);
      continue;
    }
    auto [sb, se] = *s->range;
    if (se <= begin) {  // the stream is past it: read by someone unrecorded
      s = q.erase(s);
      continue;
    }
    if (sb < end && reads_something) {
      if (end >= se) {  // its last byte read now
        out.push_back(std::move(s->clock));
        s = q.erase(s);
      } else {
        out.push_back(s->clock);
        ++s;
      }
      continue;
    }
    ++s;
  }
  if (q.empty()) pending_.erase(it);
  return out;
}

void MessageLedger::sent_message(const std::string& local, const std::string& peer, traces::VectorClock clock) {
  pending_[{local, peer}].push_back(Send{std::nullopt, std::move(clock)});
}

std::vector<traces::VectorClock> MessageLedger::received_any(const std::string& local, const std::string& peer) {
  std::vector<traces::VectorClock> out;
  auto it = pending_.find({peer, local});
  if (it == pending_.end()) return out;
  for (Send& s : it->second) out.push_back(std::move(s.clock));
  pending_.erase(it);
  return out;
}

void MessageLedger::closed(const std::string& local, const std::string& peer) {
  pending_.erase({local, peer});
  pending_.erase({peer, local});
}

size_t MessageLedger::pending(const std::string& from, const std::string& to) const {
  auto it = pending_.find({from, to});
  return it == pending_.end() ? 0 : it->second.size();
}

}  // namespace faultbox::recorder

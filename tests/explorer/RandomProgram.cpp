#include "tests/explorer/RandomProgram.h"

#include <string>
#include <utility>
#include <vector>

namespace faultbox::explorer::model {

namespace {

// splitmix64: tiny, seeded, the same sequence everywhere.
class Dice {
 public:
  explicit Dice(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int in(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(int percent) { return in(0, 99) < percent; }

 private:
  uint64_t state_;
};

constexpr size_t kAbandon = SIZE_MAX - 1;  // on_fault: to the thread's end, fixed up at the end

struct Slot {
  size_t service;
  size_t thread;
  int target;  // events wanted
  int events = 0;
};

}  // namespace

Program random_program(uint64_t seed, const RandomProgramShape& shape) {
  Dice dice(seed);
  Program p;
  std::vector<Slot> slots;
  const int processes = dice.in(shape.min_processes, shape.max_processes);
  for (int i = 0; i < processes; ++i) {
    // Now and then a second thread of a service that has one: threads of
    // one service are always dependent (shared memory faultbox cannot see).
    if (i >= 2 && dice.chance(30)) {
      const size_t s = static_cast<size_t>(dice.in(0, static_cast<int>(p.services.size()) - 1));
      if (p.services[s].threads.size() == 1) {
        p.services[s].threads.emplace_back();
        slots.push_back({s, 1, dice.in(shape.min_ops, shape.max_ops)});
        continue;
      }
    }
    p.services.push_back(Service{std::string(1, static_cast<char>('a' + p.services.size())), {ThreadProgram{}}});
    slots.push_back({p.services.size() - 1, 0, dice.in(shape.min_ops, shape.max_ops)});
  }
  auto code = [&](const Slot& s) -> std::vector<Instr>& { return p.services[s.service].threads[s.thread].code; };
  auto file = [&] { return dice.chance(60) ? std::string("/f/x") : std::string("/f/y"); };
  auto faultable = [&](Instr i) {
    if (dice.chance(shape.fault_percent)) {
      i.faultable = true;
      i.on_fault = dice.chance(50) ? kAbandon : SIZE_MAX;
    }
    return i;
  };

  int budget = shape.max_events;
  for (bool progress = true; progress && budget > 0;) {
    progress = false;
    for (size_t n = 0; n < slots.size() && budget > 0; ++n) {
      Slot& me = slots[n];
      if (me.events >= me.target) continue;
      progress = true;
      // A peer in another service, for messages and connections.
      std::vector<size_t> others;
      for (size_t m = 0; m < slots.size(); ++m)
        if (slots[m].service != me.service) others.push_back(m);
      const int roll = dice.in(0, 99);
      if (roll < 30) {
        code(me).push_back(faultable(write(file(), dice.in(0, 2))));
        ++me.events, --budget;
      } else if (roll < 55) {
        const std::string f = file();
        code(me).push_back(faultable(read(f)));
        ++me.events, --budget;
        if (dice.chance(50) || budget == 0) {
          // Data-dependent control flow: skip the next operation when the
          // value read is 1 (the jump target is clamped to the end).
          code(me).push_back(jump_if_eq(1, code(me).size() + 2));
        } else {
          code(me).push_back(increment(f));
          ++me.events, --budget;
        }
      } else if (roll < 80 && !others.empty() && budget >= 2) {
        Slot& peer = slots[others[static_cast<size_t>(dice.in(0, static_cast<int>(others.size()) - 1))]];
        const std::string& to = p.services[peer.service].name;
        const std::string& from = p.services[me.service].name;
        code(me).push_back(faultable(send(to, dice.in(0, 2))));
        Instr r = faultable(recv(from));
        code(peer).push_back(r);
        if (dice.chance(50)) code(peer).push_back(jump_if_eq(1, code(peer).size() + 2));
        ++me.events, ++peer.events, budget -= 2;
      } else if (!others.empty() && budget >= 2) {
        Slot& peer = slots[others[static_cast<size_t>(dice.in(0, static_cast<int>(others.size()) - 1))]];
        code(me).push_back(faultable(connect(p.services[peer.service].name)));
        code(peer).push_back(faultable(accept()));
        ++me.events, ++peer.events, budget -= 2;
      } else {
        code(me).push_back(faultable(read(file())));
        ++me.events, --budget;
      }
    }
  }
  for (Service& s : p.services)
    for (ThreadProgram& t : s.threads)
      for (Instr& i : t.code) {
        if (i.on_fault == kAbandon) i.on_fault = t.code.size();
        if (i.op == Instr::Op::JumpIfEq && i.jump > t.code.size()) i.jump = t.code.size();
      }
  return p;
}

}  // namespace faultbox::explorer::model

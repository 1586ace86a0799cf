#include "engine/Driver.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "spec/eval/Thread.h"

namespace faultbox::engine {

namespace {

// The next '/'-separated component of `s` from `pos`; advances pos past it.
std::string_view next_component(std::string_view s, size_t& pos) {
  size_t end = s.find('/', pos);
  if (end == std::string_view::npos) end = s.size();
  std::string_view c = s.substr(pos, end - pos);
  pos = end + 1;
  return c;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string StepIntent::text() const {
  std::string out = method + " " + target;
  if (!path.empty()) out += " " + path;
  return out;
}

bool FiberNameOrder::operator()(const std::string& a, const std::string& b) const {
  size_t i = 0, j = 0;
  while (i <= a.size() && j <= b.size()) {
    std::string_view x = next_component(a, i), y = next_component(b, j);
    if (x != y) {
      // Numbers first, numerically (by length, then digits: no overflow);
      // other components after them, as text. A total order per component.
      bool xd = all_digits(x), yd = all_digits(y);
      if (xd != yd) return xd;
      if (xd && x.size() != y.size()) return x.size() < y.size();
      return x < y;
    }
    // Equal so far: the name that ends here is the ancestor, and comes first.
    bool a_ends = i > a.size(), b_ends = j > b.size();
    if (a_ends || b_ends) return a_ends && !b_ends;
  }
  return false;
}

Driver::Driver(EventLoop& loop, std::function<void()> check_interrupt, size_t stack_size)
    : loop_(loop), check_interrupt_(std::move(check_interrupt)), stack_size_(stack_size) {}

Driver::~Driver() {
  if (fibers_.empty() || in_fiber()) return;
  try {
    cancel_all(std::make_exception_ptr(std::runtime_error("the test driver was destroyed while fibers ran")));
  } catch (...) {
    // Destroying the records below still unwinds any fiber left (Fiber's
    // forced_unwind); a destructor has nowhere to report more.
  }
  fibers_.clear();
}

// --- the main context ------------------------------------------------------------

void Driver::run_test(const std::function<void()>& body, const Pump& pump) {
  main_context("run_test");
  if (root_) throw std::logic_error("Driver::run_test: a test is already running");
  cancel_ = nullptr;
  Record& root = spawn(kTestFiber, body);
  root_ = &root;
  std::exception_ptr abandoned;
  try {
    while (root.block != Block::Done) {
      if (check_interrupt_) check_interrupt_();
      if (pump) {
        pump();
        continue;
      }
      resume_ready();
      if (root.block == Block::Done) break;
      // Every fiber is blocked now: wait for the event that unblocks one
      // (the interrupt fd is watched by the Run, so a signal wakes this too).
      loop_.run_once(std::chrono::milliseconds(100));
    }
  } catch (...) {
    abandoned = std::current_exception();
  }
  // Outside the handler: the fibers throw and catch while they unwind.
  if (abandoned) cancel_all(abandoned);
  std::exception_ptr error = abandoned ? abandoned : root.error;
  fibers_.clear();
  root_ = nullptr;
  cancel_ = nullptr;
  if (error) std::rethrow_exception(error);
}

std::vector<Driver::FiberInfo> Driver::fibers() const {
  std::vector<FiberInfo> out;
  out.reserve(fibers_.size());
  for (const auto& [name, r] : fibers_) {
    FiberInfo info;
    info.name = name;
    switch (r->block) {
      case Block::Done:
        info.state = FiberState::Done;
        break;
      case Block::Step:
        info.state = can_run(*r) ? FiberState::Runnable : FiberState::WantsStep;
        if (info.state == FiberState::WantsStep) info.step = r->step;
        break;
      default:
        info.state = can_run(*r) ? FiberState::Runnable : FiberState::Waiting;
    }
    out.push_back(std::move(info));
  }
  return out;
}

int Driver::resume_ready() {
  main_context("resume_ready");
  int ran = 0;
  for (bool progress = true; progress;) {
    progress = false;
    // Fibers appear and disappear as others run: walk a snapshot of names.
    std::vector<std::string> names;
    names.reserve(fibers_.size());
    for (const auto& [name, r] : fibers_) names.push_back(name);
    for (const std::string& name : names) {
      auto it = fibers_.find(name);
      if (it == fibers_.end() || !can_run(*it->second)) continue;
      resume(*it->second);
      ++ran;
      progress = true;
    }
  }
  return ran;
}

void Driver::release_step(const std::string& name) {
  main_context("release_step");
  auto it = fibers_.find(name);
  if (it == fibers_.end() || it->second->block != Block::Step)
    throw std::logic_error("Driver::release_step: fiber " + name + " has no pending step");
  it->second->released = true;
  resume(*it->second);
}

bool Driver::all_blocked() const {
  return std::none_of(fibers_.begin(), fibers_.end(), [this](const auto& entry) { return can_run(*entry.second); });
}

bool Driver::finished() const { return !root_ || root_->block == Block::Done; }

void Driver::cancel_all(std::exception_ptr why) {
  main_context("cancel_all");
  if (!why) why = std::make_exception_ptr(std::runtime_error("the test was abandoned"));
  cancel_ = why;
  for (auto& [name, r] : fibers_) r->cancelled = true;
  // Every wait of a cancelled fiber is runnable and throws; a parent waits
  // in run_branches until its branches are Done, which they become here.
  while (std::any_of(fibers_.begin(), fibers_.end(), [](const auto& e) { return e.second->block != Block::Done; }))
    if (resume_ready() == 0) break;  // cannot happen; the records' destructors would unwind the rest
}

// --- inside a fiber -----------------------------------------------------------------

bool Driver::wait_until(const std::function<bool()>& ready, std::optional<EventLoop::Clock::time_point> deadline) {
  Record& me = running("wait_until");
  throw_if_cancelled(me);
  if (ready()) return true;
  bool expired = false;
  EventLoop::TimerId timer = 0;
  if (deadline) timer = loop_.at(*deadline, [&expired] { expired = true; });
  struct CancelTimer {
    EventLoop& loop;
    EventLoop::TimerId id;
    ~CancelTimer() {
      if (id) loop.cancel(id);  // a no-op once it fired
    }
  } cancel_timer{loop_, timer};
  me.ready = [&] { return expired || ready(); };
  block_on(me, Block::Wait);
  throw_if_cancelled(me);
  return ready();
}

void Driver::before_step(const StepIntent& what) {
  Record& me = running("before_step");
  throw_if_cancelled(me);
  if (!gated_) return;
  me.step = what;
  me.released = false;
  block_on(me, Block::Step);
  throw_if_cancelled(me);
}

std::vector<std::exception_ptr> Driver::run_branches(std::vector<Branch> branches) {
  Record& me = running("run_branches");
  throw_if_cancelled(me);
  for (size_t i = 0; i < branches.size(); ++i) {
    if (fibers_.count(branches[i].name))
      throw std::logic_error("Driver::run_branches: a fiber named " + branches[i].name + " is already running");
    for (size_t j = 0; j < i; ++j)
      if (branches[j].name == branches[i].name)
        throw std::logic_error("Driver::run_branches: two branches named " + branches[i].name);
  }
  std::vector<Record*> kids;
  try {
    for (Branch& b : branches) kids.push_back(&spawn(b.name, std::move(b.body)));
  } catch (...) {
    // A stack that could not be mapped: the ones made never start.
    for (Record* k : kids) fibers_.erase(k->name);
    throw;
  }
  if (!kids.empty()) {
    me.ready = [&kids] {
      return std::all_of(kids.begin(), kids.end(), [](const Record* k) { return k->block == Block::Done; });
    };
    block_on(me, Block::Join);
  }
  std::vector<std::exception_ptr> errors;
  errors.reserve(kids.size());
  for (Record* k : kids) {
    errors.push_back(k->error);
    fibers_.erase(k->name);
  }
  // An abandoned run: its reason, not a branch's error (which is most
  // likely the same reason, thrown out of the branch's wait).
  throw_if_cancelled(me);
  return errors;
}

const std::string& Driver::current_name() const { return running("current_name").name; }

Driver::StackBounds Driver::current_stack() const {
  const Record& me = running("current_stack");
  return {me.fiber->stack_lo(), me.fiber->stack_hi()};
}

void Driver::bind_stack(star::Thread& t) const {
  StackBounds b = current_stack();
  t.set_stack_bounds(b.lo, b.hi);
}

// --- internals ----------------------------------------------------------------------

Driver::Record& Driver::spawn(const std::string& name, std::function<void()> body) {
  auto rec = std::make_unique<Record>();
  Record* self = rec.get();
  rec->name = name;
  rec->cancelled = cancel_ != nullptr;
  rec->fiber = std::make_unique<Fiber>(
      [this, self, body = std::move(body)] {
        // Abandoned before it ever ran: end without running the body.
        throw_if_cancelled(*self);
        body();
      },
      stack_size_);
  auto [it, inserted] = fibers_.emplace(name, std::move(rec));
  if (!inserted) throw std::logic_error("Driver: a fiber named " + name + " is already running");
  return *it->second;
}

Driver::Record& Driver::running(const char* what) const {
  if (!current_) throw std::logic_error(std::string("Driver::") + what + ": called outside a driver fiber");
  return *current_;
}

void Driver::main_context(const char* what) const {
  if (current_)
    throw std::logic_error(std::string("Driver::") + what + ": called from fiber " + current_->name +
                           " (main context only)");
}

bool Driver::can_run(const Record& r) const {
  switch (r.block) {
    case Block::Fresh:
      return true;
    case Block::Wait:
      return r.cancelled || r.ready();
    case Block::Step:
      return r.cancelled || r.released || !gated_;
    case Block::Join:
      return r.ready();  // never early: the branches use this fiber's stack
    case Block::Running:
    case Block::Done:
      return false;
  }
  return false;
}

void Driver::resume(Record& r) {
  current_ = &r;
  if (r.block == Block::Fresh) r.block = Block::Running;
  try {
    r.fiber->resume();
  } catch (...) {
    r.error = std::current_exception();  // the body threw: the fiber has ended
  }
  current_ = nullptr;
  if (r.fiber->finished()) r.block = Block::Done;
}

void Driver::throw_if_cancelled(const Record& r) const {
  if (r.cancelled && cancel_) std::rethrow_exception(cancel_);
}

void Driver::block_on(Record& me, Block block) {
  me.block = block;
  struct Restore {
    Record& r;
    ~Restore() {
      r.block = Block::Running;
      r.ready = nullptr;
      r.step.reset();
      r.released = false;
    }
  } restore{me};
  me.fiber->suspend();  // resume() keeps current_ right on both sides
}

}  // namespace faultbox::engine

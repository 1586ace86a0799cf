// The ASan build's half of Boost.Context's ucontext backend (DESIGN.md §9).
//
// With BOOST_USE_UCONTEXT the fiber headers call
// fiber_activation_record::current(), which Boost defines in its compiled
// library (libs/context/src/fiber.cpp) — but only when that library is
// itself built for ucontext. Debian 12's libboost_context 1.74 is built for
// fcontext (it exports jump_fcontext and friends only), so the ASan build
// would not link. This file supplies the same definitions as Boost's
// fiber.cpp. Normal builds use fcontext and compile nothing here.
//
// The one exception to "no thread_local" in faultbox: Boost's contract is a
// per-thread "current context" record (the context that is running on this
// OS thread), and this is Boost's state, not faultbox's.
#if defined(BOOST_USE_UCONTEXT)

#include <boost/context/fiber.hpp>

#include <cstddef>

namespace boost::context::detail {

namespace {

thread_local fiber_activation_record* current_record = nullptr;
thread_local std::size_t record_users = 0;

}  // namespace

// A Schwarz counter, as in Boost: the first user on a thread makes the
// record of the thread's own (main) context, the last one deletes it.
fiber_activation_record_initializer::fiber_activation_record_initializer() noexcept {
  if (record_users++ == 0) current_record = new fiber_activation_record();
}

fiber_activation_record_initializer::~fiber_activation_record_initializer() {
  if (--record_users == 0) {
    delete current_record;
    current_record = nullptr;
  }
}

fiber_activation_record*& fiber_activation_record::current() noexcept {
  thread_local fiber_activation_record_initializer initializer;
  return current_record;
}

}  // namespace boost::context::detail

#endif  // BOOST_USE_UCONTEXT

// Lists and tuples: printing, comparison, hashing, indexing, slicing, + and *,
// and the list methods. Semantics and messages follow starlark-go.
#include "spec/eval/List.h"

#include <algorithm>
#include <limits>

#include "spec/eval/ContainerWalk.h"
#include "spec/eval/Error.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/eval/SequenceIndex.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {

// ---------------------------------------------------------------------------
// Helpers shared by lists and tuples

namespace {

// starlark-go refuses to build sequences of 2^30 elements or more.
constexpr int64_t kMaxAlloc = int64_t{1} << 30;

bool sequence_equal(Thread& t, const std::vector<Value>& x, const std::vector<Value>& y,
                    int depth) {
  if (x.size() != y.size()) return false;
  // No identity shortcut: a list holding NaN is not equal to itself, and a
  // cyclic list must report the recursion limit, as in starlark-go.
  for (size_t i = 0; i < x.size(); ++i)
    if (!equal(t, x[i], y[i], depth + 1)) return false;
  return true;
}

// Lexicographic ordering: the first unequal pair of elements decides, else
// the lengths. The result is a three-way value that answers `op` exactly as
// starlark-go does (elements are compared with `op` itself, so partially
// ordered elements such as NaN or sets behave the same).
int sequence_compare(Thread& t, const std::vector<Value>& x, const std::vector<Value>& y, Token op,
                     int depth) {
  size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    if (equal(t, x[i], y[i], depth + 1)) continue;
    switch (op) {
      case Token::Lt:
      case Token::Le:
        return compare(t, Token::Lt, x[i], y[i], depth + 1) ? -1 : 1;
      case Token::Gt:
      case Token::Ge:
        return compare(t, Token::Gt, x[i], y[i], depth + 1) ? 1 : -1;
      default:
        return 1;  // Eql/Neq: unequal
    }
  }
  if (x.size() == y.size()) return 0;
  return x.size() < y.size() ? -1 : 1;
}

// elems * n (n an int Value), per starlark-go's tupleRepeat.
std::vector<Value> repeat_elems(const std::vector<Value>& elems, const Value& n) {
  std::vector<Value> res;
  if (elems.empty()) return res;
  int64_t count;
  try {
    count = as_int32(n);
  } catch (const EvalError&) {
    throw EvalError("repeat count " + int_to_string(n) + " too large");
  }
  if (count < 1) return res;
  int64_t size = static_cast<int64_t>(elems.size()) * count;  // both < 2^31: no overflow
  if (size >= kMaxAlloc)
    throw EvalError("excessive repeat (" + std::to_string(elems.size()) + " * " +
                    std::to_string(count) + " elements)");
  res.reserve(static_cast<size_t>(size));
  for (int64_t k = 0; k < count; ++k) res.insert(res.end(), elems.begin(), elems.end());
  return res;
}

// x[lo:hi:step] with indices already normalized by Ops::slice.
std::vector<Value> slice_elems(const std::vector<Value>& elems, int64_t start, int64_t end,
                               int64_t step) {
  std::vector<Value> res;
  if (step == 1) {
    if (start < end) res.assign(elems.begin() + start, elems.begin() + end);
    return res;
  }
  if (step > 0) {
    for (int64_t i = start; i < end; i += step) res.push_back(elems[static_cast<size_t>(i)]);
  } else {
    for (int64_t i = start; i > end; i += step) res.push_back(elems[static_cast<size_t>(i)]);
  }
  return res;
}

// The element at x[key] for a sequence of type `type`.
const Value& index_elem(const std::vector<Value>& elems, const Value& key, std::string_view type) {
  int64_t n = static_cast<int64_t>(elems.size());
  int64_t i;
  if (key.is_small_int() && key.as_small_int() >= -n && key.as_small_int() < n) {
    i = key.as_small_int();  // fast path
  } else {
    try {
      i = as_int32(key);
    } catch (const EvalError& e) {
      throw EvalError(std::string(type) + " index: " + e.msg());
    }
    if (i < -n || i >= n) throw EvalError(index_out_of_range(i, n, type));
  }
  if (i < 0) i += n;
  return elems[static_cast<size_t>(i)];
}

bool elems_contain(Thread& t, const std::vector<Value>& elems, const Value& y) {
  for (const Value& e : elems)
    if (equal(t, e, y)) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------
// ListObj

void ListObj::check_mutable(std::string_view verb) const {
  if (frozen_) throw EvalError("cannot " + std::string(verb) + " frozen list");
  if (iterators_ > 0) throw EvalError("cannot " + std::string(verb) + " list during iteration");
}

ListObj::~ListObj() { release_values(elems_); }

void ListObj::clear_references() { release_values(elems_); }

void ListObj::repr(std::string& out, ReprPath& path) const { repr_container(out, this, path); }

bool ListObj::equals(Thread& t, const Object& other, int depth) const {
  if (other.kind() != ObjKind::List) return false;
  return sequence_equal(t, elems_, static_cast<const ListObj&>(other).elems_, depth);
}

int ListObj::compare(Thread& t, const Object& other, Token op, int depth) const {
  if (other.kind() != ObjKind::List) return Object::compare(t, other, op, depth);
  return sequence_compare(t, elems_, static_cast<const ListObj&>(other).elems_, op, depth);
}

void ListObj::freeze() {
  if (!frozen_) freeze_graph(this);
}

Value ListObj::attr(Thread&, std::string_view name) {
  return bind_method(list_methods(), name, Value(this));
}

std::vector<std::string> ListObj::attr_names() const { return list_methods().names(); }

const MethodTable* ListObj::methods() const { return &list_methods(); }

namespace {

// Counts itself as a live iterator of an unfrozen list for its lifetime, so
// that mutating the list during a for loop fails.
class ListIterator final : public Iterator {
 public:
  explicit ListIterator(ListObj* list) : hold_(list), list_(list), counted_(!list->frozen()) {
    if (counted_) list_->add_iterator();
  }
  ~ListIterator() override {
    if (counted_) list_->remove_iterator();
  }
  bool next(Value& out) override {
    const auto& elems = list_->elems();
    if (i_ >= elems.size()) return false;
    out = elems[i_++];
    return true;
  }

 private:
  Value hold_;  // keeps the list alive
  ListObj* list_;
  size_t i_ = 0;
  bool counted_;
};

class TupleIterator final : public Iterator {
 public:
  explicit TupleIterator(TupleObj* tuple) : hold_(tuple), tuple_(tuple) {}
  bool next(Value& out) override {
    const auto& elems = tuple_->elems();
    if (i_ >= elems.size()) return false;
    out = elems[i_++];
    return true;
  }

 private:
  Value hold_;
  TupleObj* tuple_;
  size_t i_ = 0;
};

}  // namespace

std::unique_ptr<Iterator> ListObj::iterate(Thread&) { return std::make_unique<ListIterator>(this); }

Value ListObj::get_index(Thread&, const Value& key) { return index_elem(elems_, key, "list"); }

void ListObj::set_index(Thread&, const Value& key, const Value& v) {
  // starlark-go checks the index before mutability, and without a prefix.
  int64_t n = static_cast<int64_t>(elems_.size());
  int64_t i = as_int32(key);
  int64_t orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) throw EvalError(index_out_of_range(orig, n, "list"));
  check_mutable("assign to element of");
  elems_[static_cast<size_t>(i)] = v;
}

Value ListObj::slice(Thread& t, int64_t start, int64_t end, int64_t step) {
  return make_list(t.heap(), slice_elems(elems_, start, end, step));
}

Value ListObj::contains(Thread& t, const Value& y) {
  return Value::boolean(elems_contain(t, elems_, y));
}

Value ListObj::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  switch (op) {
    case Token::Plus:
      if (other.is(ObjKind::List)) {
        const auto& o = other.as<ListObj>()->elems_;
        const auto& x = this_on_left ? elems_ : o;
        const auto& y = this_on_left ? o : elems_;
        std::vector<Value> z;
        z.reserve(x.size() + y.size());
        z.insert(z.end(), x.begin(), x.end());
        z.insert(z.end(), y.begin(), y.end());
        return make_list(t.heap(), std::move(z));
      }
      break;
    case Token::Star:
      if (other.is_int()) return make_list(t.heap(), repeat_elems(elems_, other));
      break;
    default:
      break;
  }
  return Value::absent();
}

Value make_list(Heap& heap, std::vector<Value> elems) {
  return Value(new ListObj(heap, std::move(elems)));
}

void list_extend(Thread& t, ListObj& list, const Value& iterable) {
  auto& elems = list.elems();
  if (iterable.is(ObjKind::List) || iterable.is(ObjKind::Tuple)) {
    // Fast path; copy first since x.extend(x) reads what it appends to.
    std::vector<Value> src = iterable.is(ObjKind::List) ? iterable.as<ListObj>()->elems()
                                                        : iterable.as<TupleObj>()->elems();
    elems.insert(elems.end(), std::make_move_iterator(src.begin()),
                 std::make_move_iterator(src.end()));
    return;
  }
  std::unique_ptr<Iterator> it = iterate(t, iterable);
  if (!it) throw EvalError("got " + std::string(type_name(iterable)) + ", want iterable");
  if (int64_t n = len(iterable); n > 0) elems.reserve(elems.size() + static_cast<size_t>(n));
  Value x;
  while (it->next(x)) elems.push_back(std::move(x));
}

// ---------------------------------------------------------------------------
// TupleObj

TupleObj::~TupleObj() { release_values(elems_); }

void TupleObj::repr(std::string& out, ReprPath& path) const { repr_container(out, this, path); }

uint32_t TupleObj::hash(Thread& t) const {
  if (hashed_) return hash_;
  // Post-order over the nested tuples not hashed yet, with an explicit stack
  // (a tuple may be nested very deeply); each tuple's hash is then cached.
  std::vector<const TupleObj*> stack{this};
  while (!stack.empty()) {
    const TupleObj* u = stack.back();
    if (u->hashed_) {
      stack.pop_back();
      continue;
    }
    bool ready = true;
    for (const Value& e : u->elems_) {
      if (e.is(ObjKind::Tuple) && !e.as<TupleObj>()->hashed_) {
        stack.push_back(e.as<TupleObj>());
        ready = false;
      }
    }
    if (!ready) continue;
    // A Python-style combination: order-sensitive, length-salted.
    uint32_t x = 0x345678, mult = 1000003;
    uint32_t salt = 82520 + 2 * static_cast<uint32_t>(u->elems_.size());
    for (const Value& e : u->elems_) {
      uint32_t h = e.is(ObjKind::Tuple) ? e.as<TupleObj>()->hash_ : hash_value(t, e);
      x = (x ^ h) * mult;
      mult += salt;
    }
    u->hash_ = x;
    u->hashed_ = true;
    stack.pop_back();
  }
  return hash_;
}

bool TupleObj::equals(Thread& t, const Object& other, int depth) const {
  if (other.kind() != ObjKind::Tuple) return false;
  return sequence_equal(t, elems_, static_cast<const TupleObj&>(other).elems_, depth);
}

int TupleObj::compare(Thread& t, const Object& other, Token op, int depth) const {
  if (other.kind() != ObjKind::Tuple) return Object::compare(t, other, op, depth);
  return sequence_compare(t, elems_, static_cast<const TupleObj&>(other).elems_, op, depth);
}

void TupleObj::freeze() { freeze_graph(this); }

std::unique_ptr<Iterator> TupleObj::iterate(Thread&) {
  return std::make_unique<TupleIterator>(this);
}

Value TupleObj::get_index(Thread&, const Value& key) { return index_elem(elems_, key, "tuple"); }

Value TupleObj::slice(Thread&, int64_t start, int64_t end, int64_t step) {
  if (step == 1 && start == 0 && end == static_cast<int64_t>(elems_.size()))
    return Value(this);  // immutable: the whole slice is the tuple itself
  return make_tuple(slice_elems(elems_, start, end, step));
}

Value TupleObj::contains(Thread& t, const Value& y) {
  return Value::boolean(elems_contain(t, elems_, y));
}

Value TupleObj::binary(Thread&, Token op, const Value& other, bool this_on_left) {
  switch (op) {
    case Token::Plus:
      if (other.is(ObjKind::Tuple)) {
        const auto& o = other.as<TupleObj>()->elems_;
        const auto& x = this_on_left ? elems_ : o;
        const auto& y = this_on_left ? o : elems_;
        std::vector<Value> z;
        z.reserve(x.size() + y.size());
        z.insert(z.end(), x.begin(), x.end());
        z.insert(z.end(), y.begin(), y.end());
        return make_tuple(std::move(z));
      }
      break;
    case Token::Star:
      if (other.is_int()) return make_tuple(repeat_elems(elems_, other));
      break;
    default:
      break;
  }
  return Value::absent();
}

Value make_tuple(std::vector<Value> elems) { return Value(new TupleObj(std::move(elems))); }

// ---------------------------------------------------------------------------
// List methods. Each is called with the list as receiver; errors carry the
// method name as prefix, like starlark-go's nameErr.

namespace {

ListObj& receiver(const BuiltinObj& self) { return *self.receiver().as<ListObj>(); }

[[noreturn]] void fail(std::string_view fn, const std::string& msg) {
  throw EvalError(std::string(fn) + ": " + msg);
}

void check_mutable(std::string_view fn, const ListObj& list, std::string_view verb) {
  try {
    list.check_mutable(verb);
  } catch (const EvalError& e) {
    fail(fn, e.msg());
  }
}

Value list_append(Thread&, const BuiltinObj& self, const Args& args) {
  ListObj& list = receiver(self);
  if (args.positional.size() != 1 || !args.named.empty()) {  // hot path skips unpacking
    Value x;
    unpack_positional("append", args, 1, {{"x", &x}});
  }
  check_mutable("append", list, "append to");
  list.elems().push_back(args.positional[0]);
  return Value();
}

Value list_clear(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("clear", args, 0, {});
  ListObj& list = receiver(self);
  check_mutable("clear", list, "clear");
  release_values(list.elems());
  return Value();
}

Value list_extend_method(Thread& t, const BuiltinObj& self, const Args& args) {
  Value iterable;
  unpack_positional("extend", args, 1, {{"iterable", &iterable}});
  ListObj& list = receiver(self);
  if (!iterate(t, iterable))
    fail("extend", "for parameter 1: got " + std::string(type_name(iterable)) + ", want iterable");
  check_mutable("extend", list, "extend");
  list_extend(t, list, iterable);
  return Value();
}

Value list_index(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x, start_v = Value::absent(), end_v = Value::absent();
  unpack_positional("index", args, 1, {{"x", &x}, {"start", &start_v}, {"end", &end_v}});
  ListObj& list = receiver(self);
  int64_t start, end;
  try {
    clamp_indices(start_v, end_v, list.len(), start, end);
  } catch (const EvalError& e) {
    fail("index", e.msg());
  }
  for (int64_t i = start; i < end && i < list.len(); ++i) {
    bool eq;
    try {
      eq = equal(t, list.elems()[static_cast<size_t>(i)], x);
    } catch (const EvalError& e) {
      fail("index", e.msg());
    }
    if (eq) return make_int(i);
  }
  fail("index", "value not in list");
}

Value list_insert(Thread&, const BuiltinObj& self, const Args& args) {
  int64_t index = 0;
  Value x;
  unpack_positional("insert", args, 2, {{"index", &index}, {"x", &x}});
  ListObj& list = receiver(self);
  check_mutable("insert", list, "insert into");
  auto& elems = list.elems();
  int64_t n = static_cast<int64_t>(elems.size());
  if (index < 0) index += n;
  index = std::clamp<int64_t>(index, 0, n);
  elems.insert(elems.begin() + index, std::move(x));
  return Value();
}

Value list_pop(Thread&, const BuiltinObj& self, const Args& args) {
  ListObj& list = receiver(self);
  auto& elems = list.elems();
  int64_t n = static_cast<int64_t>(elems.size());
  int64_t i = n - 1;
  unpack_positional("pop", args, 0, {{"i", &i}});
  int64_t orig = i;
  if (i < 0) i += n;
  if (i < 0 || i >= n) fail("pop", index_out_of_range(orig, n, "list"));
  check_mutable("pop", list, "pop from");
  Value res = std::move(elems[static_cast<size_t>(i)]);
  elems.erase(elems.begin() + i);
  return res;
}

Value list_remove(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x;
  unpack_positional("remove", args, 1, {{"x", &x}});
  ListObj& list = receiver(self);
  check_mutable("remove", list, "remove from");
  auto& elems = list.elems();
  for (size_t i = 0; i < elems.size(); ++i) {
    bool eq;
    try {
      eq = equal(t, elems[i], x);
    } catch (const EvalError& e) {
      fail("remove", e.msg());
    }
    if (eq) {
      elems.erase(elems.begin() + static_cast<std::ptrdiff_t>(i));
      return Value();
    }
  }
  fail("remove", "element not found");
}

// Sorted by name (MethodTable::find is a binary search).
constexpr Method kListMethods[] = {
    {"append", list_append}, {"clear", list_clear}, {"extend", list_extend_method},
    {"index", list_index},   {"insert", list_insert}, {"pop", list_pop},
    {"remove", list_remove},
};

constexpr MethodTable kListMethodTable{std::begin(kListMethods), std::end(kListMethods)};

}  // namespace

const MethodTable& list_methods() { return kListMethodTable; }

}  // namespace faultbox::star

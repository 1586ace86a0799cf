// The insertion-ordered hash table behind dicts and sets, the two types
// themselves, and their methods. Semantics and messages follow starlark-go
// (hashtable.go, library.go).
#include "spec/eval/Dict.h"

#include <algorithm>

#include "spec/eval/ContainerWalk.h"
#include "spec/eval/Error.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {

// ---------------------------------------------------------------------------
// HashTable
//
// Entries live in a vector in insertion order; an open-addressing index
// (linear probing, Fibonacci hashing of the 32-bit key hash) maps hashes to
// entry positions. Erasing leaves a dead entry and a tombstone slot, so
// every non-empty slot corresponds to one entry and the index never fills
// past 3/4; the next growth compacts the dead entries away. Small tables
// (up to kLinearMax entries) have no index and are scanned, which is faster
// than hashing into a table for a handful of keys.

namespace {

constexpr int32_t kEmpty = -1;
constexpr int32_t kDeleted = -2;
constexpr size_t kLinearMax = 8;
constexpr size_t kMinIndex = 16;

inline uint32_t key_hash(Thread& t, const Value& key) {
  if (key.is_string()) return key.as<StringObj>()->hash(t);  // cached; the common case
  return hash_value(t, key);
}

// Key equality with fast paths for strings and small ints. No identity
// shortcut in general: starlark-go never finds a NaN key again, for example.
inline bool keys_equal(Thread& t, const Value& a, const Value& b) {
  if (a.is_string()) {
    if (!b.is_string()) return false;  // strings equal only strings
    if (a.obj() == b.obj()) return true;
    return a.as<StringObj>()->str() == b.as<StringObj>()->str();
  }
  if (a.is_small_int() && b.is_small_int()) return a.as_small_int() == b.as_small_int();
  return equal(t, a, b);
}

inline size_t home_slot(uint32_t h, unsigned shift) {
  return static_cast<size_t>((h * 2654435769u) >> shift);
}

}  // namespace

int32_t HashTable::lookup(Thread& t, const Value& key, uint32_t h, size_t* slot) const {
  size_t mask = index_.size() - 1;
  size_t i = home_slot(h, shift_);
  size_t first_free = SIZE_MAX;
  for (;;) {
    int32_t e = index_[i];
    if (e == kEmpty) {
      if (slot) *slot = first_free != SIZE_MAX ? first_free : i;
      return -1;
    }
    if (e == kDeleted) {
      if (first_free == SIZE_MAX) first_free = i;
    } else {
      const Entry& en = entries_[static_cast<size_t>(e)];
      if (en.hash == h && keys_equal(t, key, en.key)) {
        if (slot) *slot = i;
        return e;
      }
    }
    i = (i + 1) & mask;
  }
}

size_t HashTable::free_slot(uint32_t h) const {
  size_t mask = index_.size() - 1;
  size_t i = home_slot(h, shift_);
  while (index_[i] >= 0) i = (i + 1) & mask;
  return i;
}

void HashTable::rebuild() {
  if (size_ != entries_.size()) {
    std::vector<Entry> live;
    live.reserve(size_ + size_ / 2 + 1);
    for (Entry& e : entries_)
      if (e.live) live.push_back(std::move(e));
    entries_.swap(live);
  }
  head_ = 0;
  size_t cap = kMinIndex;
  unsigned bits = 4;
  while (cap < 2 * (size_ + 1)) {
    cap <<= 1;
    ++bits;
  }
  shift_ = 32 - bits;
  index_.assign(cap, kEmpty);
  for (size_t k = 0; k < entries_.size(); ++k)
    index_[free_slot(entries_[k].hash)] = static_cast<int32_t>(k);
}

const Value* HashTable::find(Thread& t, const Value& key) const {
  uint32_t h = key_hash(t, key);
  if (index_.empty()) {
    for (const Entry& e : entries_)
      if (e.hash == h && keys_equal(t, key, e.key)) return &e.value;
    return nullptr;
  }
  if (size_ == 0) return nullptr;
  int32_t e = lookup(t, key, h, nullptr);
  return e < 0 ? nullptr : &entries_[static_cast<size_t>(e)].value;
}

bool HashTable::insert(Thread& t, const Value& key, const Value& value) {
  uint32_t h = key_hash(t, key);
  if (index_.empty()) {
    // Small table: no dead entries (erase compacts), so scan everything.
    for (Entry& e : entries_) {
      if (e.hash == h && keys_equal(t, key, e.key)) {
        e.value = value;
        return false;
      }
    }
    entries_.push_back(Entry{key, value, h, true});
    ++size_;
    if (entries_.size() > kLinearMax) rebuild();
    return true;
  }
  size_t slot;
  int32_t e = lookup(t, key, h, &slot);
  if (e >= 0) {
    entries_[static_cast<size_t>(e)].value = value;
    return false;
  }
  if ((entries_.size() + 1) * 4 > index_.size() * 3) {
    rebuild();
    slot = free_slot(h);
  }
  index_[slot] = static_cast<int32_t>(entries_.size());
  entries_.push_back(Entry{key, value, h, true});
  ++size_;
  return true;
}

std::optional<Value> HashTable::erase(Thread& t, const Value& key) {
  uint32_t h = key_hash(t, key);
  if (index_.empty()) {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->hash == h && keys_equal(t, key, it->key)) {
        Value v = std::move(it->value);
        entries_.erase(it);
        --size_;
        return v;
      }
    }
    return std::nullopt;
  }
  if (size_ == 0) return std::nullopt;
  size_t slot;
  int32_t e = lookup(t, key, h, &slot);
  if (e < 0) return std::nullopt;
  index_[slot] = kDeleted;
  Entry& en = entries_[static_cast<size_t>(e)];
  Value v = std::move(en.value);
  Value dead_key = std::move(en.key);  // released after the table is consistent
  en.live = false;
  --size_;
  if (size_ == 0) {
    clear();
  } else if (static_cast<size_t>(e) == head_) {
    while (head_ < entries_.size() && !entries_[head_].live) ++head_;
  }
  return v;
}

void HashTable::clear() {
  // Swap out first: destroying keys and values must see a consistent table.
  std::vector<Entry> old;
  old.swap(entries_);
  std::vector<int32_t>().swap(index_);
  size_ = 0;
  head_ = 0;
  shift_ = 0;
}

const HashTable::Entry* HashTable::first() const {
  return head_ < entries_.size() ? &entries_[head_] : nullptr;
}

// ---------------------------------------------------------------------------
// Helpers for dicts and sets

namespace {

// Iterates the keys of a dict or set in insertion order, counting itself as
// a live iterator of the (unfrozen) owner so mutation fails meanwhile.
template <class Owner>
class KeyIterator final : public Iterator {
 public:
  explicit KeyIterator(Owner* owner)
      : hold_(owner), owner_(owner), i_(owner->table().first_index()), counted_(!owner->frozen()) {
    if (counted_) owner_->add_iterator();
  }
  ~KeyIterator() override {
    if (counted_) owner_->remove_iterator();
  }
  bool next(Value& out) override {
    const auto& entries = owner_->table().entries();
    while (i_ < entries.size()) {
      const auto& e = entries[i_++];
      if (e.live) {
        out = e.key;
        return true;
      }
    }
    return false;
  }

 private:
  Value hold_;  // keeps the owner alive
  Owner* owner_;
  size_t i_;
  bool counted_;
};

[[noreturn]] void fail(std::string_view fn, const std::string& msg) {
  throw EvalError(std::string(fn) + ": " + msg);
}

// Runs `body`, prefixing the message of any EvalError with "fn: " (the
// starlark-go nameErr convention). Cancellation passes through unchanged.
template <class F>
auto with_prefix(std::string_view fn, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const CancelledError&) {
    throw;
  } catch (const EvalError& e) {
    fail(fn, e.msg());
  }
}

// Live keys (sets) in insertion order, copied so the table may change.
std::vector<Value> live_keys(const HashTable& table) {
  std::vector<Value> keys;
  keys.reserve(table.size());
  for (const auto& e : table.entries())
    if (e.live) keys.push_back(e.key);
  return keys;
}

// Every element of `iterable` into `table` (values None). Throws
// "got T, want iterable" when it is not iterable.
void table_insert_all(Thread& t, HashTable& table, const Value& iterable) {
  std::unique_ptr<Iterator> it = iterate(t, iterable);
  if (!it) throw EvalError("got " + std::string(type_name(iterable)) + ", want iterable");
  Value x;
  while (it->next(x)) table.insert(t, x, Value());
}

SetObj* new_set(Heap& heap, Value& holder) {
  holder = make_set(heap);
  return holder.as<SetObj>();
}

// Copies the live entries of `from` into `to` (which has none of them).
void copy_table(Thread& t, const HashTable& from, HashTable& to) {
  for (const auto& e : from.entries())
    if (e.live) to.insert(t, e.key, e.value);
}

// For set ordering: whether every element of x is in y.
bool is_subset(Thread& t, const HashTable& x, const HashTable& y) {
  if (x.size() > y.size()) return false;
  for (const auto& e : x.entries())
    if (e.live && !y.find(t, e.key)) return false;
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// DictObj

void DictObj::check_mutable(std::string_view verb) const {
  if (frozen_) throw EvalError("cannot " + std::string(verb) + " frozen hash table");
  if (iterators_ > 0)
    throw EvalError("cannot " + std::string(verb) + " hash table during iteration");
}

DictObj::~DictObj() { release_table(table_); }

void DictObj::clear_references() { release_table(table_); }

void DictObj::repr(std::string& out, ReprPath& path) const { repr_container(out, this, path); }

bool DictObj::equals(Thread& t, const Object& other, int depth) const {
  if (other.kind() != ObjKind::Dict) return false;
  const HashTable& y = static_cast<const DictObj&>(other).table_;
  if (table_.size() != y.size()) return false;
  for (const auto& e : table_.entries()) {
    if (!e.live) continue;
    const Value* yv;
    try {
      yv = y.find(t, e.key);
    } catch (const CancelledError&) {
      throw;
    } catch (const EvalError&) {
      return false;  // starlark-go ignores lookup errors here
    }
    if (!yv || !equal(t, e.value, *yv, depth + 1)) return false;
  }
  return true;
}

void DictObj::freeze() {
  if (!frozen_) freeze_graph(this);
}

Value DictObj::attr(Thread&, std::string_view name) {
  return bind_method(dict_methods(), name, Value(this));
}

std::vector<std::string> DictObj::attr_names() const { return dict_methods().names(); }

const MethodTable* DictObj::methods() const { return &dict_methods(); }

std::unique_ptr<Iterator> DictObj::iterate(Thread&) {
  return std::make_unique<KeyIterator<DictObj>>(this);
}

Value DictObj::get_index(Thread& t, const Value& key) {
  const Value* v = table_.find(t, key);
  if (!v) throw EvalError("key " + star::repr(key) + " not in dict");
  return *v;
}

void DictObj::set_index(Thread& t, const Value& key, const Value& v) {
  check_mutable("insert into");
  table_.insert(t, key, v);
}

Value DictObj::contains(Thread& t, const Value& y) {
  // Like starlark-go, a failed lookup (an unhashable key) means "not in".
  try {
    return Value::boolean(table_.find(t, y) != nullptr);
  } catch (const CancelledError&) {
    throw;
  } catch (const EvalError&) {
    return Value::boolean(false);
  }
}

Value DictObj::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  if (op != Token::Pipe || !other.is(ObjKind::Dict)) return Value::absent();
  const DictObj* x = this_on_left ? this : other.as<DictObj>();
  const DictObj* y = this_on_left ? other.as<DictObj>() : this;
  Value z = make_dict(t.heap());
  HashTable& zt = z.as<DictObj>()->table();
  copy_table(t, x->table_, zt);
  for (const auto& e : y->table_.entries())
    if (e.live) zt.insert(t, e.key, e.value);
  return z;
}

Value make_dict(Heap& heap) { return Value(new DictObj(heap)); }

void dict_update(Thread& t, DictObj& dict, const Args& args, std::string_view fn_name) {
  if (args.positional.size() > 1)
    fail(fn_name, "got " + std::to_string(args.positional.size()) + " arguments, want at most 1");
  with_prefix(fn_name, [&] {
    auto put = [&](const Value& k, const Value& v) {
      dict.check_mutable("insert into");
      dict.table().insert(t, k, v);
    };
    if (args.positional.size() == 1) {
      const Value& src = args.positional[0];
      if (src.is(ObjKind::Dict)) {
        // Copy the items first: the source may be the dict itself.
        std::vector<std::pair<Value, Value>> items;
        for (const auto& e : src.as<DictObj>()->table().entries())
          if (e.live) items.emplace_back(e.key, e.value);
        for (const auto& [k, v] : items) put(k, v);
      } else {
        std::unique_ptr<Iterator> it = iterate(t, src);
        if (!it) throw EvalError("got " + std::string(type_name(src)) + ", want iterable");
        Value pair;
        for (int64_t i = 0; it->next(pair); ++i) {
          if (pair.is(ObjKind::Tuple) || pair.is(ObjKind::List)) {
            const auto& elems = pair.is(ObjKind::Tuple) ? pair.as<TupleObj>()->elems()
                                                        : pair.as<ListObj>()->elems();
            if (elems.size() != 2)
              throw EvalError("dictionary update sequence element #" + std::to_string(i) +
                              " has length " + std::to_string(elems.size()) + ", want 2");
            Value k = elems[0], v = elems[1];
            put(k, v);
            continue;
          }
          std::unique_ptr<Iterator> it2 = iterate(t, pair);
          if (!it2)
            throw EvalError("dictionary update sequence element #" + std::to_string(i) +
                            " is not iterable (" + std::string(type_name(pair)) + ")");
          int64_t n = len(pair);
          if (n < 0)
            throw EvalError("dictionary update sequence element #" + std::to_string(i) +
                            " has unknown length (" + std::string(type_name(pair)) + ")");
          if (n != 2)
            throw EvalError("dictionary update sequence element #" + std::to_string(i) +
                            " has length " + std::to_string(n) + ", want 2");
          Value k, v;
          it2->next(k);
          it2->next(v);
          it2.reset();
          put(k, v);
        }
      }
    }
    size_t before = dict.table().size();
    for (const NamedArg& kw : args.named) put(make_string(std::string(kw.name)), kw.value);
    if (dict.table().size() < before + args.named.size()) {
      // Fewer new keys than keyword arguments: report a repeated keyword.
      for (size_t i = 0; i < args.named.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (args.named[i].name == args.named[j].name)
            throw EvalError("duplicate keyword arg: " +
                            star::repr(make_string(std::string(args.named[i].name))));
    }
  });
}

// ---------------------------------------------------------------------------
// SetObj

void SetObj::check_mutable(std::string_view verb) const {
  if (frozen_) throw EvalError("cannot " + std::string(verb) + " frozen hash table");
  if (iterators_ > 0)
    throw EvalError("cannot " + std::string(verb) + " hash table during iteration");
}

SetObj::~SetObj() { release_table(table_); }

void SetObj::clear_references() { release_table(table_); }

void SetObj::repr(std::string& out, ReprPath& path) const { repr_container(out, this, path); }

bool SetObj::equals(Thread& t, const Object& other, int) const {
  if (other.kind() != ObjKind::Set) return false;
  const HashTable& y = static_cast<const SetObj&>(other).table_;
  if (table_.size() != y.size()) return false;
  for (const auto& e : table_.entries()) {
    if (!e.live) continue;
    try {
      if (!y.find(t, e.key)) return false;
    } catch (const CancelledError&) {
      throw;
    } catch (const EvalError&) {
      return false;
    }
  }
  return true;
}

// Sets are ordered by inclusion: < is proper subset, <= subset, > proper
// superset, >= superset. The result answers `op` exactly (0 for equal sets).
int SetObj::compare(Thread& t, const Object& other, Token op, int depth) const {
  if (other.kind() != ObjKind::Set) return Object::compare(t, other, op, depth);
  const HashTable& y = static_cast<const SetObj&>(other).table_;
  switch (op) {
    case Token::Lt:
    case Token::Le:
      if (!is_subset(t, table_, y)) return 1;
      return table_.size() == y.size() ? 0 : -1;
    case Token::Gt:
    case Token::Ge:
      if (!is_subset(t, y, table_)) return -1;
      return table_.size() == y.size() ? 0 : 1;
    default:
      return equals(t, other, depth) ? 0 : 1;
  }
}

void SetObj::freeze() {
  if (!frozen_) freeze_graph(this);
}

Value SetObj::attr(Thread&, std::string_view name) {
  return bind_method(set_methods(), name, Value(this));
}

std::vector<std::string> SetObj::attr_names() const { return set_methods().names(); }

const MethodTable* SetObj::methods() const { return &set_methods(); }

std::unique_ptr<Iterator> SetObj::iterate(Thread&) {
  return std::make_unique<KeyIterator<SetObj>>(this);
}

Value SetObj::contains(Thread& t, const Value& y) {
  return Value::boolean(table_.find(t, y) != nullptr);
}

Value SetObj::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  if (!other.is(ObjKind::Set)) return Value::absent();
  const HashTable* x = &(this_on_left ? this : other.as<SetObj>())->table_;
  const HashTable* y = &(this_on_left ? other.as<SetObj>() : this)->table_;
  Value z;
  HashTable& zt = new_set(t.heap(), z)->table();
  switch (op) {
    case Token::Pipe:  // union: x's elements, then y's new ones
      copy_table(t, *x, zt);
      copy_table(t, *y, zt);
      return z;
    case Token::Amp:  // intersection, in the order of the smaller set
      if (x->size() > y->size()) std::swap(x, y);
      for (const auto& e : x->entries())
        if (e.live && y->find(t, e.key)) zt.insert(t, e.key, Value());
      return z;
    case Token::Circumflex:  // symmetric difference
      for (const auto& e : x->entries())
        if (e.live && !y->find(t, e.key)) zt.insert(t, e.key, Value());
      for (const auto& e : y->entries())
        if (e.live && !x->find(t, e.key)) zt.insert(t, e.key, Value());
      return z;
    case Token::Minus:  // difference
      for (const auto& e : x->entries())
        if (e.live && !y->find(t, e.key)) zt.insert(t, e.key, Value());
      return z;
    default:
      return Value::absent();
  }
}

Value make_set(Heap& heap) { return Value(new SetObj(heap)); }

Value set_from_iterable(Thread& t, const Value& iterable, std::string_view fn_name) {
  Value z = make_set(t.heap());
  if (!iterable.is_absent())
    with_prefix(fn_name, [&] { table_insert_all(t, z.as<SetObj>()->table(), iterable); });
  return z;
}

// ---------------------------------------------------------------------------
// Dict methods

namespace {

DictObj& dict_receiver(const BuiltinObj& self) { return *self.receiver().as<DictObj>(); }

void check_dict_mutable(std::string_view fn, const DictObj& d, std::string_view verb) {
  with_prefix(fn, [&] { d.check_mutable(verb); });
}

Value dict_clear(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("clear", args, 0, {});
  DictObj& d = dict_receiver(self);
  d.check_mutable("clear");  // starlark-go reports this one without the method name
  d.table().clear();
  return Value();
}

Value dict_get(Thread& t, const BuiltinObj& self, const Args& args) {
  DictObj& d = dict_receiver(self);
  size_t n = args.positional.size();
  if (n < 1 || n > 2 || !args.named.empty()) {
    Value key, dflt;
    unpack_positional("get", args, 1, {{"key", &key}, {"default", &dflt}});
  }
  const Value* v = with_prefix("get", [&] { return d.table().find(t, args.positional[0]); });
  if (v) return *v;
  return n == 2 ? args.positional[1] : Value();
}

Value dict_items(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_positional("items", args, 0, {});
  const HashTable& table = dict_receiver(self).table();
  std::vector<Value> items;
  items.reserve(table.size());
  for (const auto& e : table.entries())
    if (e.live) items.push_back(make_tuple({e.key, e.value}));
  return make_list(t.heap(), std::move(items));
}

Value dict_keys(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_positional("keys", args, 0, {});
  return make_list(t.heap(), live_keys(dict_receiver(self).table()));
}

Value dict_values(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_positional("values", args, 0, {});
  const HashTable& table = dict_receiver(self).table();
  std::vector<Value> values;
  values.reserve(table.size());
  for (const auto& e : table.entries())
    if (e.live) values.push_back(e.value);
  return make_list(t.heap(), std::move(values));
}

Value dict_pop(Thread& t, const BuiltinObj& self, const Args& args) {
  Value key, dflt = Value::absent();
  unpack_positional("pop", args, 1, {{"key", &key}, {"default", &dflt}});
  DictObj& d = dict_receiver(self);
  std::optional<Value> v = with_prefix("pop", [&] {
    d.check_mutable("delete from");
    return d.table().erase(t, key);
  });
  if (v) return std::move(*v);
  if (!dflt.is_absent()) return dflt;
  fail("pop", "missing key");
}

Value dict_popitem(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_positional("popitem", args, 0, {});
  DictObj& d = dict_receiver(self);
  const HashTable::Entry* first = d.table().first();
  if (!first) fail("popitem", "empty dict");
  Value key = first->key;
  check_dict_mutable("popitem", d, "delete from");
  std::optional<Value> v = d.table().erase(t, key);
  return make_tuple({std::move(key), v ? std::move(*v) : Value()});
}

Value dict_setdefault(Thread& t, const BuiltinObj& self, const Args& args) {
  Value key, dflt;
  unpack_positional("setdefault", args, 1, {{"key", &key}, {"default", &dflt}});
  DictObj& d = dict_receiver(self);
  return with_prefix("setdefault", [&] {
    if (const Value* v = d.table().find(t, key)) return *v;
    d.check_mutable("insert into");
    d.table().insert(t, key, dflt);
    return dflt;
  });
}

Value dict_update_method(Thread& t, const BuiltinObj& self, const Args& args) {
  dict_update(t, dict_receiver(self), args, "update");
  return Value();
}

constexpr Method kDictMethods[] = {
    {"clear", dict_clear},   {"get", dict_get},         {"items", dict_items},
    {"keys", dict_keys},     {"pop", dict_pop},         {"popitem", dict_popitem},
    {"setdefault", dict_setdefault}, {"update", dict_update_method}, {"values", dict_values},
};

constexpr MethodTable kDictMethodTable{std::begin(kDictMethods), std::end(kDictMethods)};

// ---------------------------------------------------------------------------
// Set methods

SetObj& set_receiver(const BuiltinObj& self) { return *self.receiver().as<SetObj>(); }

// The single argument of a set method taking one iterable.
Value one_iterable(Thread& t, std::string_view fn, const Args& args) {
  Value x;
  unpack_positional(fn, args, 1, {{"x", &x}});
  if (!iterate(t, x))
    fail(fn, "for parameter 1: got " + std::string(type_name(x)) + ", want iterable");
  return x;
}

// Methods taking *others: no keywords, every argument iterable.
void check_others(Thread& t, std::string_view fn, const Args& args, bool update_style) {
  if (!args.named.empty())
    fail(fn, update_style ? "does not accept keyword arguments" : "unexpected keyword arguments");
  for (size_t i = 0; i < args.positional.size(); ++i) {
    const Value& x = args.positional[i];
    if (iterate(t, x)) continue;
    if (update_style)
      fail(fn, "argument #" + std::to_string(i + 1) + " is not iterable: " +
                   std::string(type_name(x)));
    fail(fn, "for parameter " + std::to_string(i + 1) + ": got " + std::string(type_name(x)) +
                 ", want iterable");
  }
}

Value set_add(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x;
  unpack_positional("add", args, 1, {{"x", &x}});
  SetObj& s = set_receiver(self);
  with_prefix("add", [&] {
    if (s.table().find(t, x)) return;  // present: no mutation, so no frozen error
    s.check_mutable("insert into");
    s.table().insert(t, x, Value());
  });
  return Value();
}

Value set_clear(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("clear", args, 0, {});
  SetObj& s = set_receiver(self);
  if (s.table().size() > 0) {
    with_prefix("clear", [&] { s.check_mutable("clear"); });
    s.table().clear();
  }
  return Value();
}

Value set_difference(Thread& t, const BuiltinObj& self, const Args& args) {
  check_others(t, "difference", args, false);
  Value z;
  HashTable& zt = new_set(t.heap(), z)->table();
  with_prefix("difference", [&] {
    copy_table(t, set_receiver(self).table(), zt);
    for (const Value& other : args.positional) {
      std::unique_ptr<Iterator> it = iterate(t, other);
      Value x;
      while (it->next(x)) zt.erase(t, x);
    }
  });
  return z;
}

Value set_discard(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x;
  unpack_positional("discard", args, 1, {{"x", &x}});
  SetObj& s = set_receiver(self);
  with_prefix("discard", [&] {
    if (!s.table().find(t, x)) return;  // absent: no mutation, so no frozen error
    s.check_mutable("delete from");
    s.table().erase(t, x);
  });
  return Value();
}

Value set_intersection(Thread& t, const BuiltinObj& self, const Args& args) {
  check_others(t, "intersection", args, false);
  Value z;
  HashTable& zt = new_set(t.heap(), z)->table();
  with_prefix("intersection", [&] {
    copy_table(t, set_receiver(self).table(), zt);
    for (const Value& other : args.positional) {
      HashTable keep;
      table_insert_all(t, keep, other);
      for (const Value& k : live_keys(zt))
        if (!keep.find(t, k)) zt.erase(t, k);
    }
  });
  return z;
}

Value set_issubset(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x = one_iterable(t, "issubset", args);
  return with_prefix("issubset", [&] {
    HashTable other;
    table_insert_all(t, other, x);
    const HashTable& s = set_receiver(self).table();
    for (const auto& e : s.entries())
      if (e.live && !other.find(t, e.key)) return Value::boolean(false);
    return Value::boolean(true);
  });
}

Value set_issuperset(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x = one_iterable(t, "issuperset", args);
  return with_prefix("issuperset", [&] {
    const HashTable& s = set_receiver(self).table();
    std::unique_ptr<Iterator> it = iterate(t, x);
    Value e;
    while (it->next(e))
      if (!s.find(t, e)) return Value::boolean(false);
    return Value::boolean(true);
  });
}

Value set_pop(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_positional("pop", args, 0, {});
  SetObj& s = set_receiver(self);
  const HashTable::Entry* first = s.table().first();
  if (!first) fail("pop", "empty set");
  Value key = first->key;
  with_prefix("pop", [&] {
    s.check_mutable("delete from");
    s.table().erase(t, key);
  });
  return key;
}

Value set_remove(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x;
  unpack_positional("remove", args, 1, {{"x", &x}});
  SetObj& s = set_receiver(self);
  bool found = with_prefix("remove", [&] {
    s.check_mutable("delete from");
    return s.table().erase(t, x).has_value();
  });
  if (!found) fail("remove", "missing key");
  return Value();
}

Value set_symmetric_difference(Thread& t, const BuiltinObj& self, const Args& args) {
  Value x = one_iterable(t, "symmetric_difference", args);
  Value z;
  HashTable& zt = new_set(t.heap(), z)->table();
  with_prefix("symmetric_difference", [&] {
    HashTable other;
    table_insert_all(t, other, x);
    const HashTable& s = set_receiver(self).table();
    for (const auto& e : s.entries())
      if (e.live && !other.find(t, e.key)) zt.insert(t, e.key, Value());
    for (const auto& e : other.entries())
      if (e.live && !s.find(t, e.key)) zt.insert(t, e.key, Value());
  });
  return z;
}

Value set_union(Thread& t, const BuiltinObj& self, const Args& args) {
  check_others(t, "union", args, true);
  Value z;
  HashTable& zt = new_set(t.heap(), z)->table();
  with_prefix("union", [&] {
    copy_table(t, set_receiver(self).table(), zt);
    for (const Value& other : args.positional) table_insert_all(t, zt, other);
  });
  return z;
}

Value set_update(Thread& t, const BuiltinObj& self, const Args& args) {
  check_others(t, "update", args, true);
  SetObj& s = set_receiver(self);
  with_prefix("update", [&] {
    for (const Value& other : args.positional) {
      std::unique_ptr<Iterator> it = iterate(t, other);
      Value x;
      while (it->next(x)) {
        s.check_mutable("insert into");
        s.table().insert(t, x, Value());
      }
    }
  });
  return Value();
}

constexpr Method kSetMethods[] = {
    {"add", set_add},
    {"clear", set_clear},
    {"difference", set_difference},
    {"discard", set_discard},
    {"intersection", set_intersection},
    {"issubset", set_issubset},
    {"issuperset", set_issuperset},
    {"pop", set_pop},
    {"remove", set_remove},
    {"symmetric_difference", set_symmetric_difference},
    {"union", set_union},
    {"update", set_update},
};

constexpr MethodTable kSetMethodTable{std::begin(kSetMethods), std::end(kSetMethods)};

}  // namespace

const MethodTable& dict_methods() { return kDictMethodTable; }
const MethodTable& set_methods() { return kSetMethodTable; }

}  // namespace faultbox::star

// Lists (mutable, Container) and tuples (immutable). A list counts its live
// iterators: mutating it while one is live is an error, as is mutating it
// after freeze().
#pragma once

#include <vector>

#include "spec/eval/Builtin.h"
#include "spec/eval/Heap.h"

namespace faultbox::star {

class ListObj final : public Container {
 public:
  ListObj(Heap& heap, std::vector<Value> elems = {})
      : Container(ObjKind::List, heap), elems_(std::move(elems)) {}
  ~ListObj() override;  // frees nested contents without deep recursion
  std::vector<Value>& elems() { return elems_; }
  const std::vector<Value>& elems() const { return elems_; }

  // Throws "cannot VERB frozen list" / "cannot VERB list during iteration".
  void check_mutable(std::string_view verb) const;
  int iterators() const { return iterators_; }
  void add_iterator() { ++iterators_; }
  void remove_iterator() { --iterators_; }
  // Sets the frozen flag only; returns false if it was already set. Used by
  // the iterative freeze walk (ContainerWalk.h); call freeze() instead.
  bool mark_frozen() { return !frozen_ && (frozen_ = true); }

  std::string_view type_name() const override { return "list"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return !elems_.empty(); }
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;
  void freeze() override;
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  const MethodTable* methods() const override;
  int64_t len() const override { return static_cast<int64_t>(elems_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;
  Value get_index(Thread& t, const Value& key) override;
  void set_index(Thread& t, const Value& key, const Value& v) override;
  Value slice(Thread& t, int64_t start, int64_t end, int64_t step) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // + *
  void clear_references() override;

 private:
  std::vector<Value> elems_;
  int iterators_ = 0;
  bool frozen_ = false;
};

// Tuples are immutable but may hold mutable values; they are not Containers
// because a cycle through a tuple always passes through a mutable Container.
class TupleObj final : public Object {
 public:
  explicit TupleObj(std::vector<Value> elems) : Object(ObjKind::Tuple), elems_(std::move(elems)) {}
  ~TupleObj() override;  // frees nested contents without deep recursion
  const std::vector<Value>& elems() const { return elems_; }
  std::string_view type_name() const override { return "tuple"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return !elems_.empty(); }
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;
  void freeze() override;
  int64_t len() const override { return static_cast<int64_t>(elems_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;
  Value get_index(Thread& t, const Value& key) override;
  Value slice(Thread& t, int64_t start, int64_t end, int64_t step) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // + *

 private:
  std::vector<Value> elems_;
  // Tuples are immutable and so are the hashes of hashable values: cache it
  // (this also keeps hashing a DAG of shared sub-tuples linear).
  mutable uint32_t hash_ = 0;
  mutable bool hashed_ = false;
};

Value make_list(Heap& heap, std::vector<Value> elems = {});
Value make_tuple(std::vector<Value> elems);

// The methods of list values (append, clear, extend, index, insert, pop,
// remove), sorted by name; the evaluator may call them without binding.
const MethodTable& list_methods();

// Appends every element of `iterable` to `list` (list += iterable, extend).
// Does not check mutability: callers do, with their own verb ("extend",
// "apply += to"). Throws "got T, want iterable" if `iterable` is not.
void list_extend(Thread& t, ListObj& list, const Value& iterable);

}  // namespace faultbox::star

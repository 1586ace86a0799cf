// Dicts and sets share an insertion-ordered hash table (HashTable): entries
// in insertion order, an open-addressing index over them, deletions leave
// holes that are compacted on growth. Keys must be hashable; hashing and
// equality go through Ops.h (so 1 == 1.0 are the same key).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "spec/eval/Builtin.h"
#include "spec/eval/Heap.h"

namespace faultbox::star {

class HashTable {
 public:
  struct Entry {
    Value key;
    Value value;
    uint32_t hash = 0;
    bool live = false;
  };
  // Lookups and inserts hash the key (may throw "unhashable type").
  // The pointer returned by find() is valid until the next insert/erase.
  const Value* find(Thread& t, const Value& key) const;
  // Returns true if the key was new.
  bool insert(Thread& t, const Value& key, const Value& value);
  // Returns the removed value, or nullopt.
  std::optional<Value> erase(Thread& t, const Value& key);
  void clear();
  size_t size() const { return size_; }
  // Live entries in insertion order (skip !live).
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<Entry>& entries() { return entries_; }
  // The first live entry in insertion order, or null when empty.
  const Entry* first() const;
  // Index in entries() of the first live entry (entries() is dead before it).
  size_t first_index() const { return head_; }

 private:
  // Entry index of `key` (hash h) or -1. With `slot`, also the index_ slot
  // holding the key, or where a new key with hash h belongs.
  int32_t lookup(Thread& t, const Value& key, uint32_t h, size_t* slot) const;
  size_t free_slot(uint32_t h) const;
  // Drops dead entries and sizes the index for the live ones.
  void rebuild();

  std::vector<Entry> entries_;
  std::vector<int32_t> index_;  // -1 empty, -2 deleted, else entry index; empty while small
  size_t size_ = 0;
  size_t head_ = 0;   // entries before head_ are all dead
  unsigned shift_ = 0;  // 32 - log2(index_.size())
};

class DictObj final : public Container {
 public:
  explicit DictObj(Heap& heap) : Container(ObjKind::Dict, heap) {}
  ~DictObj() override;  // frees nested contents without deep recursion
  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }
  // Throws "cannot VERB frozen hash table" / "... during iteration" (starlark-go wording).
  void check_mutable(std::string_view verb) const;
  void add_iterator() { ++iterators_; }
  void remove_iterator() { --iterators_; }
  // Sets the frozen flag only; returns false if it was already set. Used by
  // the iterative freeze walk (ContainerWalk.h); call freeze() instead.
  bool mark_frozen() { return !frozen_ && (frozen_ = true); }

  std::string_view type_name() const override { return "dict"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return table_.size() != 0; }
  bool equals(Thread& t, const Object& other, int depth) const override;
  void freeze() override;
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  const MethodTable* methods() const override;
  int64_t len() const override { return static_cast<int64_t>(table_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;  // keys
  Value get_index(Thread& t, const Value& key) override;   // KeyError-like "key X not in dict"
  void set_index(Thread& t, const Value& key, const Value& v) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // |
  void clear_references() override;

 private:
  HashTable table_;
  int iterators_ = 0;
  bool frozen_ = false;
};

class SetObj final : public Container {
 public:
  explicit SetObj(Heap& heap) : Container(ObjKind::Set, heap) {}
  ~SetObj() override;  // frees nested contents without deep recursion
  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }
  void check_mutable(std::string_view verb) const;
  void add_iterator() { ++iterators_; }
  void remove_iterator() { --iterators_; }
  // Sets the frozen flag only; returns false if it was already set. Used by
  // the iterative freeze walk (ContainerWalk.h); call freeze() instead.
  bool mark_frozen() { return !frozen_ && (frozen_ = true); }

  std::string_view type_name() const override { return "set"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return table_.size() != 0; }
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;  // subset ops
  void freeze() override;
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  const MethodTable* methods() const override;
  int64_t len() const override { return static_cast<int64_t>(table_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // | & ^ -
  void clear_references() override;

 private:
  HashTable table_;
  int iterators_ = 0;
  bool frozen_ = false;
};

Value make_dict(Heap& heap);
Value make_set(Heap& heap);

// The methods of dict and set values, sorted by name.
const MethodTable& dict_methods();
const MethodTable& set_methods();

// dict(...) and D.update(...): at most one positional argument (a dict, or
// an iterable of 2-element iterables) then the keyword arguments, inserted
// in order. Errors carry `fn_name` as prefix ("dict: got NoneType, want
// iterable", "update: cannot insert into frozen hash table").
void dict_update(Thread& t, DictObj& dict, const Args& args, std::string_view fn_name);

// set(iterable): a new set of the elements of `iterable` (Value::absent()
// gives the empty set). Errors carry `fn_name` as prefix ("set: got int,
// want iterable", "set: unhashable type: dict").
Value set_from_iterable(Thread& t, const Value& iterable, std::string_view fn_name);

}  // namespace faultbox::star

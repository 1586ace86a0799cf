// Dicts and sets share an insertion-ordered hash table (HashTable): entries
// in insertion order, an open-addressing index over them, deletions leave
// holes that are compacted on growth. Keys must be hashable; hashing and
// equality go through Ops.h (so 1 == 1.0 are the same key).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

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

 private:
  std::vector<Entry> entries_;
  std::vector<int32_t> index_;  // -1 empty, -2 deleted, else entry index
  size_t size_ = 0;
};

class DictObj final : public Container {
 public:
  explicit DictObj(Heap& heap) : Container(ObjKind::Dict, heap) {}
  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }
  // Throws "cannot VERB frozen hash table" / "... during iteration" (starlark-go wording).
  void check_mutable(std::string_view verb) const;
  void add_iterator() { ++iterators_; }
  void remove_iterator() { --iterators_; }

  std::string_view type_name() const override { return "dict"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return table_.size() != 0; }
  bool equals(Thread& t, const Object& other, int depth) const override;
  void freeze() override;
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  int64_t len() const override { return static_cast<int64_t>(table_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;  // keys
  Value get_index(Thread& t, const Value& key) override;   // KeyError-like "key X not in dict"
  void set_index(Thread& t, const Value& key, const Value& v) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // |
  void clear_references() override { table_.clear(); }

 private:
  HashTable table_;
  int iterators_ = 0;
  bool frozen_ = false;
};

class SetObj final : public Container {
 public:
  explicit SetObj(Heap& heap) : Container(ObjKind::Set, heap) {}
  HashTable& table() { return table_; }
  const HashTable& table() const { return table_; }
  void check_mutable(std::string_view verb) const;
  void add_iterator() { ++iterators_; }
  void remove_iterator() { --iterators_; }

  std::string_view type_name() const override { return "set"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return table_.size() != 0; }
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;  // subset ops
  void freeze() override;
  bool frozen() const override { return frozen_; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  int64_t len() const override { return static_cast<int64_t>(table_.size()); }
  std::unique_ptr<Iterator> iterate(Thread& t) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // | & ^ -
  void clear_references() override { table_.clear(); }

 private:
  HashTable table_;
  int iterators_ = 0;
  bool frozen_ = false;
};

Value make_dict(Heap& heap);
Value make_set(Heap& heap);

}  // namespace faultbox::star

// Starlark values. A Value is a small tagged handle: None, bool, a small int
// (fits int64), a float, or a counted reference to a heap Object (strings,
// big ints, lists, dicts, functions...). Copying a Value adjusts the
// object's reference count; objects die when the count drops to zero.
//
// Reference cycles (x.append(x), a module holding a function that holds the
// module) are broken by the Heap: every object that can hold other values
// mutably or cyclically is a Container registered with its Heap, and the
// Heap clears them all when it is destroyed (see Heap.h). Single-threaded by
// design: one event-loop thread owns all values (DESIGN.md §1).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "spec/syntax/Token.h"

namespace faultbox::star {

class Object;
class Thread;

// Type tags for fast dispatch without dynamic_cast. Every Object has one.
enum class ObjKind : uint8_t {
  String,
  Bytes,
  BigInt,
  List,
  Tuple,
  Dict,
  Set,
  Function,  // a Starlark def/lambda
  Builtin,   // a native function or bound method
  Module,
  Struct,
  Range,
  Cell,      // internal: a captured variable
  Other,     // host-defined types (faultbox services, responses, ...)
};

class Value {
 public:
  enum class Tag : uint8_t { None, Bool, Int, Float, Obj, Absent };

  Value() noexcept : tag_(Tag::None) { u_.i = 0; }
  ~Value() { release(); }
  Value(const Value& o) noexcept : tag_(o.tag_), u_(o.u_) { retain(); }
  Value(Value&& o) noexcept : tag_(o.tag_), u_(o.u_) {
    o.tag_ = Tag::None;
    o.u_.i = 0;
  }
  Value& operator=(const Value& o) noexcept {
    if (this != &o) {
      Value tmp(o);
      swap(tmp);
    }
    return *this;
  }
  Value& operator=(Value&& o) noexcept {
    if (this != &o) {
      release();
      tag_ = o.tag_;
      u_ = o.u_;
      o.tag_ = Tag::None;
      o.u_.i = 0;
    }
    return *this;
  }
  void swap(Value& o) noexcept {
    std::swap(tag_, o.tag_);
    std::swap(u_, o.u_);
  }

  // Takes a new reference to `o` (never null).
  explicit Value(Object* o) noexcept;

  static Value none() { return Value(); }
  static Value boolean(bool b) {
    Value v;
    v.tag_ = Tag::Bool;
    // Written as the whole word: a byte store followed by the word-sized
    // copy of the union stalls store forwarding on hot comparison paths.
    v.u_.i = b ? 1 : 0;
    return v;
  }
  static Value from_int(int64_t i) {
    Value v;
    v.tag_ = Tag::Int;
    v.u_.i = i;
    return v;
  }
  static Value from_float(double d) {
    Value v;
    v.tag_ = Tag::Float;
    v.u_.f = d;
    return v;
  }
  // "No value": returned by optional protocols (attr lookup, binary ops) to
  // mean "not supported / not found". Never visible to Starlark code.
  static Value absent() {
    Value v;
    v.tag_ = Tag::Absent;
    return v;
  }

  Tag tag() const { return tag_; }
  bool is_none() const { return tag_ == Tag::None; }
  bool is_bool() const { return tag_ == Tag::Bool; }
  bool is_small_int() const { return tag_ == Tag::Int; }
  bool is_float() const { return tag_ == Tag::Float; }
  bool is_obj() const { return tag_ == Tag::Obj; }
  bool is_absent() const { return tag_ == Tag::Absent; }
  bool is(ObjKind k) const;  // is_obj() && obj()->kind() == k
  bool is_int() const { return tag_ == Tag::Int || is(ObjKind::BigInt); }  // small or big
  bool is_string() const { return is(ObjKind::String); }

  bool as_bool() const { return u_.b; }
  int64_t as_small_int() const { return u_.i; }
  double as_float() const { return u_.f; }
  Object* obj() const { return u_.o; }
  template <class T>
  T* as() const {  // unchecked downcast; check kind first
    return static_cast<T*>(u_.o);
  }

  // Identity of the underlying object (or bit equality for scalars); used by
  // `is`-like shortcuts and cycle detection in repr.
  bool same(const Value& o) const { return tag_ == o.tag_ && u_.i == o.u_.i; }

 private:
  void retain() const noexcept;
  void release() noexcept;

  Tag tag_;
  union U {
    bool b;
    int64_t i;
    double f;
    Object* o;
  } u_;
};

}  // namespace faultbox::star

// Object completes Value (inline refcounting needs the Object definition).
#include "spec/eval/Object.h"

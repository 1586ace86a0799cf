// Strings and bytes. A Starlark string is a byte sequence that normally
// holds UTF-8 (indexing is by byte, like starlark-go); bytes is an immutable
// byte sequence with its own type. Both are hashable and ordered; the hash is
// cached.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "spec/eval/Value.h"

namespace faultbox::star {

struct MethodTable;

class StringObj final : public Object {
 public:
  explicit StringObj(std::string s) : Object(ObjKind::String), s_(std::move(s)) {}
  const std::string& str() const { return s_; }
  std::string_view type_name() const override { return "string"; }
  void repr(std::string& out, ReprPath& path) const override;
  void str(std::string& out, ReprPath& path) const override;
  bool truth() const override { return !s_.empty(); }
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;
  Value attr(Thread& t, std::string_view name) override;  // methods
  std::vector<std::string> attr_names() const override;
  const MethodTable* methods() const override;
  int64_t len() const override { return static_cast<int64_t>(s_.size()); }
  Value get_index(Thread& t, const Value& key) override;
  Value slice(Thread& t, int64_t start, int64_t end, int64_t step) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // + * %

 private:
  std::string s_;
  mutable uint32_t hash_ = 0;
  mutable bool hashed_ = false;
};

class BytesObj final : public Object {
 public:
  explicit BytesObj(std::string s) : Object(ObjKind::Bytes), s_(std::move(s)) {}
  const std::string& bytes() const { return s_; }
  std::string_view type_name() const override { return "bytes"; }
  void repr(std::string& out, ReprPath& path) const override;
  bool truth() const override { return !s_.empty(); }
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  int compare(Thread& t, const Object& other, Token op, int depth) const override;
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  const MethodTable* methods() const override;
  int64_t len() const override { return static_cast<int64_t>(s_.size()); }
  Value get_index(Thread& t, const Value& key) override;
  Value slice(Thread& t, int64_t start, int64_t end, int64_t step) override;
  Value contains(Thread& t, const Value& y) override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;
  // str(bytes) decodes UTF-8: each byte of an invalid sequence becomes U+FFFD.
  void str(std::string& out, ReprPath& path) const override;

 private:
  std::string s_;
  mutable uint32_t hash_ = 0;
  mutable bool hashed_ = false;
};

Value make_string(std::string s);
Value make_bytes(std::string s);

// The methods of strings and bytes (sorted tables, see Builtin.h), for the
// evaluator's x.f(...) fast path and dir().
const MethodTable& string_methods();
const MethodTable& bytes_methods();

}  // namespace faultbox::star

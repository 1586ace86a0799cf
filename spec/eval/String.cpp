// The string and bytes value types: printing, hashing, comparison, indexing,
// slicing, `in`, and the + * % operators. Methods live in StringMethods.cpp
// and BytesMethods.cpp, %-formatting in Format.cpp.
#include "spec/eval/String.h"

#include <cstdint>
#include <cstring>
#include <optional>

#include "spec/eval/Builtin.h"
#include "spec/eval/Format.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Quote.h"
#include "spec/eval/SequenceIndex.h"
#include "spec/eval/StringSupport.h"

namespace faultbox::star {

// ---- shared helpers ---------------------------------------------------------

namespace strings {

void indices(std::string_view fn, const Value& start, const Value& end, int64_t len, int64_t& lo,
             int64_t& hi) {
  try {
    clamp_indices(start, end, len, lo, hi);
  } catch (const EvalError& e) {
    fail(std::string(fn) + ": " + e.msg());
  }
}

std::string slice_bytes(std::string_view s, int64_t start, int64_t end, int64_t step) {
  if (step == 1) {
    if (end <= start) return std::string();
    return std::string(s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start)));
  }
  std::string out;
  if (step > 0) {
    for (int64_t i = start; i < end; i += step) out.push_back(s[static_cast<size_t>(i)]);
  } else {
    for (int64_t i = start; i > end; i += step) out.push_back(s[static_cast<size_t>(i)]);
  }
  return out;
}

std::string repeat(std::string_view s, const Value& n) {
  if (s.empty()) return std::string();
  std::optional<int64_t> c = int_to_int64(n);
  if (!c || *c < INT32_MIN || *c > INT32_MAX) fail("repeat count " + int_to_string(n) + " too large");
  const int64_t count = *c;
  if (count < 1) return std::string();
  // Refuse to build anything of 2^30 bytes or more, like starlark-go.
  constexpr int64_t kMaxAlloc = int64_t{1} << 30;
  int64_t size = static_cast<int64_t>(s.size()) * count;
  if (size >= kMaxAlloc)
    fail("excessive repeat (" + std::to_string(s.size()) + " * " + std::to_string(count) +
         " elements)");
  std::string out;
  out.reserve(static_cast<size_t>(size));
  if (s.size() == 1) {
    out.assign(static_cast<size_t>(count), s[0]);
    return out;
  }
  for (int64_t k = 0; k < count; ++k) out.append(s);
  return out;
}

}  // namespace strings

using strings::fail;

// ---- hashing ------------------------------------------------------------------

namespace {

// The hash of a string or bytes value for dict and set lookups (the hash()
// builtin computes starlark-go's own functions instead): 8 bytes per step,
// then a final avalanche, folded to 32 bits.
uint32_t text_hash(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = seed ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < n; ++i) tail |= uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 31;
  return static_cast<uint32_t>(h ^ (h >> 32));
}

}  // namespace

// ---- string -------------------------------------------------------------------

void StringObj::repr(std::string& out, ReprPath&) const { append_quoted(out, s_, false); }

void StringObj::str(std::string& out, ReprPath&) const { out += s_; }

uint32_t StringObj::hash(Thread&) const {
  if (!hashed_) {
    hash_ = text_hash(s_, 0);
    hashed_ = true;
  }
  return hash_;
}

bool StringObj::equals(Thread&, const Object& other, int) const {
  const auto& o = static_cast<const StringObj&>(other);
  if (this == &o) return true;
  if (s_.size() != o.s_.size()) return false;
  if (hashed_ && o.hashed_ && hash_ != o.hash_) return false;
  return strings::same_bytes(s_.data(), o.s_.data(), s_.size());
}

int StringObj::compare(Thread&, const Object& other, Token, int) const {
  // char_traits<char> compares as unsigned char: bytewise order, like Go.
  int c = s_.compare(static_cast<const StringObj&>(other).s_);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Value StringObj::attr(Thread&, std::string_view name) {
  return bind_method(string_methods(), name, Value(this));
}

std::vector<std::string> StringObj::attr_names() const { return string_methods().names(); }

const MethodTable* StringObj::methods() const { return &string_methods(); }

Value StringObj::get_index(Thread&, const Value& key) {
  int64_t i = checked_index(key, len(), "string");
  return make_string(std::string(1, s_[static_cast<size_t>(i)]));
}

Value StringObj::slice(Thread&, int64_t start, int64_t end, int64_t step) {
  if (step == 1 && start == 0 && end == len()) return Value(this);  // immutable: share
  return make_string(strings::slice_bytes(s_, start, end, step));
}

Value StringObj::contains(Thread&, const Value& y) {
  if (!y.is_string())
    fail("'in <string>' requires string as left operand, not " + std::string(star::type_name(y)));
  return Value::boolean(s_.find(strings::text(y)) != std::string::npos);
}

Value StringObj::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  switch (op) {
    case Token::Plus:
      if (other.is_string()) {
        const std::string& o = strings::text(other);
        const std::string& a = this_on_left ? s_ : o;
        const std::string& b = this_on_left ? o : s_;
        if (b.empty()) return this_on_left ? Value(this) : other;
        if (a.empty()) return this_on_left ? other : Value(this);
        std::string r;
        r.reserve(a.size() + b.size());
        r.append(a).append(b);
        return make_string(std::move(r));
      }
      break;
    case Token::Star:
      if (other.is_int()) return make_string(strings::repeat(s_, other));
      break;
    case Token::Percent:
      if (this_on_left) return string_interpolate(t, s_, other);
      break;
    case Token::In:
      if (!this_on_left) return contains(t, other);
      break;
    case Token::NotIn:
      if (!this_on_left) return Value::boolean(!contains(t, other).as_bool());
      break;
    default:
      break;
  }
  return Value::absent();
}

// ---- bytes --------------------------------------------------------------------

void BytesObj::repr(std::string& out, ReprPath&) const { append_quoted(out, s_, true); }

void BytesObj::str(std::string& out, ReprPath&) const {
  // str(bytes) decodes UTF-8, replacing each invalid byte by U+FFFD.
  if (strings::is_ascii(s_) || utf8::valid(s_))
    out += s_;
  else
    out += utf8::transcode(s_);
}

uint32_t BytesObj::hash(Thread&) const {
  if (!hashed_) {
    hash_ = text_hash(s_, 0x62797465);
    hashed_ = true;
  }
  return hash_;
}

bool BytesObj::equals(Thread&, const Object& other, int) const {
  const auto& o = static_cast<const BytesObj&>(other);
  return s_.size() == o.s_.size() && strings::same_bytes(s_.data(), o.s_.data(), s_.size());
}

int BytesObj::compare(Thread&, const Object& other, Token, int) const {
  int c = s_.compare(static_cast<const BytesObj&>(other).s_);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

Value BytesObj::attr(Thread&, std::string_view name) {
  return bind_method(bytes_methods(), name, Value(this));
}

std::vector<std::string> BytesObj::attr_names() const { return bytes_methods().names(); }

const MethodTable* BytesObj::methods() const { return &bytes_methods(); }

Value BytesObj::get_index(Thread&, const Value& key) {
  int64_t i = checked_index(key, len(), "bytes");
  return make_bytes(std::string(1, s_[static_cast<size_t>(i)]));
}

Value BytesObj::slice(Thread&, int64_t start, int64_t end, int64_t step) {
  if (step == 1 && start == 0 && end == len()) return Value(this);
  return make_bytes(strings::slice_bytes(s_, start, end, step));
}

Value BytesObj::contains(Thread&, const Value& y) {
  if (y.is(ObjKind::Bytes))
    return Value::boolean(s_.find(strings::bytes_of(y)) != std::string::npos);
  if (y.is_int()) {
    std::optional<int64_t> b = int_to_int64(y);
    if (!b || *b < 0 || *b > 255)
      fail("int in bytes: " + int_to_string(y) + " out of range (want value in unsigned 8-bit range)");
    return Value::boolean(s_.find(static_cast<char>(*b)) != std::string::npos);
  }
  fail("'in bytes' requires bytes or int as left operand, not " + std::string(star::type_name(y)));
}

Value BytesObj::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  switch (op) {
    case Token::Plus:
      if (other.is(ObjKind::Bytes)) {
        const std::string& o = strings::bytes_of(other);
        std::string r;
        r.reserve(s_.size() + o.size());
        if (this_on_left)
          r.append(s_).append(o);
        else
          r.append(o).append(s_);
        return make_bytes(std::move(r));
      }
      break;
    case Token::Star:
      if (other.is_int()) return make_bytes(strings::repeat(s_, other));
      break;
    case Token::In:
      if (!this_on_left) return contains(t, other);
      break;
    case Token::NotIn:
      if (!this_on_left) return Value::boolean(!contains(t, other).as_bool());
      break;
    default:
      break;
  }
  return Value::absent();
}

// ---- constructors -------------------------------------------------------------

Value make_string(std::string s) { return Value(new StringObj(std::move(s))); }
Value make_bytes(std::string s) { return Value(new BytesObj(std::move(s))); }

}  // namespace faultbox::star

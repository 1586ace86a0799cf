// The iterable views of a string or bytes value: s.elems(), s.elem_ords(),
// s.codepoints(), s.codepoint_ords() and b.elems(). Strings themselves are
// not iterable (the spec's choice), so these are how a program walks one.
// A view is immutable and unhashable; its repr is the expression that made
// it ("abc".elems()). The elems views also have a length and an index.
#include <memory>

#include "spec/eval/Ops.h"
#include "spec/eval/StringSupport.h"
#include "spec/eval/Quote.h"

namespace faultbox::star::strings {
namespace {

// The type names Debian's starlark-go (the conformance baseline) reports.
// Newer starlark-go releases call them "string.elems" and
// "string.codepoints"; change here to follow them.
constexpr std::string_view kElemsType = "elems";
constexpr std::string_view kCodepointsType = "codepoints";
constexpr std::string_view kBytesElemsType = "bytes.elems";
// Debian's starlark-go yields each byte of an invalid UTF-8 sequence as a
// 1-byte string from codepoints(); newer releases yield "\ufffd" instead.
constexpr bool kCodepointsReplaceInvalid = false;

class ViewIterator final : public Iterator {
 public:
  ViewIterator(Value owner, ViewKind kind) : owner_(std::move(owner)), kind_(kind) {}

  bool next(Value& out) override {
    const std::string& s = kind_ == ViewKind::BytesElems ? bytes_of(owner_) : text(owner_);
    if (pos_ >= s.size()) return false;
    switch (kind_) {
      case ViewKind::Elems:
        out = make_string(std::string(1, s[pos_]));
        pos_ += 1;
        return true;
      case ViewKind::ElemOrds:
      case ViewKind::BytesElems:
        out = Value::from_int(static_cast<unsigned char>(s[pos_]));
        pos_ += 1;
        return true;
      case ViewKind::Codepoints: {
        utf8::DecodedRune d = utf8::decode_rune(s, pos_);
        if (kCodepointsReplaceInvalid && d.rune == utf8::kReplacement && d.size == 1)
          out = make_string("\xEF\xBF\xBD");  // U+FFFD
        else
          out = make_string(s.substr(pos_, static_cast<size_t>(d.size)));
        pos_ += static_cast<size_t>(d.size);
        return true;
      }
      case ViewKind::CodepointOrds: {
        utf8::DecodedRune d = utf8::decode_rune(s, pos_);
        out = Value::from_int(static_cast<int64_t>(d.rune));
        pos_ += static_cast<size_t>(d.size);
        return true;
      }
    }
    return false;
  }

 private:
  Value owner_;  // keeps the string alive
  ViewKind kind_;
  size_t pos_ = 0;
};

class StringViewObj final : public Object {
 public:
  StringViewObj(Value owner, ViewKind kind)
      : Object(ObjKind::Other), owner_(std::move(owner)), kind_(kind) {}

  std::string_view type_name() const override {
    switch (kind_) {
      case ViewKind::Elems:
      case ViewKind::ElemOrds:
        return kElemsType;
      case ViewKind::Codepoints:
      case ViewKind::CodepointOrds:
        return kCodepointsType;
      case ViewKind::BytesElems:
        return kBytesElemsType;
    }
    return kElemsType;
  }

  void repr(std::string& out, ReprPath&) const override {
    bool bytes = kind_ == ViewKind::BytesElems;
    append_quoted(out, bytes ? bytes_of(owner_) : text(owner_), bytes);
    switch (kind_) {
      case ViewKind::Elems:
      case ViewKind::BytesElems:
        out += ".elems()";
        break;
      case ViewKind::ElemOrds:
        out += ".elem_ords()";
        break;
      case ViewKind::Codepoints:
        out += ".codepoints()";
        break;
      case ViewKind::CodepointOrds:
        out += ".codepoint_ords()";
        break;
    }
  }

  uint32_t hash(Thread&) const override { fail("unhashable: " + std::string(type_name())); }

  int64_t len() const override {
    if (kind_ == ViewKind::Elems || kind_ == ViewKind::ElemOrds)
      return static_cast<int64_t>(text(owner_).size());
    return -1;
  }

  std::unique_ptr<Iterator> iterate(Thread&) override {
    return std::make_unique<ViewIterator>(owner_, kind_);
  }

  Value get_index(Thread& t, const Value& key) override {
    if (kind_ != ViewKind::Elems && kind_ != ViewKind::ElemOrds) return Object::get_index(t, key);
    const std::string& s = text(owner_);
    int64_t i = checked_index(key, static_cast<int64_t>(s.size()), type_name());
    unsigned char b = static_cast<unsigned char>(s[static_cast<size_t>(i)]);
    if (kind_ == ViewKind::ElemOrds) return Value::from_int(b);
    return make_string(std::string(1, static_cast<char>(b)));
  }

 private:
  Value owner_;
  ViewKind kind_;
};

}  // namespace

Value make_view(const Value& string_or_bytes, ViewKind kind) {
  return Value(new StringViewObj(string_or_bytes, kind));
}

}  // namespace faultbox::star::strings

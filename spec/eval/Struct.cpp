// struct values (starlarkstruct.Struct): immutable records with sorted
// fields, printed as `struct(a = 1, b = "x")`, compared field by field.
#include "spec/eval/Struct.h"

#include <algorithm>
#include <map>

#include "spec/eval/Error.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"

namespace faultbox::star {

namespace {
constexpr std::string_view kDefaultConstructor = "struct";
}

StructObj::StructObj(std::string constructor, std::vector<std::pair<std::string, Value>> fields)
    : Object(ObjKind::Struct), constructor_(std::move(constructor)), fields_(std::move(fields)) {
  std::stable_sort(fields_.begin(), fields_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

const Value* StructObj::field(std::string_view name) const {
  auto it = std::lower_bound(fields_.begin(), fields_.end(), name,
                             [](const auto& f, std::string_view n) { return f.first < n; });
  if (it == fields_.end() || it->first != name) return nullptr;
  return &it->second;
}

void StructObj::repr(std::string& out, ReprPath& path) const {
  out += constructor_;
  out += '(';
  bool first = true;
  for (const auto& [name, value] : fields_) {
    if (!first) out += ", ";
    first = false;
    out += name;
    out += " = ";
    star::repr(out, value, path);
  }
  out += ')';
}

uint32_t StructObj::hash(Thread& t) const {
  // starlark-go's Struct.Hash: the tuple hash with different primes.
  uint32_t x = 8731, m = 9839;
  for (const auto& [name, value] : fields_) {
    uint32_t name_hash = hash_value(t, make_string(name));
    x = x ^ (3 * name_hash);
    x = x ^ (hash_value(t, value) * m);
    m += 7349;
  }
  return x;
}

bool StructObj::equals(Thread& t, const Object& other, int depth) const {
  const auto& y = static_cast<const StructObj&>(other);
  if (fields_.size() != y.fields_.size() || constructor_ != y.constructor_) return false;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].first != y.fields_[i].first) return false;
    if (!equal(t, fields_[i].second, y.fields_[i].second, depth + 1)) return false;
  }
  return true;
}

void StructObj::freeze() {
  for (auto& f : fields_) star::freeze(f.second);
}

Value StructObj::attr(Thread&, std::string_view name) {
  if (const Value* v = field(name)) return *v;
  // starlarkstruct words this error itself ("hostport struct has no .x
  // attribute"); get_attr (Ops.h) appends the spelling hint.
  std::string msg;
  if (constructor_ != kDefaultConstructor) msg += constructor_ + " ";
  msg += "struct has no .";
  msg += name;
  msg += " attribute";
  throw NoSuchAttrError(std::move(msg));
}

std::vector<std::string> StructObj::attr_names() const {
  std::vector<std::string> names;
  names.reserve(fields_.size());
  for (const auto& f : fields_) names.push_back(f.first);
  return names;
}

Value StructObj::binary(Thread&, Token op, const Value& other, bool this_on_left) {
  if (op != Token::Plus || !other.is(ObjKind::Struct)) return Value::absent();
  const StructObj* x = this;
  const StructObj* y = other.as<StructObj>();
  if (!this_on_left) std::swap(x, y);
  if (x->constructor_ != y->constructor_)
    throw EvalError("cannot add structs of different constructors: " + x->constructor_ + " + " +
                    y->constructor_);
  // y's fields win; the result is sorted again by the constructor.
  std::map<std::string, Value> merged;
  for (const auto& f : x->fields_) merged[f.first] = f.second;
  for (const auto& f : y->fields_) merged[f.first] = f.second;
  return Value(new StructObj(x->constructor_, {merged.begin(), merged.end()}));
}

}  // namespace faultbox::star

// Native functions and bound methods.
#include "spec/eval/Builtin.h"

#include <algorithm>

#include "spec/eval/Ops.h"

namespace faultbox::star {

void BuiltinObj::repr(std::string& out, ReprPath&) const {
  if (is_method()) {
    out += "<built-in method ";
    out += name_;
    out += " of ";
    out += star::type_name(receiver_);
    out += " value>";
  } else {
    out += "<built-in function ";
    out += name_;
    out += '>';
  }
}

uint32_t BuiltinObj::hash(Thread&) const {
  // FNV-1a of the name; methods differ from functions of the same name.
  uint32_t h = 2166136261u;
  for (unsigned char c : name_) {
    h ^= c;
    h *= 16777619u;
  }
  return is_method() ? h ^ 5521u : h;
}

bool BuiltinObj::equals(Thread&, const Object& other, int) const {
  if (this == &other) return true;
  if (other.kind() != ObjKind::Builtin) return false;
  // The same native function bound to the very same receiver.
  const auto& o = static_cast<const BuiltinObj&>(other);
  return fn_ == o.fn_ && name_ == o.name_ && data_ == o.data_ && receiver_.same(o.receiver_);
}

const Method* MethodTable::find(std::string_view name) const {
  const Method* it = std::lower_bound(begin, end, name,
                                      [](const Method& m, std::string_view n) { return m.name < n; });
  return it != end && it->name == name ? it : nullptr;
}

std::vector<std::string> MethodTable::names() const {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(end - begin));
  for (const Method* m = begin; m != end; ++m) out.emplace_back(m->name);
  return out;
}

Value bind_method(const MethodTable& table, std::string_view name, const Value& receiver) {
  const Method* m = table.find(name);
  if (!m) return Value::absent();
  return Value(new BuiltinObj(std::string(m->name), m->fn, receiver));
}

Value make_builtin(std::string name, NativeFn fn) { return Value(new BuiltinObj(std::move(name), fn)); }

}  // namespace faultbox::star

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

// Builtins compare and hash by identity, as in starlark-go: two lookups of
// "".count are two different bound methods.
uint32_t BuiltinObj::hash(Thread&) const {
  auto p = reinterpret_cast<uintptr_t>(this);
  return static_cast<uint32_t>(p ^ (p >> 32));
}

bool BuiltinObj::equals(Thread&, const Object& other, int) const { return this == &other; }

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

// The "not supported" defaults of Object's protocols, worded as starlark-go
// words the same failures.
#include "spec/eval/Object.h"

#include "spec/eval/Error.h"
#include "spec/eval/Ops.h"

namespace faultbox::star {

void Object::repr(std::string& out, ReprPath&) const {
  out += '<';
  out += type_name();
  out += '>';
}

uint32_t Object::hash(Thread&) const {
  // starlark-go's built-in containers say "unhashable type: list"; its
  // modules (and ranges, see Range.cpp) say "unhashable: module".
  if (kind() == ObjKind::Module) throw EvalError("unhashable: " + std::string(type_name()));
  throw EvalError("unhashable type: " + std::string(type_name()));
}

bool Object::equals(Thread&, const Object& other, int) const { return this == &other; }

int Object::compare(Thread&, const Object& other, Token op, int) const {
  throw EvalError(std::string(type_name()) + " " + std::string(token_name(op)) + " " +
                  std::string(other.type_name()) + " not implemented");
}

Value Object::attr(Thread&, std::string_view) { return Value::absent(); }

void Object::set_attr(Thread&, std::string_view name, const Value&) {
  throw EvalError("can't assign to ." + std::string(name) + " field of " + std::string(type_name()));
}

std::unique_ptr<Iterator> Object::iterate(Thread&) { return nullptr; }

Value Object::get_index(Thread&, const Value& key) {
  throw EvalError("unhandled index operation " + std::string(type_name()) + "[" +
                  std::string(star::type_name(key)) + "]");
}

void Object::set_index(Thread&, const Value&, const Value&) {
  throw EvalError(std::string(type_name()) + " value does not support item assignment");
}

Value Object::slice(Thread&, int64_t, int64_t, int64_t) { return Value::absent(); }

Value Object::contains(Thread&, const Value&) { return Value::absent(); }

Value Object::binary(Thread&, Token, const Value&, bool) { return Value::absent(); }

Value Object::unary(Thread&, Token) { return Value::absent(); }

Value Object::call(Thread&, const Args&) {
  throw EvalError("invalid call of non-function (" + std::string(type_name()) + ")");
}

}  // namespace faultbox::star

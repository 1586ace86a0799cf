#include "spec/lib/StructBuiltin.h"

#include "spec/eval/Builtin.h"
#include "spec/eval/Error.h"
#include "spec/eval/Struct.h"

namespace faultbox::star {

namespace {

Value struct_builtin(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.positional.empty()) throw EvalError("struct: unexpected positional arguments");
  std::vector<std::pair<std::string, Value>> fields;
  fields.reserve(args.named.size());
  for (const auto& kw : args.named) fields.emplace_back(std::string(kw.name), kw.value);
  return Value(new StructObj("struct", std::move(fields)));
}

}  // namespace

Value make_struct_builtin() { return make_builtin("struct", struct_builtin); }

}  // namespace faultbox::star

#include "spec/lib/NamedModule.h"

#include <algorithm>

#include "spec/eval/Builtin.h"
#include "spec/eval/Error.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {

NamedModuleObj::NamedModuleObj(std::string name, Members members)
    : Object(ObjKind::Other), name_(std::move(name)), members_(std::move(members)) {
  std::stable_sort(members_.begin(), members_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

void NamedModuleObj::repr(std::string& out, ReprPath& path) const {
  out += "<module ";
  star::repr(out, make_string(name_), path);  // quoted like a string
  out += '>';
}

uint32_t NamedModuleObj::hash(Thread&) const { throw EvalError("unhashable: module"); }

void NamedModuleObj::freeze() {
  for (auto& m : members_) star::freeze(m.second);
}

Value NamedModuleObj::attr(Thread&, std::string_view name) {
  auto it = std::lower_bound(members_.begin(), members_.end(), name,
                             [](const auto& m, std::string_view n) { return m.first < n; });
  if (it == members_.end() || it->first != name) return Value::absent();
  return it->second;
}

std::vector<std::string> NamedModuleObj::attr_names() const {
  std::vector<std::string> names;
  names.reserve(members_.size());
  for (const auto& m : members_) names.push_back(m.first);
  return names;
}

void NamedModuleObj::set_attr(Thread&, std::string_view name, const Value&) {
  throw EvalError("can't assign to ." + std::string(name) + " field of module");
}

Value make_named_module(std::string name, NamedModuleObj::Members members) {
  return Value(new NamedModuleObj(std::move(name), std::move(members)));
}

namespace {

Value module_builtin(Thread&, const BuiltinObj& self, const Args& args) {
  std::string name;
  unpack_positional(self.name(), Args{args.positional, {}}, 1, {{"name", &name}});
  NamedModuleObj::Members members;
  members.reserve(args.named.size());
  for (const auto& kw : args.named) members.emplace_back(std::string(kw.name), kw.value);
  return make_named_module(std::move(name), std::move(members));
}

}  // namespace

Value make_module_builtin() { return make_builtin("module", module_builtin); }

}  // namespace faultbox::star

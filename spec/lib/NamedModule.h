// A named collection of values a host hands to Starlark code, such as the
// json module (starlarkstruct.Module): type "module", printed as
// <module "json">, members read as attributes, unhashable, read-only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/eval/Value.h"

namespace faultbox::star {

class NamedModuleObj final : public Object {
 public:
  using Members = std::vector<std::pair<std::string, Value>>;
  // Members are kept sorted by name (dir() order).
  NamedModuleObj(std::string name, Members members);
  const std::string& module_name() const { return name_; }
  const Members& members() const { return members_; }

  std::string_view type_name() const override { return "module"; }
  void repr(std::string& out, ReprPath& path) const override;  // <module "json">
  uint32_t hash(Thread& t) const override;                      // "unhashable: module"
  void freeze() override;
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  void set_attr(Thread& t, std::string_view name, const Value& v) override;  // always an error

 private:
  std::string name_;
  Members members_;
};

Value make_named_module(std::string name, NamedModuleObj::Members members);

// The `module(name, **kwargs)` builtin (starlarkstruct.MakeModule).
Value make_module_builtin();

}  // namespace faultbox::star

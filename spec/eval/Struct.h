// struct(**kwargs): an immutable record with named fields (starlarkstruct).
// Fields are kept sorted by name. Also the base of host records such as
// HTTP responses, which add methods (json()).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "spec/eval/Value.h"

namespace faultbox::star {

class StructObj : public Object {
 public:
  // `constructor` is the value printed before the fields ("struct" for the
  // builtin struct()).
  StructObj(std::string constructor, std::vector<std::pair<std::string, Value>> fields);
  const std::vector<std::pair<std::string, Value>>& fields() const { return fields_; }
  const std::string& constructor() const { return constructor_; }
  const Value* field(std::string_view name) const;

  std::string_view type_name() const override { return "struct"; }
  void repr(std::string& out, ReprPath& path) const override;  // struct(a = 1, b = "x")
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  void freeze() override;
  // A missing field throws NoSuchAttrError with starlarkstruct's own message
  // ("struct has no .x attribute") instead of returning absent.
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;  // + concatenates

 private:
  std::string constructor_;
  std::vector<std::pair<std::string, Value>> fields_;
};

}  // namespace faultbox::star

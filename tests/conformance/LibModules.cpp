#include "tests/conformance/LibModules.h"

#include "spec/lib/Json.h"
#include "spec/lib/Math.h"
#include "spec/lib/StructBuiltin.h"

namespace faultbox::star::conformance {

Value struct_builtin() { return make_struct_builtin(); }

StringDict json_star_members(Heap&) { return {{"json", make_json_module()}}; }

bool math_supported() { return true; }

StringDict math_star_members(Heap&) { return {{"math", make_math_module()}}; }

}  // namespace faultbox::star::conformance

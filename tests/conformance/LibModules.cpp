#include "tests/conformance/LibModules.h"

#include "spec/lib/Json.h"
#include "spec/lib/StructBuiltin.h"

namespace faultbox::star::conformance {

Value struct_builtin() { return make_struct_builtin(); }

StringDict json_star_members(Heap&) { return {{"json", make_json_module()}}; }

// starlark-go's lib/math is a library module, not part of the language;
// spec/lib does not provide it, so math.star is skipped (with that reason).
bool math_supported() { return false; }

StringDict math_star_members(Heap&) { return {}; }

}  // namespace faultbox::star::conformance

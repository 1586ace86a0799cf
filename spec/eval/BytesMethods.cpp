// The methods of bytes values. starlark-go defines only elems(); the rest of
// the bytes API (find, split, ...) is not yet part of the specification.
#include <iterator>

#include "spec/eval/Builtin.h"
#include "spec/eval/String.h"
#include "spec/eval/StringSupport.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {
namespace {

Value bytes_elems(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("elems", args, 0, {});
  return strings::make_view(self.receiver(), strings::ViewKind::BytesElems);
}

constexpr Method kBytesMethods[] = {
    {"elems", bytes_elems},
};

constexpr MethodTable kBytesMethodTable{std::begin(kBytesMethods), std::end(kBytesMethods)};

}  // namespace

const MethodTable& bytes_methods() { return kBytesMethodTable; }

}  // namespace faultbox::star

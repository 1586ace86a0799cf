#include "spec/eval/SequenceIndex.h"

#include <limits>

#include "spec/eval/Error.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"

namespace faultbox::star {

int64_t as_int32(const Value& v) {
  if (v.is_small_int()) {
    int64_t i = v.as_small_int();
    if (i >= std::numeric_limits<int32_t>::min() && i <= std::numeric_limits<int32_t>::max())
      return i;
    throw EvalError(std::to_string(i) + " out of range");
  }
  if (v.is_int()) throw EvalError(int_to_string(v) + " out of range");
  throw EvalError("got " + std::string(type_name(v)) + ", want int");
}

std::string index_out_of_range(int64_t i, int64_t n, std::string_view type) {
  if (n == 0) return "index " + std::to_string(i) + " out of range: empty " + std::string(type);
  return std::string(type) + " index " + std::to_string(i) + " out of range [" +
         std::to_string(-n) + ":" + std::to_string(n - 1) + "]";
}

namespace {

// Adds len to a negative index; None/absent leave `out` unchanged.
void as_index(const Value& v, int64_t len, int64_t& out) {
  if (v.is_none() || v.is_absent()) return;
  out = as_int32(v);
  if (out < 0) out += len;
}

int64_t clamp(int64_t i, int64_t len) { return i < 0 ? 0 : (i > len ? len : i); }

}  // namespace

void clamp_indices(const Value& start, const Value& end, int64_t len, int64_t& start_out,
                   int64_t& end_out) {
  start_out = 0;
  try {
    as_index(start, len, start_out);
  } catch (const EvalError& e) {
    throw EvalError("invalid start index: " + e.msg());
  }
  start_out = clamp(start_out, len);
  end_out = len;
  try {
    as_index(end, len, end_out);
  } catch (const EvalError& e) {
    throw EvalError("invalid end index: " + e.msg());
  }
  end_out = clamp(end_out, len);
}

}  // namespace faultbox::star

// Index conversions shared by the sequence types (list, tuple and their
// methods): starlark-go accepts an index only when it is an int that fits in
// 32 bits, and words its errors in a handful of fixed ways.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "spec/eval/Value.h"

namespace faultbox::star {

// The int32 value of an int; throws EvalError "got T, want int" or
// "N out of range" (starlark-go's AsInt32).
int64_t as_int32(const Value& v);

// "index I out of range: empty T" / "T index I out of range [-N:N-1]".
std::string index_out_of_range(int64_t i, int64_t n, std::string_view type);

// The [start:end) range of an optional start/end pair (None or absent means
// the default) over a sequence of length `len`: negative values count from
// the end, the result is clamped to [0, len] (start may exceed end). Errors:
// "invalid start index: got T, want int" / "invalid end index: ...".
void clamp_indices(const Value& start, const Value& end, int64_t len, int64_t& start_out,
                   int64_t& end_out);

}  // namespace faultbox::star

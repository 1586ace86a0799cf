// range values: start, stop and step, never materialized. Lengths and slice
// bounds are computed in 128 bits so extreme int64 bounds cannot overflow.
#include "spec/eval/Range.h"

#include <climits>
#include <cmath>

#include "spec/eval/Error.h"
#include "spec/eval/Int.h"
#include "spec/eval/Ops.h"

namespace faultbox::star {

namespace {

using i128 = __int128;

i128 range_len(i128 start, i128 stop, i128 step) {
  if (step > 0) return stop > start ? (stop - 1 - start) / step + 1 : 0;
  return start > stop ? (start - 1 - stop) / -step + 1 : 0;
}

class RangeIterator final : public Iterator {
 public:
  RangeIterator(int64_t start, int64_t step, int64_t count) : next_(start), step_(step), left_(count) {}
  bool next(Value& out) override {
    if (left_ <= 0) return false;
    out = Value::from_int(static_cast<int64_t>(next_));
    next_ += step_;  // may step past int64 after the last element: kept in 128 bits
    --left_;
    return true;
  }

 private:
  i128 next_;
  int64_t step_;
  int64_t left_;
};

}  // namespace

void RangeObj::repr(std::string& out, ReprPath&) const {
  out += "range(";
  if (step_ != 1) {
    out += std::to_string(start_) + ", " + std::to_string(stop_) + ", " + std::to_string(step_);
  } else if (start_ != 0) {
    out += std::to_string(start_) + ", " + std::to_string(stop_);
  } else {
    out += std::to_string(stop_);
  }
  out += ')';
}

uint32_t RangeObj::hash(Thread&) const { throw EvalError("unhashable: range"); }

int64_t RangeObj::len() const {
  i128 n = range_len(start_, stop_, step_);
  return n > INT64_MAX ? INT64_MAX : static_cast<int64_t>(n);
}

bool RangeObj::equals(Thread&, const Object& other, int) const {
  if (other.kind() != ObjKind::Range) return false;
  // Equal when they denote the same sequence.
  const auto& y = static_cast<const RangeObj&>(other);
  int64_t n = len();
  if (n != y.len()) return false;
  if (n == 0) return true;
  if (start_ != y.start_) return false;
  return n == 1 || step_ == y.step_;
}

std::unique_ptr<Iterator> RangeObj::iterate(Thread&) {
  return std::make_unique<RangeIterator>(start_, step_, len());
}

Value RangeObj::get_index(Thread&, const Value& key) {
  int64_t i = checked_index(key, len(), "range");
  return Value::from_int(static_cast<int64_t>(i128(start_) + i128(i) * step_));
}

Value RangeObj::slice(Thread&, int64_t start, int64_t end, int64_t step) {
  i128 new_start = i128(start_) + i128(step_) * start;
  i128 new_stop = i128(start_) + i128(step_) * end;
  i128 new_step = i128(step_) * step;
  // The elements all lie inside this range, so they fit; the stop and step
  // may not, and are then clamped without changing the sequence.
  i128 n = range_len(new_start, new_stop, new_step);
  if (new_step > INT64_MAX || new_step < INT64_MIN) {
    if (n > 1) throw EvalError("range slice is too large");
    new_step = new_step > 0 ? 1 : -1;
    new_stop = new_start + new_step * n;
  }
  if (new_stop > INT64_MAX || new_stop < INT64_MIN) {
    // Move the stop to just past the last element.
    new_stop = n == 0 ? new_start : new_start + new_step * (n - 1) + (new_step > 0 ? 1 : -1);
  }
  return Value(new RangeObj(static_cast<int64_t>(new_start), static_cast<int64_t>(new_stop),
                            static_cast<int64_t>(new_step)));
}

Value RangeObj::contains(Thread&, const Value& y) {
  // starlark-go: any number, truncated towards zero; bools are not numbers.
  Value x;
  if (y.is_int()) {
    x = y;
  } else if (y.is_float() && std::isfinite(y.as_float())) {
    x = int_from_double(y.as_float());
  } else {
    throw EvalError("'in <range>' requires integer as left operand, not " + std::string(star::type_name(y)));
  }
  if (!x.is_small_int()) return Value::boolean(false);
  i128 delta = i128(x.as_small_int()) - start_;
  i128 quo = delta / step_, rem = delta % step_;
  return Value::boolean(rem == 0 && quo >= 0 && quo < range_len(start_, stop_, step_));
}

}  // namespace faultbox::star

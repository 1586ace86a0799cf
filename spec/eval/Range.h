// range(start, stop, step): an immutable, lazily computed int sequence.
#pragma once

#include "spec/eval/Value.h"

namespace faultbox::star {

class RangeObj final : public Object {
 public:
  RangeObj(int64_t start, int64_t stop, int64_t step)
      : Object(ObjKind::Range), start_(start), stop_(stop), step_(step) {}
  int64_t start() const { return start_; }
  int64_t stop() const { return stop_; }
  int64_t step() const { return step_; }

  std::string_view type_name() const override { return "range"; }
  void repr(std::string& out, ReprPath& path) const override;  // range(10) / range(1, 10) / range(0, 10, 2)
  bool truth() const override { return len() > 0; }
  uint32_t hash(Thread& t) const override;  // throws "unhashable: range"
  bool equals(Thread& t, const Object& other, int depth) const override;  // same sequence
  int64_t len() const override;
  std::unique_ptr<Iterator> iterate(Thread& t) override;
  Value get_index(Thread& t, const Value& key) override;
  Value slice(Thread& t, int64_t start, int64_t end, int64_t step) override;
  Value contains(Thread& t, const Value& y) override;

 private:
  int64_t start_, stop_, step_;
};

}  // namespace faultbox::star

// Universal builtins over sequences and collections: all, any, dict,
// enumerate, len, list, min, max, range, reversed, set, sorted, tuple, zip.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "spec/eval/Dict.h"
#include "spec/eval/Int.h"
#include "spec/eval/LibraryBuiltins.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/Range.h"
#include "spec/eval/StableSort.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star::builtins {

std::unique_ptr<Iterator> iterate_param(Thread& t, std::string_view fn, std::string_view param,
                                        const Value& v) {
  auto it = iterate(t, v);
  if (!it)
    raise(std::string(fn) + ": for parameter " + std::string(param) + ": got " +
          std::string(type_name(v)) + ", want iterable");
  return it;
}

namespace {

// Every element a builtin consumes counts one step of the thread's budget,
// so list(range(1 << 40)) in a bounded evaluation ends like a loop would.
std::vector<Value> collect(Thread& t, Iterator& it, int64_t size_hint) {
  std::vector<Value> out;
  out.reserve(reserve_hint(size_hint));
  Value x;
  while (it.next(x)) {
    t.add_step();
    out.push_back(x);
  }
  return out;
}

}  // namespace

Value all(Thread& t, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("all", args, 1, {{"iterable", &x}});
  auto it = iterate_param(t, "all", "1", x);
  Value e;
  while (it->next(e)) {
    t.add_step();
    if (!truth(e)) return Value::boolean(false);
  }
  return Value::boolean(true);
}

Value any(Thread& t, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("any", args, 1, {{"iterable", &x}});
  auto it = iterate_param(t, "any", "1", x);
  Value e;
  while (it->next(e)) {
    t.add_step();
    if (truth(e)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

Value dict(Thread& t, const BuiltinObj&, const Args& args) {
  Value d = make_dict(t.heap());
  dict_update(t, *d.as<DictObj>(), args, "dict");
  return d;
}

Value enumerate(Thread& t, const BuiltinObj&, const Args& args) {
  Value x;
  int64_t start = 0;
  unpack_positional("enumerate", args, 1, {{"iterable", &x}, {"start", &start}});
  auto it = iterate_param(t, "enumerate", "1", x);
  std::vector<Value> pairs;
  pairs.reserve(reserve_hint(len(x)));
  Value e;
  Value index = Value::from_int(start);
  const Value one = Value::from_int(1);
  while (it->next(e)) {
    t.add_step();
    pairs.push_back(make_tuple({index, e}));
    index = int_add(index, one);
  }
  return make_list(t.heap(), std::move(pairs));
}

Value len(Thread&, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("len", args, 1, {{"x", &x}});
  int64_t n = star::len(x);
  if (n < 0) raise("len: value of type " + std::string(type_name(x)) + " has no len");
  return Value::from_int(n);
}

Value list(Thread& t, const BuiltinObj&, const Args& args) {
  Value x = Value::absent();
  unpack_positional("list", args, 0, {{"iterable", &x}});
  if (x.is_absent()) return make_list(t.heap());
  auto it = iterate_param(t, "list", "1", x);
  return make_list(t.heap(), collect(t, *it, star::len(x)));
}

Value minmax(Thread& t, const BuiltinObj& self, const Args& args) {
  const std::string name = self.name();
  if (args.positional.empty()) raise(name + " requires at least one positional argument");
  Value key = Value::absent();
  unpack_args(name, Args{{}, args.named}, {{"key?", &key}});
  if (!key.is_absent() && !(key.is_obj() && key.obj()->callable()))
    raise(name + ": for parameter key: got " + std::string(type_name(key)) + ", want callable");
  const Token op = name == "max" ? Token::Gt : Token::Lt;

  Value iterable = args.positional.size() == 1
                       ? args.positional[0]
                       : make_tuple(std::vector<Value>(args.positional.begin(), args.positional.end()));
  auto it = iterate(t, iterable);
  if (!it) raise(name + ": " + std::string(type_name(iterable)) + " value is not iterable");
  Value extremum;
  if (!it->next(extremum)) raise(name + ": argument is an empty sequence");
  auto key_of = [&](const Value& x) {
    if (key.is_absent()) return x;
    // Errors from the key function pass through untouched (their backtrace matters).
    return call_value(t, key, Args{std::span<const Value>(&x, 1), {}});
  };
  Value extreme_key = key_of(extremum);
  Value x;
  while (it->next(x)) {
    t.add_step();
    Value k = key_of(x);
    bool better;
    try {
      better = compare(t, op, k, extreme_key);
    } catch (const CancelledError&) {
      throw;
    } catch (EvalError& e) {
      e.set_msg(name + ": " + e.msg());
      throw;
    }
    if (better) {
      extremum = x;
      extreme_key = k;
    }
  }
  return extremum;
}

Value range(Thread&, const BuiltinObj&, const Args& args) {
  int64_t start = 0, stop = 0, step = 1;
  unpack_positional("range", args, 1, {{"start", &start}, {"stop", &stop}, {"step", &step}});
  if (args.positional.size() == 1) {
    stop = start;
    start = 0;
  }
  if (step == 0) raise("range: step argument must not be zero");
  return Value(new RangeObj(start, stop, step));
}

Value reversed(Thread& t, const BuiltinObj&, const Args& args) {
  Value x;
  unpack_positional("reversed", args, 1, {{"sequence", &x}});
  auto it = iterate_param(t, "reversed", "1", x);
  std::vector<Value> elems = collect(t, *it, star::len(x));
  std::reverse(elems.begin(), elems.end());
  return make_list(t.heap(), std::move(elems));
}

Value set(Thread& t, const BuiltinObj&, const Args& args) {
  Value x = Value::absent();
  unpack_positional("set", args, 0, {{"iterable", &x}});
  Value s = make_set(t.heap());
  if (x.is_absent()) return s;
  auto it = iterate_param(t, "set", "1", x);
  HashTable& table = s.as<SetObj>()->table();
  Value e;
  while (it->next(e)) {
    t.add_step();
    try {
      table.insert(t, e, Value());
    } catch (const CancelledError&) {
      throw;
    } catch (EvalError& err) {
      err.set_msg("set: " + err.msg());  // "set: unhashable type: list"
      throw;
    }
  }
  return s;
}

Value sorted(Thread& t, const BuiltinObj&, const Args& args) {
  Value x = Value::absent(), key = Value::absent(), reverse = Value::absent();
  unpack_args("sorted", args, {{"iterable", &x}, {"key?", &key}, {"reverse?", &reverse}});
  auto it = iterate_param(t, "sorted", "iterable", x);
  if (!key.is_absent() && !(key.is_obj() && key.obj()->callable()))
    raise("sorted: for parameter key: got " + std::string(type_name(key)) + ", want callable");
  if (!reverse.is_absent() && !reverse.is_bool())
    raise("sorted: for parameter reverse: got " + std::string(type_name(reverse)) + ", want bool");
  const bool descending = !reverse.is_absent() && reverse.as_bool();

  std::vector<Value> values = collect(t, *it, star::len(x));
  it.reset();  // the iteration is over: unlock the source
  std::vector<Value> keys;
  if (!key.is_absent()) {
    keys.reserve(values.size());
    for (const Value& v : values) keys.push_back(call_value(t, key, Args{std::span<const Value>(&v, 1), {}}));
  }
  std::vector<Value>& by = key.is_absent() ? values : keys;

  // starlark-go records a failed comparison, treats it as "not less" and
  // reports the last such failure once the sort is done.
  std::string error;
  bool failed = false;
  auto less = [&](size_t i, size_t j) {
    if (descending) std::swap(i, j);
    try {
      return compare(t, Token::Lt, by[i], by[j]);
    } catch (const CancelledError&) {
      throw;
    } catch (const EvalError& e) {
      error = e.msg();
      failed = true;
      return false;
    }
  };
  auto swap = [&](size_t i, size_t j) {
    std::swap(values[i], values[j]);
    if (!keys.empty()) std::swap(keys[i], keys[j]);
  };
  stable_sort_indices(values.size(), less, swap);
  if (failed) raise(std::move(error));
  return make_list(t.heap(), std::move(values));
}

Value tuple(Thread& t, const BuiltinObj&, const Args& args) {
  Value x = Value::absent();
  unpack_positional("tuple", args, 0, {{"iterable", &x}});
  if (x.is_absent()) return make_tuple({});
  if (x.is(ObjKind::Tuple)) return x;
  auto it = iterate_param(t, "tuple", "1", x);
  return make_tuple(collect(t, *it, star::len(x)));
}

Value zip(Thread& t, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("zip does not accept keyword arguments");
  const size_t cols = args.positional.size();
  std::vector<std::unique_ptr<Iterator>> iters;
  iters.reserve(cols);
  int64_t rows = 0;
  for (size_t i = 0; i < cols; ++i) {
    const Value& seq = args.positional[i];
    auto it = iterate(t, seq);
    if (!it)
      raise("zip: argument #" + std::to_string(i + 1) + " is not iterable: " +
            std::string(type_name(seq)));
    iters.push_back(std::move(it));
    int64_t n = star::len(seq);
    if (i == 0 || n < rows) rows = n;  // -1: some length unknown
  }
  std::vector<Value> result;
  if (rows >= 0) {
    result.reserve(reserve_hint(rows));
    for (int64_t r = 0; r < rows; ++r) {
      t.add_step();
      std::vector<Value> row(cols);
      for (size_t j = 0; j < cols; ++j) iters[j]->next(row[j]);
      result.push_back(make_tuple(std::move(row)));
    }
  } else {
    for (;;) {
      t.add_step();
      std::vector<Value> row(cols);
      for (size_t j = 0; j < cols; ++j)
        if (!iters[j]->next(row[j])) return make_list(t.heap(), std::move(result));
      result.push_back(make_tuple(std::move(row)));
    }
  }
  return make_list(t.heap(), std::move(result));
}

}  // namespace faultbox::star::builtins

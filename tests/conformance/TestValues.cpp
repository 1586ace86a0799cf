#include "tests/conformance/TestValues.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <optional>

#include "spec/eval/Builtin.h"
#include "spec/eval/Int.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Struct.h"
#include "spec/eval/Unpack.h"
#include "spec/lib/NamedModule.h"

namespace faultbox::star::conformance {

int innermost_line_in(const Thread& t, const std::string& filename) {
  const auto& frames = t.frames();
  for (auto it = frames.rbegin(); it != frames.rend(); ++it)
    if (it->file && it->file->path == filename) return it->pos.line;
  return 0;
}

void AssertReporter::report(Thread& t, std::string msg) {
  failures.push_back({innermost_line_in(t, filename), std::move(msg)});
}

namespace {

AssertReporter* reporter_of(Thread& t) { return static_cast<AssertReporter*>(t.host_data); }

// assert.star's error(): strings print as they are, other values as repr.
std::string as_message(const Value& v) { return v.is_string() ? v.as<StringObj>()->str() : repr(v); }

void report(Thread& t, std::string msg) {
  if (AssertReporter* r = reporter_of(t)) {
    r->report(t, std::move(msg));
    return;
  }
  // Without a reporter (a host that runs assert.star-style code outside the
  // harness) an assertion failure must not pass silently.
  throw EvalError(std::move(msg));
}

Value assert_eq(Thread& t, const BuiltinObj&, const Args& args) {
  Value x, y;
  unpack_args("assert.eq", args, {{"x", &x}, {"y", &y}});
  if (!equal(t, x, y)) report(t, repr(x) + " != " + repr(y));
  return Value();
}

Value assert_ne(Thread& t, const BuiltinObj&, const Args& args) {
  Value x, y;
  unpack_args("assert.ne", args, {{"x", &x}, {"y", &y}});
  if (equal(t, x, y)) report(t, repr(x) + " == " + repr(y));
  return Value();
}

Value assert_true(Thread& t, const BuiltinObj&, const Args& args) {
  Value cond;
  Value msg = make_string("assertion failed");
  unpack_args("assert.true", args, {{"cond", &cond}, {"msg?", &msg}});
  if (!truth(cond)) report(t, as_message(msg));
  return Value();
}

Value assert_lt(Thread& t, const BuiltinObj&, const Args& args) {
  Value x, y;
  unpack_args("assert.lt", args, {{"x", &x}, {"y", &y}});
  if (!compare(t, Token::Lt, x, y)) report(t, str(x) + " is not less than " + str(y));
  return Value();
}

Value assert_contains(Thread& t, const BuiltinObj&, const Args& args) {
  Value x, y;
  unpack_args("assert.contains", args, {{"x", &x}, {"y", &y}});
  if (!truth(binary_op(t, Token::In, y, x))) report(t, str(x) + " does not contain " + str(y));
  return Value();
}

Value assert_fails(Thread& t, const BuiltinObj&, const Args& args) {
  Value f;
  std::string pattern;
  unpack_args("assert.fails", args, {{"f", &f}, {"pattern", &pattern}});
  // catch(f): the bare message of the error f() raised, if any.
  std::optional<std::string> msg;
  size_t depth = t.frames().size();
  try {
    call_value(t, f, Args{});
  } catch (const EvalError& e) {
    msg = e.msg();
  }
  if (t.frames().size() > depth) t.frames().resize(depth);  // defensive: unwound by the evaluator
  if (!msg) {
    report(t, "evaluation succeeded unexpectedly (want error matching " + repr(make_string(pattern)) + ")");
    return Value();
  }
  // matches(pattern, msg): Go's regexp.MatchString, an unanchored search.
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 rx(pattern, opts);
  if (!rx.ok()) throw EvalError("matches: error parsing regexp: " + rx.error());
  if (!RE2::PartialMatch(*msg, rx))
    report(t, "regular expression (" + pattern + ") did not match error (" + *msg + ")");
  return Value();
}

// assert.fail is starlarktest's error(msg).
Value assert_fail(Thread& t, const BuiltinObj&, const Args& args) {
  if (args.positional.size() != 1 || !args.named.empty())
    throw EvalError("error: got " + std::to_string(args.positional.size() + args.named.size()) +
                    " arguments, want 1");
  report(t, as_message(args.positional[0]));
  return Value();
}

Value freeze_builtin(Thread&, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) throw EvalError("freeze does not accept keyword arguments");
  if (args.positional.size() != 1)
    throw EvalError("freeze got " + std::to_string(args.positional.size()) + " arguments, wants 1");
  freeze(args.positional[0]);
  return args.positional[0];
}

// --- hasfields ---------------------------------------------------------------

class HasFields final : public Container {
 public:
  explicit HasFields(Heap& heap) : Container(ObjKind::Other, heap) {}
  std::string_view type_name() const override { return "hasfields"; }
  void repr(std::string& out, ReprPath&) const override { out += "hasfields"; }
  uint32_t hash(Thread&) const override { return 42; }
  void freeze() override {
    if (frozen_) return;
    frozen_ = true;
    for (auto& [k, v] : attrs_) star::freeze(v);
  }
  bool frozen() const override { return frozen_; }
  Value attr(Thread&, std::string_view name) override {
    auto it = attrs_.find(std::string(name));
    return it == attrs_.end() ? Value::absent() : it->second;
  }
  std::vector<std::string> attr_names() const override {
    std::vector<std::string> names;
    for (auto& [k, v] : attrs_) names.push_back(k);
    return names;
  }
  void set_attr(Thread&, std::string_view name, const Value& v) override {
    if (frozen_) throw EvalError("cannot set field on a frozen hasfields");
    if (name.starts_with("no")) throw NoSuchAttrError("no ." + std::string(name) + " field");
    attrs_[std::string(name)] = v;
  }
  // list + hasfields is 42 (exercises `list += x` where x is not iterable).
  Value binary(Thread&, Token op, const Value& other, bool) override {
    if (op == Token::Plus && other.is(ObjKind::List)) return Value::from_int(42);
    return Value::absent();
  }
  void clear_references() override { attrs_.clear(); }

 private:
  std::map<std::string, Value> attrs_;
  bool frozen_ = false;
};

Value hasfields_builtin(Thread& t, const BuiltinObj& self, const Args& args) {
  if (!args.positional.empty() || !args.named.empty())
    throw EvalError(self.name() + ": unexpected arguments");
  return Value(new HasFields(t.heap()));
}

// --- fibonacci -----------------------------------------------------------------

class FibIterator final : public Iterator {
 public:
  bool next(Value& out) override {
    out = x_;
    Value z = int_add(x_, y_);
    x_ = y_;
    y_ = z;
    return true;
  }

 private:
  Value x_ = Value::from_int(0);
  Value y_ = Value::from_int(1);
};

class Fibonacci final : public Object {
 public:
  Fibonacci() : Object(ObjKind::Other) {}
  std::string_view type_name() const override { return "fib"; }
  void repr(std::string& out, ReprPath&) const override { out += "fib"; }
  uint32_t hash(Thread&) const override { throw EvalError("fib is unhashable"); }
  std::unique_ptr<Iterator> iterate(Thread&) override { return std::make_unique<FibIterator>(); }
};

// --- gensym --------------------------------------------------------------------

class Symbol;

// A struct made by calling a symbol: equal only to structs of the same symbol.
class BrandedStruct final : public StructObj {
 public:
  BrandedStruct(Value symbol, std::string name, std::vector<std::pair<std::string, Value>> fields)
      : StructObj(name, std::move(fields)), symbol_(std::move(symbol)), ctor_name_(std::move(name)) {}
  const Value& symbol() const { return symbol_; }
  bool equals(Thread& t, const Object& other, int depth) const override {
    auto* o = dynamic_cast<const BrandedStruct*>(&other);
    if (!o || !o->symbol_.same(symbol_)) return false;
    return StructObj::equals(t, other, depth);
  }
  Value binary(Thread& t, Token op, const Value& other, bool this_on_left) override;

 private:
  Value symbol_;
  std::string ctor_name_;
};

class Symbol final : public Object {
 public:
  explicit Symbol(std::string name) : Object(ObjKind::Other), name_(std::move(name)) {}
  std::string_view type_name() const override { return "symbol"; }
  void repr(std::string& out, ReprPath&) const override { out += name_; }
  uint32_t hash(Thread&) const override { throw EvalError("unhashable: symbol"); }
  bool callable() const override { return true; }
  std::string name() const override { return name_; }
  Value call(Thread&, const Args& args) override {
    if (!args.positional.empty()) throw EvalError(name_ + ": unexpected positional arguments");
    std::vector<std::pair<std::string, Value>> fields;
    for (auto& a : args.named) fields.emplace_back(std::string(a.name), a.value);
    std::sort(fields.begin(), fields.end(),
              [](auto& a, auto& b) { return a.first < b.first; });
    return Value(new BrandedStruct(Value(this), name_, std::move(fields)));
  }

 private:
  std::string name_;
};

Value BrandedStruct::binary(Thread& t, Token op, const Value& other, bool this_on_left) {
  if (op != Token::Plus || !other.is(ObjKind::Struct))
    return StructObj::binary(t, op, other, this_on_left);
  auto* o = other.as<StructObj>();
  auto* ob = dynamic_cast<BrandedStruct*>(o);
  const StructObj* left = this_on_left ? static_cast<const StructObj*>(this) : o;
  const StructObj* right = this_on_left ? o : static_cast<const StructObj*>(this);
  if (!ob || !ob->symbol_.same(symbol_)) {
    auto ctor = [](const StructObj* s) {
      auto* b = dynamic_cast<const BrandedStruct*>(s);
      return b ? b->ctor_name_ : std::string("struct");
    };
    throw EvalError("cannot add structs of different constructors: " + ctor(left) + " + " + ctor(right));
  }
  std::map<std::string, Value> merged;
  for (auto& [k, v] : left->fields()) merged[k] = v;
  for (auto& [k, v] : right->fields()) merged[k] = v;
  std::vector<std::pair<std::string, Value>> fields(merged.begin(), merged.end());
  return Value(new BrandedStruct(symbol_, ctor_name_, std::move(fields)));
}

Value gensym_builtin(Thread&, const BuiltinObj&, const Args& args) {
  std::string name;
  unpack_args("gensym", args, {{"name", &name}});
  return Value(new Symbol(std::move(name)));
}

// --- benchmark -----------------------------------------------------------------

Value bench_noop(Thread&, const BuiltinObj&, const Args&) { return Value(); }

class Benchmark final : public Object {
 public:
  explicit Benchmark(int64_t n) : Object(ObjKind::Other), n_(n) {}
  std::string_view type_name() const override { return "benchmark"; }
  void repr(std::string& out, ReprPath&) const override { out += "<benchmark>"; }
  uint32_t hash(Thread&) const override { throw EvalError("unhashable: benchmark"); }
  Value attr(Thread&, std::string_view name) override {
    if (name == "n") return Value::from_int(n_);
    if (name == "restart" || name == "start" || name == "stop")
      return Value(new BuiltinObj(std::string(name), bench_noop, Value(this)));
    return Value::absent();
  }
  std::vector<std::string> attr_names() const override { return {"n", "restart", "start", "stop"}; }

 private:
  int64_t n_;
};

}  // namespace

StringDict assert_star_members(Heap&) {
  NamedModuleObj::Members members = {
      {"contains", Value(new BuiltinObj("contains", assert_contains))},
      {"eq", Value(new BuiltinObj("eq", assert_eq))},
      {"fail", Value(new BuiltinObj("error", assert_fail))},
      {"fails", Value(new BuiltinObj("fails", assert_fails))},
      {"lt", Value(new BuiltinObj("lt", assert_lt))},
      {"ne", Value(new BuiltinObj("ne", assert_ne))},
      {"true", Value(new BuiltinObj("true", assert_true))},
  };
  StringDict out;
  out.emplace_back("assert", make_named_module("assert", std::move(members)));
  out.emplace_back("freeze", Value(new BuiltinObj("freeze", freeze_builtin)));
  return out;
}

Value make_hasfields_builtin() { return Value(new BuiltinObj("hasfields", hasfields_builtin)); }
Value make_fibonacci() { return Value(new Fibonacci()); }
Value make_gensym_builtin() { return Value(new BuiltinObj("gensym", gensym_builtin)); }
Value make_benchmark(int64_t n) { return Value(new Benchmark(n)); }

}  // namespace faultbox::star::conformance

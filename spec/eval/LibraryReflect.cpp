// Universal builtins about attributes and the outside world: dir, getattr,
// hasattr, print, fail.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "spec/eval/LibraryBuiltins.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star::builtins {

void append_print_form(std::string& out, const Value& v, bool bytes_raw) {
  if (v.is_string()) {
    out += v.as<StringObj>()->str();
  } else if (bytes_raw && v.is(ObjKind::Bytes)) {
    out += v.as<BytesObj>()->bytes();
  } else {
    ReprPath path;
    star::repr(out, v, path);
  }
}

namespace {

// The joined arguments of print/fail, after their sep= keyword.
std::string join_args(std::string_view fn, const Args& args, bool bytes_raw) {
  std::string sep = " ";
  unpack_args(fn, Args{{}, args.named}, {{"sep?", &sep}});
  std::string out;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i > 0) out += sep;
    append_print_form(out, args.positional[i], bytes_raw);
  }
  return out;
}

}  // namespace

Value dir(Thread& t, const BuiltinObj&, const Args& args) {
  if (!args.named.empty()) raise("dir does not accept keyword arguments");
  if (args.positional.size() != 1)
    raise("dir: got " + std::to_string(args.positional.size()) + " arguments, want 1");
  const Value& x = args.positional[0];
  std::vector<std::string> names;
  if (x.is_obj()) names = x.obj()->attr_names();
  std::sort(names.begin(), names.end());
  std::vector<Value> elems;
  elems.reserve(names.size());
  for (auto& n : names) elems.push_back(make_string(std::move(n)));
  return make_list(t.heap(), std::move(elems));
}

Value fail(Thread&, const BuiltinObj&, const Args& args) {
  raise("fail: " + join_args("fail", args, /*bytes_raw=*/false));
}

Value getattr(Thread& t, const BuiltinObj&, const Args& args) {
  Value object, dflt = Value::absent();
  std::string name;
  unpack_positional("getattr", args, 2, {{"object", &object}, {"name", &name}, {"default", &dflt}});
  if (object.is_obj()) {
    Value v;
    try {
      v = object.obj()->attr(t, name);
    } catch (const CancelledError&) {
      throw;
    } catch (EvalError& e) {
      // The field may be missing or may have failed to compute; either way
      // a default wins.
      if (!dflt.is_absent()) return dflt;
      e.set_msg("getattr: " + e.msg());
      throw;
    }
    if (!v.is_absent()) return v;
  }
  if (!dflt.is_absent()) return dflt;
  raise("getattr: " + std::string(type_name(object)) + " has no ." + name + " field or method");
}

Value hasattr(Thread& t, const BuiltinObj&, const Args& args) {
  Value object;
  std::string name;
  unpack_positional("hasattr", args, 2, {{"object", &object}, {"name", &name}});
  if (!object.is_obj()) return Value::boolean(false);
  try {
    return Value::boolean(!object.obj()->attr(t, name).is_absent());
  } catch (const CancelledError&) {
    throw;
  } catch (const EvalError&) {
    // An error does not say whether the field exists: ask the names.
    for (const auto& n : object.obj()->attr_names())
      if (n == name) return Value::boolean(true);
    return Value::boolean(false);
  }
}

Value print(Thread& t, const BuiltinObj&, const Args& args) {
  std::string msg = join_args("print", args, /*bytes_raw=*/true);
  if (t.print) {
    t.print(t, msg);
  } else {
    msg += '\n';
    std::fwrite(msg.data(), 1, msg.size(), stdout);
  }
  return Value::none();
}

}  // namespace faultbox::star::builtins

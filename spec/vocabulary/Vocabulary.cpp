#include "spec/vocabulary/Vocabulary.h"

#include <algorithm>
#include <set>

#include "spec/eval/Builtin.h"
#include "spec/eval/Dict.h"
#include "spec/eval/Function.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Unpack.h"
#include "spec/lib/Json.h"
#include "spec/lib/StructBuiltin.h"
#include "spec/vocabulary/CloseMatches.h"
#include "spec/vocabulary/Duration.h"
#include "spec/vocabulary/Errno.h"
#include "spec/vocabulary/Spec.h"
#include "spec/vocabulary/SpecContext.h"
#include "spec/vocabulary/Syscalls.h"
#include "spec/vocabulary/Values.h"

namespace faultbox::star {

namespace {

// Every builtin of the Go Faultbox (internal/star/builtins.go, v0.18) that
// this implementation does not provide.
constexpr std::string_view kUnsupported[] = {
    "allow",           "always",           "assert_before",     "assert_eventually",   "assert_never",
    "assume",          "await_event",      "await_stable",      "bandwidth",           "bytes_response",
    "choose",          "client",           "decoder",           "determinism",         "drop",
    "duplicate",       "duration",         "dynamic",           "error",               "events",
    "eventually",      "expect_error_within", "expect_hang",    "expect_success",      "fault_all",
    "fault_assumption", "fault_matrix",    "fault_scenario",    "fault_start",         "fault_stop",
    "grpc_error",      "grpc_raw_response", "grpc_response",    "grpc_typed_response", "halt",
    "json_decoder",    "json_response",    "jwt_jwks",          "jwt_keypair",         "jwt_sign",
    "kafka_ready",     "load_file",        "load_json",         "load_yaml",           "logfmt_decoder",
    "match",           "mock_service",     "monitor",           "mtu",                 "nondet",
    "observe",         "op",               "partition",         "partition_start",     "partition_stop",
    "ready",           "redirect",         "regex_decoder",     "remotes",             "response",
    "scenario",        "sleep",            "status_only",       "stderr",              "stdout",
    "test",            "text_response",    "tls_cert",          "trace",               "trace_start",
    "trace_stop",      "watch",            "watch_start",       "watch_stop",
};

std::string quoted(const std::string& s) { return repr(make_string(s)); }

std::string type_of(const Value& v) { return std::string(type_name(v)); }

const std::string& as_string(const std::string& what, const Value& v) {
  if (!v.is_string()) throw SpecError(what + ": got " + type_of(v) + ", want string");
  return v.as<StringObj>()->str();
}

// A Go builtin we do not provide: any use fails, naming it.
class UnsupportedObj final : public Object {
 public:
  explicit UnsupportedObj(std::string_view name) : Object(ObjKind::Other), name_(name) {}
  std::string_view type_name() const override { return "builtin_function_or_method"; }
  void repr(std::string& out, ReprPath&) const override { out += "<built-in function " + name_ + " (not supported)>"; }
  bool callable() const override { return true; }
  std::string name() const override { return name_; }
  Value call(Thread&, const Args&) override { throw SpecError("not supported: " + name_); }
  Value attr(Thread&, std::string_view attr) override {
    throw SpecError("not supported: " + name_ + " (." + std::string(attr) + ")");
  }

 private:
  std::string name_;
};

// --- service ----------------------------------------------------------------

std::vector<std::string> string_list(const std::string& what, const Value& v) {
  std::vector<std::string> out;
  if (v.is_none()) return out;
  if (!v.is(ObjKind::List) && !v.is(ObjKind::Tuple))
    throw SpecError(what + ": got " + type_of(v) + ", want list of strings");
  const auto& elems = v.is(ObjKind::List) ? v.as<ListObj>()->elems() : v.as<TupleObj>()->elems();
  for (size_t i = 0; i < elems.size(); ++i) {
    if (!elems[i].is_string())
      throw SpecError(what + "[" + std::to_string(i) + "]: got " + type_of(elems[i]) + ", want string");
    out.push_back(elems[i].as<StringObj>()->str());
  }
  return out;
}

void check_name(const std::string& fn, const std::string& what, const std::string& name) {
  if (name.empty()) throw SpecError(fn + ": " + what + " must not be empty");
  for (unsigned char c : name)
    if (c <= ' ' || c == '/' || c == '.' || c == ':')
      throw SpecError(fn + ": " + what + " " + quoted(name) + " may not contain spaces, '/', '.' or ':'");
}

Value service_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  SpecContext& ctx = spec_context(t, "service");
  if (ctx.phase != SpecContext::Phase::Load)
    throw SpecError("service: services are declared at the top level of the spec, not inside a test");
  ServiceSpec svc;
  svc.declared_at = call_site(t);
  Value name_arg;
  if (!args.positional.empty()) name_arg = args.positional[0];
  std::vector<Value> ifaces;
  bool binary_given = false;
  for (size_t i = 1; i < args.positional.size(); ++i) {
    const Value& v = args.positional[i];
    if (v.is_string() && i == 1) {
      svc.binary = v.as<StringObj>()->str();
      binary_given = true;
    } else if (dynamic_cast<InterfaceObj*>(v.is_obj() ? v.obj() : nullptr)) {
      ifaces.push_back(v);
    } else {
      throw SpecError("service: argument " + std::to_string(i + 1) + ": got " + type_of(v) +
                      (v.is_string() ? ", want interface() (only the second argument may be the binary)"
                                     : ", want interface()"));
    }
  }
  Value healthcheck, env, depends_on, svc_args;
  static constexpr std::string_view kKeywords[] = {"args", "binary", "cwd", "depends_on", "env",
                                                   "healthcheck", "image", "name"};
  for (const NamedArg& a : args.named) {
    std::string key(a.name);
    if (key == "name") {
      if (!name_arg.is_none() || !args.positional.empty())
        throw SpecError("service: got multiple values for parameter \"name\"");
      name_arg = a.value;
    } else if (key == "binary") {
      if (binary_given) throw SpecError("service: got multiple values for parameter \"binary\"");
      svc.binary = as_string("service: binary", a.value);
      binary_given = true;
    } else if (key == "image") {
      svc.image = as_string("service: image", a.value);
    } else if (key == "cwd") {
      svc.cwd = as_string("service: cwd", a.value);
    } else if (key == "args") {
      svc_args = a.value;
    } else if (key == "env") {
      env = a.value;
    } else if (key == "depends_on") {
      depends_on = a.value;
    } else if (key == "healthcheck") {
      healthcheck = a.value;
    } else {
      std::vector<std::string> known(std::begin(kKeywords), std::end(kKeywords));
      auto near = close_matches(key, known, 1);
      throw SpecError("service: unexpected keyword argument \"" + key + "\"" +
                      (near.empty() ? "" : " (did you mean " + near[0] + "?)"));
    }
  }
  if (name_arg.is_none()) throw SpecError("service: missing the service name (service(\"api\", ...))");
  svc.name = as_string("service: name", name_arg);
  check_name("service", "name", svc.name);
  if (svc.name == "test")
    throw SpecError("service: the name \"test\" is reserved (it is the test driver's actor in traces)");
  for (const ServiceSpec& other : ctx.topology.services)
    if (other.name == svc.name)
      throw SpecError("service: duplicate service name " + quoted(svc.name) + " (first declared at " +
                      other.declared_at.str() + ")");
  if (binary_given && !svc.image.empty())
    throw SpecError("service " + svc.name + ": give either a binary or image=, not both");
  if (!binary_given && svc.image.empty())
    throw SpecError("service " + svc.name + ": needs a binary (service(\"" + svc.name +
                    "\", \"./path/to/binary\", ...)) or image=\"name:tag\"");
  if (binary_given && svc.binary.empty()) throw SpecError("service " + svc.name + ": binary must not be empty");
  svc.args = string_list("service " + svc.name + ": args", svc_args);
  if (!env.is_none()) {
    if (!env.is(ObjKind::Dict)) throw SpecError("service " + svc.name + ": env: got " + type_of(env) + ", want dict");
    for (const auto& e : env.as<DictObj>()->table().entries()) {
      if (!e.live) continue;
      if (!e.key.is_string() || !e.value.is_string())
        throw SpecError("service " + svc.name + ": env: want string keys and values, got " + type_of(e.key) + ": " +
                        type_of(e.value));
      svc.env.emplace_back(e.key.as<StringObj>()->str(), e.value.as<StringObj>()->str());
    }
  }
  if (!depends_on.is_none()) {
    std::vector<Value> deps;
    if (depends_on.is(ObjKind::List))
      deps = depends_on.as<ListObj>()->elems();
    else if (depends_on.is(ObjKind::Tuple))
      deps = depends_on.as<TupleObj>()->elems();
    else
      deps.push_back(depends_on);
    for (const Value& d : deps) {
      if (auto* s = d.is_obj() ? dynamic_cast<ServiceObj*>(d.obj()) : nullptr)
        svc.depends_on.push_back(s->spec().name);
      else if (d.is_string())
        svc.depends_on.push_back(d.as<StringObj>()->str());
      else
        throw SpecError("service " + svc.name + ": depends_on: got " + type_of(d) + ", want a service or its name");
    }
  }
  if (!healthcheck.is_none()) {
    auto* h = healthcheck.is_obj() ? dynamic_cast<HealthcheckObj*>(healthcheck.obj()) : nullptr;
    if (!h)
      throw SpecError("service " + svc.name + ": healthcheck: got " + type_of(healthcheck) +
                      ", want http(\"host:port/path\") or tcp(\"host:port\")");
    svc.healthcheck = h->spec();
  }
  for (const Value& v : ifaces) {
    const InterfaceSpec& i = v.as<InterfaceObj>()->spec();
    if (svc.find_interface(i.name))
      throw SpecError("service " + svc.name + ": two interfaces named " + quoted(i.name));
    if (i.name == "name" || is_http_step(i.name))
      throw SpecError("service " + svc.name + ": an interface may not be named " + quoted(i.name) + " (" +
                      svc.name + "." + i.name + " is a method of the service)");
    svc.interfaces.push_back(i);
  }
  ctx.topology.services.push_back(svc);
  return Value(new ServiceObj(std::move(svc)));
}

Value interface_builtin(Thread&, const BuiltinObj&, const Args& args) {
  std::string name, protocol;
  int64_t port = 0;
  unpack_args("interface", args, {{"name", &name}, {"protocol", &protocol}, {"port", &port}});
  check_name("interface", "name", name);
  if (protocol.empty()) throw SpecError("interface " + name + ": protocol must not be empty");
  if (port < 1 || port > 65535)
    throw SpecError("interface " + name + ": port " + std::to_string(port) + " out of range (1-65535)");
  return Value(new InterfaceObj(InterfaceSpec{name, protocol, static_cast<int>(port)}));
}

// --- healthchecks -------------------------------------------------------------

int64_t parse_timeout(const std::string& fn, const Value& v, int64_t dflt_ms) {
  if (v.is_none()) return dflt_ms;
  if (v.is_string()) {
    std::string why;
    auto ns = parse_duration(v.as<StringObj>()->str(), &why);
    if (!ns) throw SpecError(fn + ": timeout: " + why);
    if (*ns <= 0) throw SpecError(fn + ": timeout must be positive");
    return *ns / 1000000;
  }
  if (v.is_small_int() && v.as_small_int() > 0) return v.as_small_int() * 1000;
  if (v.is_float() && v.as_float() > 0) return static_cast<int64_t>(v.as_float() * 1000);
  throw SpecError(fn + ": timeout: got " + type_of(v) + ", want a duration such as \"10s\"");
}

HealthcheckSpec parse_target(const std::string& fn, const std::string& target, HealthcheckSpec::Kind kind) {
  HealthcheckSpec h;
  h.kind = kind;
  h.target = target;
  std::string_view s = target;
  if (kind == HealthcheckSpec::Kind::Http && s.starts_with("http://")) s.remove_prefix(7);
  size_t slash = s.find('/');
  std::string_view hostport = s.substr(0, slash);
  if (slash != std::string_view::npos) {
    if (kind == HealthcheckSpec::Kind::Tcp)
      throw SpecError(fn + ": want \"host:port\", got " + quoted(target) + " (a path needs http(...))");
    h.path = std::string(s.substr(slash));
  } else {
    h.path = "/";
  }
  size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos)
    throw SpecError(fn + ": missing port in " + quoted(target) + " (want \"host:port" +
                    (kind == HealthcheckSpec::Kind::Http ? "/path" : "") + "\")");
  h.host = std::string(hostport.substr(0, colon));
  if (h.host.empty()) h.host = "localhost";
  std::string_view port = hostport.substr(colon + 1);
  int p = 0;
  bool ok = !port.empty() && port.size() <= 5;
  for (char c : port) {
    if (c < '0' || c > '9') ok = false;
    else p = p * 10 + (c - '0');
  }
  if (!ok || p < 1 || p > 65535) throw SpecError(fn + ": invalid port in " + quoted(target));
  h.port = p;
  return h;
}

Value http_builtin(Thread&, const BuiltinObj&, const Args& args) {
  std::string target;
  Value timeout;
  unpack_args("http", args, {{"target", &target}, {"timeout?", &timeout}});
  HealthcheckSpec h = parse_target("http", target, HealthcheckSpec::Kind::Http);
  h.timeout_ms = parse_timeout("http", timeout, h.timeout_ms);
  return Value(new HealthcheckObj(std::move(h)));
}

Value tcp_builtin(Thread&, const BuiltinObj&, const Args& args) {
  std::string target;
  Value timeout;
  unpack_args("tcp", args, {{"target", &target}, {"timeout?", &timeout}});
  HealthcheckSpec h = parse_target("tcp", target, HealthcheckSpec::Kind::Tcp);
  h.timeout_ms = parse_timeout("tcp", timeout, h.timeout_ms);
  return Value(new HealthcheckObj(std::move(h)));
}

// --- fault rules ----------------------------------------------------------------

// The keyword arguments deny() and delay() share.
struct RuleOptionArgs {
  Value label, times, nth, after, probability, on, path;
};

int64_t positive_int(const std::string& fn, const char* name, const Value& v) {
  if (!v.is_small_int() || v.as_small_int() < 1)
    throw SpecError(fn + ": " + name + ": want a positive int, got " + repr(v));
  return v.as_small_int();
}

void rule_options(const std::string& fn, FaultRule& r, const RuleOptionArgs& a) {
  if (!a.label.is_none()) r.label = as_string(fn + ": label", a.label);
  if (!a.times.is_none()) r.times = positive_int(fn, "times", a.times);
  if (!a.nth.is_none()) r.nth = positive_int(fn, "nth", a.nth);
  if (!a.after.is_none()) r.after = positive_int(fn, "after", a.after);
  // nth= already names exactly one call; a second trigger beside it would
  // either be redundant or silently contradict it.
  if (r.nth > 0 && r.after > 0)
    throw SpecError(fn + ": nth= and after= cannot be combined (nth=N faults only the Nth matching call)");
  if (r.nth > 0 && r.times >= 0)
    throw SpecError(fn + ": nth= and times= cannot be combined (nth=N faults exactly one call)");
  if (!a.probability.is_none()) {
    double p = 0;
    if (a.probability.is_small_int())
      p = static_cast<double>(a.probability.as_small_int());
    else if (a.probability.is_float())
      p = a.probability.as_float();
    else
      throw SpecError(fn + ": probability: got " + type_of(a.probability) + ", want float");
    if (!(p > 0 && p <= 1)) throw SpecError(fn + ": probability must be in (0, 1], got " + repr(a.probability));
    r.probability = p;
  }
  if (!a.on.is_none()) {
    r.on = as_string(fn + ": on", a.on);
    if (r.on != "file" && r.on != "socket" && r.on != "any")
      throw SpecError(fn + ": on: want \"file\", \"socket\" or \"any\", got " + quoted(r.on));
  }
  if (!a.path.is_none()) {
    r.path = as_string(fn + ": path", a.path);
    if (r.path.empty()) throw SpecError(fn + ": path must not be empty");
  }
}

Value deny_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  std::string name;
  RuleOptionArgs o;
  unpack_args("deny", args,
              {{"errno", &name}, {"label?", &o.label}, {"times?", &o.times}, {"nth?", &o.nth}, {"after?", &o.after},
               {"probability?", &o.probability}, {"on?", &o.on}, {"path?", &o.path}});
  FaultRule r;
  r.kind = FaultRule::Kind::Deny;
  auto value = errno_value(name);
  if (!value) {
    auto near = close_errno_names(name);
    throw SpecError("deny: unknown errno " + quoted(name) +
                    (near.empty() ? " (errno names look like \"ECONNREFUSED\", \"ENOSPC\")"
                                  : " (close matches: " + or_list(near) + ")"));
  }
  r.errno_name = name;
  r.errno_value = *value;
  rule_options("deny", r, o);
  r.at = call_site(t);
  return Value(new FaultRuleObj(std::move(r)));
}

Value delay_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  Value duration;
  RuleOptionArgs o;
  unpack_args("delay", args,
              {{"duration", &duration}, {"label?", &o.label}, {"times?", &o.times}, {"nth?", &o.nth},
               {"after?", &o.after}, {"probability?", &o.probability}, {"on?", &o.on}, {"path?", &o.path}});
  FaultRule r;
  r.kind = FaultRule::Kind::Delay;
  if (!duration.is_string())
    throw SpecError("delay: duration: got " + type_of(duration) + ", want a string such as \"10s\" or \"250ms\"");
  std::string why;
  auto ns = parse_duration(duration.as<StringObj>()->str(), &why);
  if (!ns) throw SpecError("delay: " + why);
  if (*ns <= 0) throw SpecError("delay: duration must be positive, got " + repr(duration));
  r.delay_ns = *ns;
  rule_options("delay", r, o);
  r.at = call_site(t);
  return Value(new FaultRuleObj(std::move(r)));
}

// --- fault, parallel ----------------------------------------------------------------

Value fault_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  SpecContext& ctx = spec_context(t, "fault");
  if (args.positional.size() != 1)
    throw SpecError("fault: want one positional argument, the target service (fault(svc, write=deny(...), run=fn)), got " +
                    std::to_string(args.positional.size()));
  const Value& target = args.positional[0];
  auto* svc = target.is_obj() ? dynamic_cast<ServiceObj*>(target.obj()) : nullptr;
  if (!svc) throw SpecError("fault: target: got " + type_of(target) + ", want a service (the value service() returned)");
  FaultSpec spec;
  spec.target = svc->spec().name;
  spec.at = call_site(t);
  Value run;
  for (const NamedArg& a : args.named) {
    std::string key(a.name);
    if (key == "run") {
      run = a.value;
    } else if (key == "direction") {
      spec.direction = as_string("fault: direction", a.value);
      if (spec.direction != "in" && spec.direction != "out" && spec.direction != "both")
        throw SpecError("fault: direction: want \"in\", \"out\" or \"both\", got " + quoted(spec.direction));
    } else {
      if (std::string why = unenforceable_reason(key); !why.empty())
        throw SpecError("fault: a rule on " + key + " can never fire: " + key + " " + why);
      if (expand_rule_key(key).empty()) {
        auto near = close_matches(key, rule_key_names());
        throw SpecError("fault: unknown syscall or family " + quoted(key) +
                        (near.empty() ? "" : " (close matches: " + or_list(near) + ")"));
      }
      auto* rule = a.value.is_obj() ? dynamic_cast<FaultRuleObj*>(a.value.obj()) : nullptr;
      if (!rule)
        throw SpecError("fault: " + key + ": got " + type_of(a.value) + ", want a rule (deny(...) or delay(...))");
      spec.rules.emplace_back(key, rule->rule());
    }
  }
  if (spec.rules.empty())
    throw SpecError("fault: no rules (write e.g. fault(" + spec.target + ", connect=deny(\"ECONNREFUSED\"), run=fn))");
  if (run.is_none())
    throw SpecError("fault: missing run= (the function to run while the fault is active)");
  if (!run.is_obj() || !run.obj()->callable()) throw SpecError("fault: run: got " + type_of(run) + ", want a function");
  if (ctx.phase != SpecContext::Phase::Run)
    throw SpecError("fault: faults apply inside tests (test_* functions), not while the spec loads");
  return host_call("fault", [&] {
    return ctx.host->with_faults(t, spec, [&](Thread& th) { return call_value(th, run, Args{}); });
  });
}

Value parallel_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  SpecContext& ctx = spec_context(t, "parallel");
  if (!args.named.empty()) throw SpecError("parallel: unexpected keyword argument \"" + std::string(args.named[0].name) + "\"");
  for (size_t i = 0; i < args.positional.size(); ++i) {
    const Value& f = args.positional[i];
    if (!f.is_obj() || !f.obj()->callable())
      throw SpecError("parallel: argument " + std::to_string(i + 1) + ": got " + type_of(f) + ", want a function");
  }
  if (ctx.phase != SpecContext::Phase::Run)
    throw SpecError("parallel: runs inside tests (test_* functions), not while the spec loads");
  std::vector<Value> fns(args.positional.begin(), args.positional.end());
  std::vector<ParallelBranch> branches;
  for (size_t i = 0; i < fns.size(); ++i) {
    Value f = fns[i];
    branches.push_back({t.name() + "/" + std::to_string(i + 1), [f](Thread& th) { return call_value(th, f, Args{}); }});
  }
  Spec* spec = ctx.spec;
  ThreadFactory factory = [spec](const std::string& name) { return spec->new_thread(name); };
  std::vector<Value> results =
      host_call("parallel", [&] { return ctx.host->parallel(t, branches, factory, call_site(t)); });
  return make_list(t.heap(), std::move(results));
}

// --- assertions ---------------------------------------------------------------------

std::string message_prefix(const Value& msg) {
  if (msg.is_none()) return "";
  return (msg.is_string() ? msg.as<StringObj>()->str() : repr(msg)) + ": ";
}

Value assert_true_builtin(Thread&, const BuiltinObj&, const Args& args) {
  Value cond, msg;
  unpack_args("assert_true", args, {{"cond", &cond}, {"msg?", &msg}});
  if (truth(cond)) return Value();
  if (msg.is_none()) throw AssertionFailure("assertion failed: assert_true(" + repr(cond) + ")");
  throw AssertionFailure(msg.is_string() ? msg.as<StringObj>()->str() : repr(msg));
}

Value assert_eq_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  Value a, b, msg;
  unpack_args("assert_eq", args, {{"a", &a}, {"b", &b}, {"msg?", &msg}});
  if (!equal(t, a, b)) throw AssertionFailure(message_prefix(msg) + repr(a) + " != " + repr(b));
  return Value();
}

Value assert_ne_builtin(Thread& t, const BuiltinObj&, const Args& args) {
  Value a, b, msg;
  unpack_args("assert_ne", args, {{"a", &a}, {"b", &b}, {"msg?", &msg}});
  if (equal(t, a, b)) throw AssertionFailure(message_prefix(msg) + repr(a) + " == " + repr(b));
  return Value();
}

}  // namespace

std::span<const std::string_view> unsupported_builtin_names() { return kUnsupported; }

StringDict vocabulary_predeclared() {
  StringDict d = {
      {"service", make_builtin("service", service_builtin)},
      {"interface", make_builtin("interface", interface_builtin)},
      {"http", make_builtin("http", http_builtin)},
      {"tcp", make_builtin("tcp", tcp_builtin)},
      {"deny", make_builtin("deny", deny_builtin)},
      {"delay", make_builtin("delay", delay_builtin)},
      {"fault", make_builtin("fault", fault_builtin)},
      {"parallel", make_builtin("parallel", parallel_builtin)},
      {"assert_true", make_builtin("assert_true", assert_true_builtin)},
      {"assert_eq", make_builtin("assert_eq", assert_eq_builtin)},
      {"assert_ne", make_builtin("assert_ne", assert_ne_builtin)},
      {"struct", make_struct_builtin()},
      {"json", make_json_module()},
  };
  for (std::string_view name : kUnsupported) d.emplace_back(std::string(name), Value(new UnsupportedObj(name)));
  return d;
}

}  // namespace faultbox::star

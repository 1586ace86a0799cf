#include "spec/vocabulary/Values.h"
#include "spec/vocabulary/Vocabulary.h"

#include <algorithm>
#include <cctype>
#include <functional>

#include "spec/eval/Builtin.h"
#include "spec/eval/Dict.h"
#include "spec/eval/Error.h"
#include "spec/eval/Heap.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"
#include "spec/lib/Json.h"
#include "spec/vocabulary/Duration.h"
#include "spec/vocabulary/SpecContext.h"

namespace faultbox::star {

namespace {

constexpr std::string_view kHttpSteps[] = {"delete", "get", "patch", "post", "put"};

uint32_t identity_hash(const void* p) {
  auto v = reinterpret_cast<uintptr_t>(p);
  return static_cast<uint32_t>(v ^ (v >> 32));
}

std::string quoted(const std::string& s) { return repr(make_string(s)); }

// The step's timeout: a duration string ("5s") or a number of seconds.
int64_t timeout_ms(const std::string& fn, const Value& v, int64_t dflt) {
  if (v.is_none() || v.is_absent()) return dflt;
  if (v.is_string()) {
    std::string why;
    auto ns = parse_duration(v.as<StringObj>()->str(), &why);
    if (!ns) throw SpecError(fn + ": timeout: " + why);
    if (*ns <= 0) throw SpecError(fn + ": timeout must be positive, got " + quoted(v.as<StringObj>()->str()));
    return *ns / 1000000;
  }
  if (v.is_small_int() && v.as_small_int() > 0) return v.as_small_int() * 1000;
  if (v.is_float() && v.as_float() > 0) return static_cast<int64_t>(v.as_float() * 1000);
  throw SpecError(fn + ": timeout: got " + std::string(type_name(v)) +
                  ", want a duration such as \"5s\" or a positive number of seconds");
}

// A request body: a string, bytes, or a JSON-encodable value (dict, list...).
std::string body_text(Thread& t, const std::string& fn, const Value& v) {
  if (v.is_none() || v.is_absent()) return {};
  if (v.is_string()) return v.as<StringObj>()->str();
  if (v.is(ObjKind::Bytes)) return v.as<BytesObj>()->bytes();
  try {
    return json_encode(t, v);
  } catch (const EvalError& e) {
    throw SpecError(fn + ": body: " + e.msg());
  }
}

std::vector<std::pair<std::string, std::string>> header_list(const std::string& fn, const Value& v) {
  std::vector<std::pair<std::string, std::string>> out;
  if (v.is_none() || v.is_absent()) return out;
  if (!v.is(ObjKind::Dict)) throw SpecError(fn + ": headers: got " + std::string(type_name(v)) + ", want dict");
  for (const auto& e : v.as<DictObj>()->table().entries()) {
    if (!e.live) continue;
    if (!e.key.is_string() || !e.value.is_string())
      throw SpecError(fn + ": headers: want string keys and values, got " + std::string(type_name(e.key)) + ": " +
                      std::string(type_name(e.value)));
    out.emplace_back(e.key.as<StringObj>()->str(), e.value.as<StringObj>()->str());
  }
  return out;
}

// Steps run inside tests only: at load time there is nothing to talk to.
SpecContext& running_context(Thread& t, const std::string& fn) {
  SpecContext& ctx = spec_context(t, fn);
  if (ctx.phase != SpecContext::Phase::Run)
    throw SpecError(fn + ": steps run inside tests (test_* functions), not while the spec loads");
  return ctx;
}

Value run_step(Thread& t, const std::string& fn, const ServiceSpec& svc, const InterfaceSpec& iface, StepRequest req) {
  SpecContext& ctx = running_context(t, fn);
  req.service = svc.name;
  req.interface = iface.name;
  req.protocol = iface.protocol;
  req.at = call_site(t);
  StepResponse resp = host_call(fn, [&] { return ctx.host->step(t, req); });
  return Value(new ResponseObj(t.heap(), resp));
}

// The one interface of `svc` that speaks HTTP, for svc.get/post/...
const InterfaceSpec& http_interface(const ServiceSpec& svc, const std::string& fn) {
  std::vector<const InterfaceSpec*> http;
  for (const auto& i : svc.interfaces)
    if (i.protocol == "http") http.push_back(&i);
  if (http.size() == 1) return *http[0];
  if (http.empty())
    throw SpecError(fn + ": service " + svc.name + " has no http interface (declare one with interface(NAME, \"http\", PORT))");
  std::string names;
  for (auto* i : http) names += (names.empty() ? "" : ", ") + i->name;
  throw SpecError(fn + ": service " + svc.name + " has several http interfaces (" + names + "): say which, as " +
                  svc.name + "." + http[0]->name + "." + fn.substr(fn.rfind('.') + 1) + "(...)");
}

Value http_step(Thread& t, const BuiltinObj& self, const Args& args, const ServiceSpec& svc,
                const InterfaceSpec& iface, const std::string& fn) {
  std::string path = "/";
  Value body, headers, timeout;
  unpack_args(fn, args, {{"path?", &path}, {"body?", &body}, {"headers?", &headers}, {"timeout?", &timeout}});
  if (path.empty() || path[0] != '/') throw SpecError(fn + ": path must start with '/', got " + quoted(path));
  StepRequest req;
  req.method = self.name();
  std::transform(req.method.begin(), req.method.end(), req.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  req.path = path;
  req.body = body_text(t, fn, body);
  req.headers = header_list(fn, headers);
  req.timeout_ms = timeout_ms(fn, timeout, req.timeout_ms);
  return run_step(t, fn, svc, iface, std::move(req));
}

// svc.get(...) and friends: the service's HTTP interface.
Value service_step(Thread& t, const BuiltinObj& self, const Args& args) {
  const ServiceSpec& svc = self.receiver().as<ServiceObj>()->spec();
  std::string fn = svc.name + "." + self.name();
  running_context(t, fn);
  return http_step(t, self, args, svc, http_interface(svc, fn), fn);
}

// api.public.post(...)
Value interface_http_step(Thread& t, const BuiltinObj& self, const Args& args) {
  auto* b = self.receiver().as<BoundInterfaceObj>();
  std::string fn = b->service().name + "." + b->iface().name + "." + self.name();
  return http_step(t, self, args, b->service(), b->iface(), fn);
}

// api.main.send(data)
Value interface_send(Thread& t, const BuiltinObj& self, const Args& args) {
  auto* b = self.receiver().as<BoundInterfaceObj>();
  std::string fn = b->service().name + "." + b->iface().name + ".send";
  Value data, timeout;
  unpack_args(fn, args, {{"data", &data}, {"timeout?", &timeout}});
  if (!data.is_string() && !data.is(ObjKind::Bytes))
    throw SpecError(fn + ": data: got " + std::string(type_name(data)) + ", want string or bytes");
  StepRequest req;
  req.method = "SEND";
  req.body = body_text(t, fn, data);
  req.timeout_ms = timeout_ms(fn, timeout, req.timeout_ms);
  return run_step(t, fn, b->service(), b->iface(), std::move(req));
}

Value response_json(Thread& t, const BuiltinObj& self, const Args& args) {
  unpack_none("json", args);
  auto* r = self.receiver().as<ResponseObj>();
  try {
    return json_decode(t, r->body());
  } catch (const EvalError& e) {
    throw EvalError("json: response body is not JSON: " + e.msg());
  }
}

}  // namespace

bool is_http_step(std::string_view name) {
  return std::find(std::begin(kHttpSteps), std::end(kHttpSteps), name) != std::end(kHttpSteps);
}

// --- interface ------------------------------------------------------------------

void InterfaceObj::repr(std::string& out, ReprPath&) const {
  out += "interface(" + quoted(spec_.name) + ", " + quoted(spec_.protocol) + ", " + std::to_string(spec_.port) + ")";
}

uint32_t InterfaceObj::hash(Thread&) const { return identity_hash(this); }

Value InterfaceObj::attr(Thread&, std::string_view name) {
  if (name == "name") return make_string(spec_.name);
  if (name == "protocol") return make_string(spec_.protocol);
  if (name == "port") return Value::from_int(spec_.port);
  return Value::absent();
}

std::vector<std::string> InterfaceObj::attr_names() const { return {"name", "port", "protocol"}; }

// --- service ----------------------------------------------------------------------

void ServiceObj::repr(std::string& out, ReprPath&) const { out += "<service " + spec_.name + ">"; }

uint32_t ServiceObj::hash(Thread&) const { return identity_hash(this); }

Value ServiceObj::attr(Thread&, std::string_view name) {
  if (name == "name") return make_string(spec_.name);
  if (is_http_step(name)) return Value(new BuiltinObj(std::string(name), service_step, Value(this)));
  if (const InterfaceSpec* i = spec_.find_interface(std::string(name)))
    return Value(new BoundInterfaceObj(Value(this), *i));
  return Value::absent();
}

std::vector<std::string> ServiceObj::attr_names() const {
  std::vector<std::string> names = {"name"};
  for (auto s : kHttpSteps) names.emplace_back(s);
  for (const auto& i : spec_.interfaces) names.push_back(i.name);
  std::sort(names.begin(), names.end());
  return names;
}

// --- a service's interface ------------------------------------------------------------

void BoundInterfaceObj::repr(std::string& out, ReprPath&) const {
  out += "<interface " + service().name + "." + iface_.name + ">";
}

uint32_t BoundInterfaceObj::hash(Thread&) const {
  return identity_hash(service_.obj()) ^ static_cast<uint32_t>(std::hash<std::string>()(iface_.name));
}

bool BoundInterfaceObj::equals(Thread&, const Object& other, int) const {
  auto* o = dynamic_cast<const BoundInterfaceObj*>(&other);
  return o && o->service_.same(service_) && o->iface_.name == iface_.name;
}

Value BoundInterfaceObj::attr(Thread& t, std::string_view name) {
  if (name == "name") return make_string(iface_.name);
  if (name == "protocol") return make_string(iface_.protocol);
  if (name == "service") return service_;
  if (name == "port" || name == "host" || name == "addr") {
    // The address right for the current mode (binary: localhost; containers:
    // the host decides). Outside a spec (no host) the declared port.
    InterfaceAddress a{"localhost", iface_.port};
    if (t.host_data) {
      SpecContext& ctx = spec_context(t, "address");
      a = host_call(service().name + "." + iface_.name + "." + std::string(name),
                    [&] { return ctx.host->address(service(), iface_); });
    }
    if (name == "port") return Value::from_int(a.port);
    if (name == "host") return make_string(a.host);
    return make_string(a.host + ":" + std::to_string(a.port));
  }
  if (iface_.protocol == "http" && is_http_step(name))
    return Value(new BuiltinObj(std::string(name), interface_http_step, Value(this)));
  if (iface_.protocol == "tcp" && name == "send") return Value(new BuiltinObj("send", interface_send, Value(this)));
  return Value::absent();
}

std::vector<std::string> BoundInterfaceObj::attr_names() const {
  std::vector<std::string> names = {"addr", "host", "name", "port", "protocol", "service"};
  if (iface_.protocol == "http")
    for (auto s : kHttpSteps) names.emplace_back(s);
  if (iface_.protocol == "tcp") names.emplace_back("send");
  std::sort(names.begin(), names.end());
  return names;
}

// --- healthcheck ------------------------------------------------------------------------

void HealthcheckObj::repr(std::string& out, ReprPath&) const {
  out += spec_.kind == HealthcheckSpec::Kind::Http ? "http(" : "tcp(";
  out += quoted(spec_.target) + ")";
}

// --- fault rules --------------------------------------------------------------------------

void FaultRuleObj::repr(std::string& out, ReprPath&) const {
  if (rule_.kind == FaultRule::Kind::Deny)
    out += "deny(" + quoted(rule_.errno_name);
  else
    out += "delay(" + quoted(format_duration(rule_.delay_ns));
  if (!rule_.label.empty()) out += ", label=" + quoted(rule_.label);
  if (rule_.times >= 0) out += ", times=" + std::to_string(rule_.times);
  if (rule_.nth > 0) out += ", nth=" + std::to_string(rule_.nth);
  if (rule_.after > 0) out += ", after=" + std::to_string(rule_.after);
  if (rule_.probability < 1) out += ", probability=" + star::repr(Value::from_float(rule_.probability));
  if (!rule_.on.empty()) out += ", on=" + quoted(rule_.on);
  if (!rule_.path.empty()) out += ", path=" + quoted(rule_.path);
  out += ")";
}

Value FaultRuleObj::attr(Thread&, std::string_view name) {
  if (name == "kind") return make_string(rule_.kind == FaultRule::Kind::Deny ? "deny" : "delay");
  if (name == "label") return make_string(rule_.label);
  if (name == "errno") return rule_.kind == FaultRule::Kind::Deny ? make_string(rule_.errno_name) : Value();
  if (name == "delay") return rule_.kind == FaultRule::Kind::Delay ? make_string(format_duration(rule_.delay_ns)) : Value();
  if (name == "times") return rule_.times >= 0 ? Value::from_int(rule_.times) : Value();
  if (name == "nth") return rule_.nth > 0 ? Value::from_int(rule_.nth) : Value();
  if (name == "after") return rule_.after > 0 ? Value::from_int(rule_.after) : Value();
  if (name == "probability") return Value::from_float(rule_.probability);
  return Value::absent();
}

std::vector<std::string> FaultRuleObj::attr_names() const {
  return {"after", "delay", "errno", "kind", "label", "nth", "probability", "times"};
}

// --- response --------------------------------------------------------------------------------

namespace {

std::vector<std::pair<std::string, Value>> response_fields(Heap& heap, const StepResponse& r) {
  // Header names are case-insensitive; the constructor fills this dict with
  // lower-cased keys so lookups are predictable (resp.headers["content-type"]).
  Value headers = make_dict(heap);
  std::vector<std::pair<std::string, Value>> fields = {
      {"body", make_string(r.body)},
      {"duration_ms", Value::from_int(r.duration_ms)},
      {"error", r.ok ? Value() : make_string(r.error)},
      {"headers", headers},
      {"ok", Value::boolean(r.ok)},
      {"status", Value::from_int(r.status)},
  };
  return fields;
}

}  // namespace

ResponseObj::ResponseObj(Heap& heap, const StepResponse& response)
    : StructObj("response", response_fields(heap, response)), body_(response.body) {
  // Fill the headers dict (insertion needs a Thread only for hashing
  // strings, which never fails; a scratch thread does).
  Thread scratch(heap, "response");
  const Value* h = field("headers");
  auto* dict = h->as<DictObj>();
  for (const auto& [k, v] : response.headers) {
    std::string key = k;
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    dict->table().insert(scratch, make_string(key), make_string(v));
  }
  dict->freeze();
}

Value ResponseObj::attr(Thread& t, std::string_view name) {
  if (name == "json") return Value(new BuiltinObj("json", response_json, Value(this)));
  return StructObj::attr(t, name);
}

std::vector<std::string> ResponseObj::attr_names() const {
  std::vector<std::string> names = StructObj::attr_names();
  names.push_back("json");
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace faultbox::star

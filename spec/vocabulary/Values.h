// The Starlark values of the Faultbox vocabulary. Each wraps the plain data
// it describes (Topology.h, SpecHost.h) and is immutable once made:
//
//   service   service("api", ...)        .name, .<iface>, .get/.post/.put/.patch/.delete(...)
//   interface interface("public", "http", 8080)
//             api.public                 .name .protocol .port .addr .host, and the
//                                        protocol's steps (.post(...) / .send(data))
//   healthcheck http("localhost:8080/health") / tcp("localhost:6379")
//   fault_rule  deny("ENOSPC") / delay("10s")
//   response    what a step returns      .status .body .headers .duration_ms .ok .error .json()
#pragma once

#include <string>
#include <vector>

#include "spec/eval/Struct.h"
#include "spec/eval/Value.h"
#include "spec/vocabulary/SpecHost.h"
#include "spec/vocabulary/Topology.h"

namespace faultbox::star {

class InterfaceObj final : public Object {
 public:
  explicit InterfaceObj(InterfaceSpec spec) : Object(ObjKind::Other), spec_(std::move(spec)) {}
  const InterfaceSpec& spec() const { return spec_; }
  std::string_view type_name() const override { return "interface"; }
  void repr(std::string& out, ReprPath& path) const override;  // interface("main", "redis", 6379)
  uint32_t hash(Thread& t) const override;
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;

 private:
  InterfaceSpec spec_;
};

class ServiceObj final : public Object {
 public:
  explicit ServiceObj(ServiceSpec spec) : Object(ObjKind::Other), spec_(std::move(spec)) {}
  const ServiceSpec& spec() const { return spec_; }
  std::string_view type_name() const override { return "service"; }
  void repr(std::string& out, ReprPath& path) const override;  // <service api>
  uint32_t hash(Thread& t) const override;
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;

 private:
  ServiceSpec spec_;
};

// api.public: one interface of one service, with its address and steps.
class BoundInterfaceObj final : public Object {
 public:
  BoundInterfaceObj(Value service, InterfaceSpec iface)
      : Object(ObjKind::Other), service_(std::move(service)), iface_(std::move(iface)) {}
  const ServiceSpec& service() const { return service_.as<ServiceObj>()->spec(); }
  const InterfaceSpec& iface() const { return iface_; }
  std::string_view type_name() const override { return "interface"; }
  void repr(std::string& out, ReprPath& path) const override;  // <interface api.public>
  uint32_t hash(Thread& t) const override;
  bool equals(Thread& t, const Object& other, int depth) const override;
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;

 private:
  Value service_;
  InterfaceSpec iface_;
};

class HealthcheckObj final : public Object {
 public:
  explicit HealthcheckObj(HealthcheckSpec spec) : Object(ObjKind::Other), spec_(std::move(spec)) {}
  const HealthcheckSpec& spec() const { return spec_; }
  std::string_view type_name() const override { return "healthcheck"; }
  void repr(std::string& out, ReprPath& path) const override;  // http("localhost:8080/health")

 private:
  HealthcheckSpec spec_;
};

class FaultRuleObj final : public Object {
 public:
  explicit FaultRuleObj(FaultRule rule) : Object(ObjKind::Other), rule_(std::move(rule)) {}
  const FaultRule& rule() const { return rule_; }
  std::string_view type_name() const override { return "fault_rule"; }
  void repr(std::string& out, ReprPath& path) const override;  // deny("ENOSPC", label="disk full")
  Value attr(Thread& t, std::string_view name) override;       // .label .errno .delay .times ...
  std::vector<std::string> attr_names() const override;

 private:
  FaultRule rule_;
};

// A step's response: a struct (fields status, body, headers, duration_ms,
// ok, error) with a json() method decoding the body.
class ResponseObj final : public StructObj {
 public:
  ResponseObj(Heap& heap, const StepResponse& response);
  const std::string& body() const { return body_; }
  std::string_view type_name() const override { return "response"; }
  Value attr(Thread& t, std::string_view name) override;
  std::vector<std::string> attr_names() const override;

 private:
  std::string body_;
};

// The names of a service's step methods.
bool is_http_step(std::string_view name);

}  // namespace faultbox::star

// The Faultbox vocabulary: what a spec declares (Topology), how it is
// validated, and what reaches the SpecHost when tests run (CheckHost
// records it).
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "spec/eval/Ops.h"
#include "spec/vocabulary/CheckHost.h"
#include "spec/vocabulary/Duration.h"
#include "spec/vocabulary/Errno.h"
#include "spec/vocabulary/Spec.h"
#include "spec/vocabulary/Syscalls.h"
#include "spec/vocabulary/Vocabulary.h"

namespace faultbox::star {
namespace {

// examples/shop/images.star, found from this source file's path.
std::string shop_spec_path() {
  return (std::filesystem::path(__FILE__).parent_path() / "../../examples/shop/images.star").lexically_normal();
}

// The message of the error loading `source` raises (EvalError or
// SourceErrors), or "" when it loads.
std::string load_error(const std::string& source) {
  CheckHost host;
  try {
    Spec::load_source("spec.star", source, host);
  } catch (const EvalError& e) {
    return e.msg();
  } catch (const SourceErrors& e) {
    return e.errors().front().msg;
  }
  return "";
}

constexpr const char* kSmallSpec = R"(
db = service("db", "/usr/bin/db", interface("main", "tcp", 5432), args=["--port", "5432"],
             env={"MODE": "test"}, healthcheck=tcp("localhost:5432", timeout="5s"))
api = service("api", "./api",
    interface("public", "http", 8080),
    interface("admin", "http", 9090),
    depends_on=[db], cwd="/srv")
web = service("web", interface("www", "http", 80), image="nginx:1", depends_on=["api"])

def test_steps():
    "Steps reach the host."
    r = web.get(path="/index.html", headers={"X-A": "1"})
    assert_eq(r.ok, False)
    assert_eq(r.status, 0)
    api.admin.post(path="/reset", body={"all": True}, timeout="2s")
    db.main.send("PING\r\n")
    return r

def test_faults():
    def inner():
        return "inner-result"
    def outer():
        return fault(api, write=deny("ENOSPC", label="disk full", times=2), run=inner)
    return fault(db, connect=deny("ECONNREFUSED"), recv=delay("250ms", probability=0.5),
                 direction="in", run=outer)

def test_parallel():
    return parallel(lambda: 1, lambda: 2, lambda: 3)

def test_addresses():
    return [api.public.addr, api.public.host, api.public.port, api.admin.protocol]

def test_assert_fails():
    assert_eq(1, 2, msg="numbers differ")

def helper():
    pass
)";

class LoadedSpec : public ::testing::Test {
 protected:
  void SetUp() override { spec = Spec::load_source("small.star", kSmallSpec, host); }
  Value run(const std::string& test) {
    auto t = spec->new_thread("test");
    return spec->run_test(*t, test);
  }
  CheckHost host;
  std::unique_ptr<Spec> spec;
};

TEST(VocabularyTest, ShopSpecOfTheMission) {
  CheckHost host;
  auto spec = Spec::load(shop_spec_path(), host);
  const Topology& topo = spec->topology();
  ASSERT_EQ(topo.services.size(), 3u);
  EXPECT_EQ(topo.services[0].name, "api");
  EXPECT_EQ(topo.services[0].image, "company/api:latest");
  EXPECT_EQ(topo.services[0].binary, "");
  ASSERT_EQ(topo.services[0].interfaces.size(), 1u);
  EXPECT_EQ(topo.services[0].interfaces[0].name, "public");
  EXPECT_EQ(topo.services[0].interfaces[0].protocol, "http");
  EXPECT_EQ(topo.services[0].interfaces[0].port, 8080);
  ASSERT_TRUE(topo.services[0].healthcheck);
  EXPECT_EQ(topo.services[0].healthcheck->kind, HealthcheckSpec::Kind::Http);
  EXPECT_EQ(topo.services[0].healthcheck->port, 8080);
  EXPECT_EQ(topo.services[0].healthcheck->path, "/health");
  EXPECT_EQ(topo.services[1].name, "redis");
  EXPECT_EQ(topo.services[1].image, "redis:7");
  EXPECT_EQ(topo.services[1].healthcheck->kind, HealthcheckSpec::Kind::Tcp);
  EXPECT_EQ(topo.services[2].name, "search");
  ASSERT_EQ(topo.tests.size(), 3u);
  EXPECT_EQ(topo.tests[0].name, "test_checkout_when_redis_down");
  EXPECT_EQ(topo.tests[0].doc, "Cart still works if Redis cache is gone — falls back to Postgres.");
  EXPECT_EQ(topo.tests[1].name, "test_search_timeout_doesnt_block_checkout");
  EXPECT_EQ(topo.tests[2].name, "test_full_disk_error_message");
  EXPECT_GT(topo.tests[2].declared_at.line, topo.tests[0].declared_at.line);
}

TEST(VocabularyTest, ShopTestsRunAgainstTheCheckHost) {
  // The mission's tests, walked through with a host that runs nothing:
  // every fault reaches the host with the rule the user wrote, and the
  // assertion on the (unexecuted) response fails as a test failure.
  CheckHost host;
  auto spec = Spec::load(shop_spec_path(), host);
  auto t = spec->new_thread("test");
  EXPECT_THROW(spec->run_test(*t, "test_checkout_when_redis_down"), AssertionFailure);
  ASSERT_EQ(host.faults.size(), 1u);
  EXPECT_EQ(host.faults[0].target, "redis");
  ASSERT_EQ(host.faults[0].rules.size(), 1u);
  EXPECT_EQ(host.faults[0].rules[0].first, "connect");
  EXPECT_EQ(host.faults[0].rules[0].second.errno_name, "ECONNREFUSED");
  EXPECT_EQ(host.faults[0].rules[0].second.errno_value, ECONNREFUSED);
  EXPECT_EQ(host.faults[0].rules[0].second.label, "Redis down");
  ASSERT_EQ(host.steps.size(), 2u);
  EXPECT_EQ(host.steps[0].method, "POST");
  EXPECT_EQ(host.steps[0].path, "/cart/add");
  EXPECT_EQ(host.steps[0].body, R"({"sku": "TSHIRT", "qty": 1})");
  EXPECT_EQ(host.steps[1].path, "/checkout");

  auto t2 = spec->new_thread("test");
  EXPECT_NO_THROW(spec->run_test(*t2, "test_search_timeout_doesnt_block_checkout"));  // duration_ms 0 < 5000
  ASSERT_EQ(host.faults.size(), 2u);
  EXPECT_EQ(host.faults[1].rules[0].second.kind, FaultRule::Kind::Delay);
  EXPECT_EQ(host.faults[1].rules[0].second.delay_ns, 10'000'000'000);
}

TEST_F(LoadedSpec, TopologyHoldsEveryArgument) {
  const Topology& topo = spec->topology();
  ASSERT_EQ(topo.services.size(), 3u);
  const ServiceSpec& db = topo.services[0];
  EXPECT_EQ(db.binary, "/usr/bin/db");
  EXPECT_EQ(db.args, (std::vector<std::string>{"--port", "5432"}));
  ASSERT_EQ(db.env.size(), 1u);
  EXPECT_EQ(db.env[0].first, "MODE");
  EXPECT_EQ(db.env[0].second, "test");
  EXPECT_EQ(db.healthcheck->timeout_ms, 5000);
  EXPECT_EQ(db.declared_at.path, "small.star");
  EXPECT_EQ(db.declared_at.line, 2);
  const ServiceSpec& api = topo.services[1];
  EXPECT_EQ(api.depends_on, std::vector<std::string>{"db"});
  EXPECT_EQ(api.cwd, "/srv");
  EXPECT_EQ(api.interfaces.size(), 2u);
  EXPECT_EQ(topo.services[2].depends_on, std::vector<std::string>{"api"});
  std::vector<std::string> tests;
  for (auto& t : topo.tests) tests.push_back(t.name);
  EXPECT_EQ(tests, (std::vector<std::string>{"test_steps", "test_faults", "test_parallel", "test_addresses",
                                             "test_assert_fails"}));
  EXPECT_EQ(topo.tests[0].doc, "Steps reach the host.");
  EXPECT_EQ(topo.tests[1].doc, "");
}

TEST_F(LoadedSpec, StepsReachTheHost) {
  Value r = run("test_steps");
  ASSERT_EQ(host.steps.size(), 3u);
  const StepRequest& get = host.steps[0];
  EXPECT_EQ(get.service, "web");
  EXPECT_EQ(get.interface, "www");
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.path, "/index.html");
  ASSERT_EQ(get.headers.size(), 1u);
  EXPECT_EQ(get.headers[0].first, "X-A");
  EXPECT_EQ(get.at.path, "small.star");
  EXPECT_GT(get.at.line, 0);
  const StepRequest& post = host.steps[1];
  EXPECT_EQ(post.interface, "admin");
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.body, R"({"all":true})");
  EXPECT_EQ(post.timeout_ms, 2000);
  const StepRequest& send = host.steps[2];
  EXPECT_EQ(send.protocol, "tcp");
  EXPECT_EQ(send.method, "SEND");
  EXPECT_EQ(send.body, "PING\r\n");
  EXPECT_EQ(type_name(r), "response");
}

TEST_F(LoadedSpec, FaultsNestAndCarryTheirRules) {
  Value result = run("test_faults");
  ASSERT_TRUE(result.is_string());
  EXPECT_EQ(str(result), "inner-result");
  EXPECT_EQ(host.max_fault_depth, 2);
  EXPECT_EQ(host.fault_depth, 0);
  ASSERT_EQ(host.faults.size(), 2u);
  const FaultSpec& outer = host.faults[0];
  EXPECT_EQ(outer.target, "db");
  EXPECT_EQ(outer.direction, "in");
  ASSERT_EQ(outer.rules.size(), 2u);
  EXPECT_EQ(outer.rules[0].first, "connect");
  EXPECT_EQ(outer.rules[1].first, "recv");
  EXPECT_EQ(outer.rules[1].second.delay_ns, 250'000'000);
  EXPECT_DOUBLE_EQ(outer.rules[1].second.probability, 0.5);
  EXPECT_TRUE(outer.rules[1].second.is_placement());
  EXPECT_FALSE(outer.rules[0].second.is_placement());
  const FaultSpec& inner = host.faults[1];
  EXPECT_EQ(inner.target, "api");
  EXPECT_EQ(inner.rules[0].second.errno_value, ENOSPC);
  EXPECT_EQ(inner.rules[0].second.times, 2);
  EXPECT_EQ(inner.rules[0].second.label, "disk full");
  // The call sites: fault() in outer() is on a later line than in the test body.
  EXPECT_EQ(inner.at.path, "small.star");
  EXPECT_GT(inner.at.line, 0);
  EXPECT_GT(inner.rules[0].second.at.line, 0);
}

TEST_F(LoadedSpec, ParallelBranchesAreActorsWithResultsInOrder) {
  Value r = run("test_parallel");
  EXPECT_EQ(repr(r), "[1, 2, 3]");
  EXPECT_EQ(host.branches, (std::vector<std::string>{"test/1", "test/2", "test/3"}));
}

TEST_F(LoadedSpec, InterfaceAddresses) {
  EXPECT_EQ(repr(run("test_addresses")), R"(["localhost:8080", "localhost", 8080, "http"])");
}

TEST_F(LoadedSpec, AssertionsFailAsTestFailures) {
  try {
    run("test_assert_fails");
    FAIL() << "assert_eq(1, 2) passed";
  } catch (const AssertionFailure& e) {
    EXPECT_EQ(e.msg(), "numbers differ: 1 != 2");
  }
}

TEST_F(LoadedSpec, OnlyTestFunctionsRun) {
  auto t = spec->new_thread("test");
  EXPECT_THROW(spec->run_test(*t, "helper"), EvalError);
  EXPECT_THROW(spec->run_test(*t, "test_nonexistent"), EvalError);
}

TEST(VocabularyErrors, ServiceDeclarations) {
  EXPECT_EQ(load_error(R"(a = service("a", "./a"))"), "");
  EXPECT_EQ(load_error("a = service(\"a\", \"./a\")\nb = service(\"a\", \"./b\")"),
            "service: duplicate service name \"a\" (first declared at spec.star:1:12)");
  EXPECT_EQ(load_error(R"(service("test", "./t"))"),
            "service: the name \"test\" is reserved (it is the test driver's actor in traces)");
  EXPECT_NE(load_error(R"(service("a/b", "./t"))").find("may not contain"), std::string::npos);
  EXPECT_EQ(load_error(R"(service("a", "./a", image="x"))"), "service a: give either a binary or image=, not both");
  EXPECT_NE(load_error(R"(service("a"))").find("needs a binary"), std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", imag="x"))").find("did you mean image?"), std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", interface("p", "http", 70000)))").find("out of range"),
            std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", interface("p", "http", 1), interface("p", "tcp", 2)))")
                .find("two interfaces named \"p\""),
            std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", interface("post", "http", 1)))").find("may not be named"),
            std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", depends_on=["b"]))").find("no service named \"b\""),
            std::string::npos);
  EXPECT_NE(load_error("service(\"a\", \"./a\", depends_on=[\"b\"])\nservice(\"b\", \"./b\", depends_on=[\"a\"])")
                .find("cycle: a -> b -> a"),
            std::string::npos);
  EXPECT_NE(load_error(R"(service("a", "./a", healthcheck=http("localhost/health")))").find("missing port"),
            std::string::npos);
}

TEST(VocabularyErrors, RulesAndFaults) {
  EXPECT_EQ(load_error(R"(deny("ECONREFUSED"))"), "deny: unknown errno \"ECONREFUSED\" (close matches: ECONNREFUSED)");
  EXPECT_NE(load_error(R"(deny("enospc"))").find("close matches: ENOSPC"), std::string::npos);
  EXPECT_NE(load_error(R"(deny("EIO", probability=1.5))").find("probability must be in (0, 1]"), std::string::npos);
  EXPECT_NE(load_error(R"(deny("EIO", times=0))").find("times: want a positive int"), std::string::npos);
  EXPECT_NE(load_error(R"(deny("EIO", on="pipe"))").find("on: want"), std::string::npos);
  // Transient triggers: positive ints, and nth= names exactly one call.
  EXPECT_EQ(load_error(R"(deny("EIO", nth=0))"), "deny: nth: want a positive int, got 0");
  EXPECT_EQ(load_error(R"(delay("1s", after=-1))"), "delay: after: want a positive int, got -1");
  EXPECT_NE(load_error(R"(deny("EIO", nth="2"))").find("nth: want a positive int, got \"2\""), std::string::npos);
  EXPECT_NE(load_error(R"(deny("EIO", nth=2, after=1))").find("nth= and after= cannot be combined"), std::string::npos);
  EXPECT_NE(load_error(R"(delay("1s", nth=2, times=1))").find("nth= and times= cannot be combined"), std::string::npos);
  EXPECT_EQ(load_error("r = deny(\"EIO\", nth=2)\n"
                       "assert_eq(repr(r), 'deny(\"EIO\", nth=2)')\n"
                       "assert_eq([r.nth, r.after], [2, None])\n"
                       "d = delay(\"1s\", after=3, times=2)\n"
                       "assert_eq(repr(d), 'delay(\"1s\", times=2, after=3)')\n"
                       "assert_eq(d.after, 3)\n"),
            "");
  EXPECT_NE(load_error(R"(delay("10"))").find("missing unit"), std::string::npos);
  EXPECT_NE(load_error(R"(delay(10))").find("want a string such as \"10s\""), std::string::npos);
  EXPECT_NE(load_error(R"(delay("10x"))").find("unknown unit"), std::string::npos);
  EXPECT_EQ(load_error(R"(r = delay("1m30s", label="slow"))"), "");

  const std::string svc = "a = service(\"a\", \"./a\")\ndef f(): pass\n";
  EXPECT_NE(load_error(svc + "fault(a, wrte=deny(\"EIO\"), run=f)").find("unknown syscall or family \"wrte\" (close matches: write"),
            std::string::npos);
  EXPECT_NE(load_error(svc + "fault(a, sendfile=deny(\"EIO\"), run=f)").find("can never fire"), std::string::npos);
  EXPECT_NE(load_error(svc + "fault(a, write=deny(\"EIO\"))").find("missing run="), std::string::npos);
  EXPECT_NE(load_error(svc + "fault(a, write=\"EIO\", run=f)").find("want a rule"), std::string::npos);
  EXPECT_NE(load_error(svc + "fault(\"a\", write=deny(\"EIO\"), run=f)").find("want a service"), std::string::npos);
  // A well-formed fault() at the top level is still refused: faults apply in tests.
  EXPECT_NE(load_error(svc + "fault(a, write=deny(\"EIO\"), run=f)").find("inside tests"), std::string::npos);
  EXPECT_NE(load_error(svc + "a.get()").find("steps run inside tests"), std::string::npos);
  EXPECT_NE(load_error(svc + "parallel(f)").find("inside tests"), std::string::npos);
}

TEST(VocabularyErrors, UnsupportedGoBuiltinsSaySo) {
  for (std::string_view name : unsupported_builtin_names())
    EXPECT_EQ(load_error(std::string(name) + "()"), "not supported: " + std::string(name)) << name;
  EXPECT_EQ(load_error("x = mock_service"), "");  // naming it is fine; using it is not
}

TEST(VocabularyErrors, MisspelledBuiltinGetsAHint) {
  EXPECT_EQ(load_error(R"(servce("a", "./a"))"), "undefined: servce (did you mean service?)");
}

TEST(VocabularyErrors, ErrorsCarryTheCallSite) {
  CheckHost host;
  try {
    Spec::load_source("spec.star", "x = 1\ny = deny(\"EBOGUS\")\n", host);
    FAIL() << "no error";
  } catch (const EvalError& e) {
    ASSERT_TRUE(e.has_backtrace());
    ASSERT_FALSE(e.backtrace().empty());
    const CallFrame& top = e.backtrace().front();
    EXPECT_EQ(top.path(), "spec.star");
    EXPECT_EQ(top.pos.line, 2);
  }
}

TEST(VocabularyPieces, Durations) {
  EXPECT_EQ(parse_duration("10s"), 10'000'000'000);
  EXPECT_EQ(parse_duration("250ms"), 250'000'000);
  EXPECT_EQ(parse_duration("1m30s"), 90'000'000'000);
  EXPECT_EQ(parse_duration("1.5h"), 5'400'000'000'000);
  EXPECT_EQ(parse_duration("300us"), 300'000);
  EXPECT_EQ(parse_duration("0"), 0);
  EXPECT_FALSE(parse_duration("10"));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_EQ(format_duration(10'000'000'000), "10s");
  EXPECT_EQ(format_duration(90'000'000'000), "1m30s");
  EXPECT_EQ(format_duration(250'000'000), "250ms");
}

TEST(VocabularyPieces, ErrnoNames) {
  EXPECT_EQ(errno_value("ECONNREFUSED"), ECONNREFUSED);
  EXPECT_EQ(errno_value("ENOSPC"), ENOSPC);
  EXPECT_EQ(errno_value("EDQUOT"), EDQUOT);
  EXPECT_FALSE(errno_value("ENOPE"));
  auto names = errno_names();
  for (size_t i = 1; i < names.size(); ++i) EXPECT_LT(std::string(names[i - 1].name), names[i].name);
}

TEST(VocabularyPieces, SyscallFamilies) {
  EXPECT_EQ(expand_rule_key("write"),
            (std::vector<std::string>{"write", "writev", "pwrite64", "pwritev", "pwritev2"}));
  EXPECT_EQ(expand_rule_key("fsync"), (std::vector<std::string>{"fsync", "fdatasync"}));
  EXPECT_EQ(expand_rule_key("sendto"), std::vector<std::string>{"sendto"});
  EXPECT_TRUE(expand_rule_key("frobnicate").empty());
  EXPECT_FALSE(unenforceable_reason("clock_gettime").empty());
  EXPECT_TRUE(unenforceable_reason("write").empty());
}

}  // namespace
}  // namespace faultbox::star

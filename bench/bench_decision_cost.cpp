// What serialization costs (issue 4, item 7), in one invocation:
//
//   1. the cost of one decision on real workloads, split into its phases
//      (engine::DecisionLoop::Timing):
//        settle      the event loop's ready work, the driver's fibers, and
//                    the quiescence wait (QuiescenceDetector::await), of
//                    which `quiescence` is the await alone;
//        decide      record the previous decision, the enabled set, the
//                    strategy's choice and the release;
//      median, 90th percentile and worst, over serialized runs assembled
//      here as `faultbox test` assembles them (cli/TestRun.cpp). Workloads:
//        race   the race fixture (race_shop + race_stock, one thread per
//               connection, blocking I/O): rounds of two parallel RESERVEs;
//        shop   the demo's shop (redis-server, shop-api, shop-search: many
//               threads, redis's cron timer): rounds of POST /cart/add.
//      Each workload also runs at other quiescence intervals than the
//      product's default (QuiescenceOptions::interval) to show what the
//      interval buys; the default itself is not changed here;
//   2. a serialized `faultbox test` against a `--free` one of the same
//      specs (examples/shop/faultbox.star, tests/e2e/race/race.star, their
//      build/ paths pointed at this build), the faultbox binary run as a
//      subprocess N times each, alternating: medians and the ratio.
//
// Printed, never asserted. Needs root (namespaces, cgroups, seccomp) and
// redis-server, like `faultbox test`. The machine is shared and noisy: the
// figures are medians, and the worst case is printed for what it is.
//
// Usage: bench_decision_cost [--source DIR] [--runs N] [--rounds N]
//   --source  the repository (default: found from this file's path)
//   --runs    faultbox invocations per spec and mode (default 5)
//   --rounds  workload rounds per in-process run (default 20)
//   --part    1 or 2: only that part (default both)
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/Cgroup.h"
#include "engine/DecisionLoop.h"
#include "engine/Driver.h"
#include "engine/DriverSteps.h"
#include "engine/EngineHost.h"
#include "engine/InterruptSignal.h"
#include "engine/Run.h"
#include "engine/SeccompProgram.h"
#include "scheduler/QuiescenceDetector.h"
#include "scheduler/Strategy.h"
#include "scheduler/ThreadCensus.h"
#include "spec/eval/Error.h"
#include "spec/eval/Render.h"
#include "spec/vocabulary/Spec.h"

namespace fs = std::filesystem;
using namespace faultbox;
using Clock = std::chrono::steady_clock;
using engine::DecisionLoop;

namespace {

const std::string kFixtureDir = FAULTBOX_FIXTURE_DIR;
const std::string kBuildDir = fs::path(kFixtureDir).parent_path().string();

struct Args {
  std::string source;
  int runs = 5;
  int rounds = 20;
  bool decisions = true;  // part 1
  bool wall = true;       // part 2
};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double us(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1000.0; }

// The q-quantile (0..1) of `v`, nearest rank; -1 for none.
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}
double median(const std::vector<double>& v) { return quantile(v, 0.5); }
double worst(const std::vector<double>& v) { return v.empty() ? -1 : *std::max_element(v.begin(), v.end()); }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// Replaces every `from` in `text`; throws unless it occurs exactly `count`
// times (a spec whose paths changed must not be benchmarked half-pointed).
std::string replace_all(std::string text, const std::string& from, const std::string& to, int count,
                        const std::string& what) {
  int n = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++n;
  }
  if (n != count)
    throw std::runtime_error(what + ": expected " + std::to_string(count) + " occurrences of " + from + ", found " +
                             std::to_string(n));
  return text;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "bench_decision_cost.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// --- 1. decisions, in process ------------------------------------------------------------

// The two workloads' specs, with this build's binaries. ROUNDS is substituted.
std::string race_spec(int rounds) {
  return "stock = service(\"stock\", \"" + kFixtureDir + "/race_stock\",\n"
         "    interface(\"main\", \"tcp\", 7001),\n"
         "    args=[\"7001\", \"1000000\"],\n"
         "    healthcheck=tcp(\"localhost:7001\"),\n"
         ")\n"
         "shop = service(\"shop\", \"" + kFixtureDir + "/race_shop\",\n"
         "    interface(\"main\", \"tcp\", 7000),\n"
         "    args=[\"7000\", \"7001\"],\n"
         "    depends_on=[stock],\n"
         "    healthcheck=tcp(\"localhost:7000\"),\n"
         ")\n"
         "def test_reservations():\n"
         "    for i in range(" + std::to_string(rounds) + "):\n"
         "        a, b = parallel(\n"
         "            lambda: shop.main.send(\"RESERVE\\n\"),\n"
         "            lambda: shop.main.send(\"RESERVE\\n\"),\n"
         "        )\n"
         "        assert_eq([a.body, b.body], [\"OK\\n\", \"OK\\n\"])\n";
}

std::string shop_spec(int rounds) {
  const std::string shop = kBuildDir + "/examples/shop";
  return "redis = service(\"redis\", \"/usr/bin/redis-server\",\n"
         "    interface(\"main\", \"redis\", 6379),\n"
         "    args=[\"--port\", \"6379\", \"--save\", \"\", \"--appendonly\", \"no\", \"--daemonize\", \"no\"],\n"
         "    healthcheck=tcp(\"localhost:6379\"),\n"
         ")\n"
         "search = service(\"search\", \"" + shop + "/shop-search\",\n"
         "    interface(\"main\", \"http\", 9200),\n"
         "    healthcheck=http(\"localhost:9200/health\"),\n"
         ")\n"
         "api = service(\"api\", \"" + shop + "/shop-api\",\n"
         "    interface(\"public\", \"http\", 8080),\n"
         "    env={\"REDIS_ADDR\": \"localhost:6379\", \"SEARCH_URL\": \"http://localhost:9200\",\n"
         "         \"ORDERS_FILE\": \"orders.log\"},\n"
         "    depends_on=[redis, search],\n"
         "    healthcheck=http(\"localhost:8080/health\"),\n"
         ")\n"
         "def test_cart():\n"
         "    for i in range(" + std::to_string(rounds) + "):\n"
         "        r = api.post(path=\"/cart/add\", body='{\"sku\": \"TSHIRT\", \"qty\": 1}')\n"
         "        assert_eq(r.status, 200, r.body)\n";
}

// What `faultbox test` holds for every run of one spec. Ctrl-C tears the
// current run down (no service outlives the bench) and ends the bench.
struct Bench {
  engine::InterruptSignal interrupt;
  engine::SeccompProgram program = engine::SeccompProgram::build_standard();
  engine::CgroupLocation cgroups = engine::locate_cgroup2();
  void check_interrupt() const {
    if (int signo = interrupt.received()) throw engine::Interrupted(signo);
  }
};

struct InProcessRun {
  bool ok = false;
  std::string error;
  double body_ms = 0;  // activate() to finish(): the serialized part (the free run's body)
  uint64_t decisions = 0;
  size_t warnings = 0;
  std::vector<DecisionLoop::Timing> timings;
};

// One run of `test`, assembled as cli/TestRun.cpp does (start-up free; the
// body serialized unless `interval` is empty).
InProcessRun run_in_process(Bench& b, star::Spec& spec, engine::EngineHost& host, const std::string& test,
                            std::optional<std::chrono::nanoseconds> interval, uint64_t seed) {
  InProcessRun out;
  const bool serialized = interval.has_value();
  engine::RunOptions opts;
  opts.spec_dir = kFixtureDir;
  opts.seed = seed;
  opts.interrupt = &b.interrupt;
  engine::Run run(spec.topology(), b.program, b.cgroups, opts);
  engine::Driver driver(run.loop(), [&b] { b.check_interrupt(); });
  scheduler::RandomStrategy strategy(seed);
  std::optional<DecisionLoop> decisions;
  struct Detach {
    engine::EngineHost& h;
    ~Detach() {
      h.set_decisions(nullptr);
      h.set_driver(nullptr);
      h.set_run(nullptr);
    }
  } detach{host};
  host.set_run(&run);
  host.set_driver(&driver);
  try {
    run.start_services();
    DecisionLoop::Options dopts;
    dopts.serialized = serialized;
    if (interval) dopts.quiescence_interval = *interval;
    decisions.emplace(run, serialized ? &strategy : nullptr, dopts);
    decisions->record_timings(&out.timings);
    host.set_decisions(&*decisions);
    decisions->set_driver_lookup([&host](uint16_t port) { return host.fiber_of_local_port(port); });
    engine::DriverSteps steps(driver);
    driver.set_gate(serialized);
    const auto start = Clock::now();
    decisions->activate(steps);
    auto body = [&] {
      auto thread = spec.new_thread(engine::Driver::kTestFiber);
      driver.bind_stack(*thread);
      spec.run_test(*thread, test);
    };
    if (serialized)
      driver.run_test(body, [&] { decisions->advance(); });
    else
      driver.run_test(body);
    decisions->finish();
    out.body_ms = ms(Clock::now() - start);
    out.ok = true;
  } catch (const star::EvalError& e) {
    out.error = star::render_eval_error(e);
  } catch (const engine::Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  if (decisions) {
    // A no-op after a normal end; after a failure it lets parked syscalls go.
    try {
      decisions->finish();
    } catch (const engine::Interrupted&) {
      throw;
    } catch (const std::exception& e) {
      if (out.error.empty()) out.error = e.what();
    }
    out.decisions = decisions->decisions();
    out.warnings = decisions->warnings().size();
  }
  return out;
}

// Where an await's time can go, on the workload's services started and
// idle (no decision loop): what one quiescence sample costs, and how long
// Run::poll(d) — the pump await() calls between samples — really blocks
// when nothing is ready. await() ≈ samples × sample + (samples − 1) × poll.
void diagnose_await(Bench& b, star::Spec& spec, const std::vector<std::chrono::nanoseconds>& intervals) {
  engine::RunOptions opts;
  opts.spec_dir = kFixtureDir;
  opts.interrupt = &b.interrupt;
  engine::Run run(spec.topology(), b.program, b.cgroups, opts);
  run.start_services();
  std::vector<scheduler::ServiceCgroup> groups;
  for (const auto& [service, dir] : run.service_cgroup_dirs()) groups.push_back({service, dir});
  scheduler::ThreadCensus census(std::move(groups));
  scheduler::QuiescenceDetector detector(census);
  // Let the healthchecks' tails settle.
  for (auto until = Clock::now() + std::chrono::milliseconds(200); Clock::now() < until;)
    run.poll(std::chrono::milliseconds(10));
  std::vector<double> sample_us;
  for (int i = 0; i < 100; ++i) {
    const auto t0 = Clock::now();
    detector.sample();
    sample_us.push_back(ms(Clock::now() - t0) * 1000);
  }
  std::printf("   idle services: %zu threads; one quiescence sample %.1f us median (worst %.1f)\n",
              census.threads().size(), median(sample_us), worst(sample_us));
  std::printf("   Run::poll(d) with nothing ready blocks (median of 50):");
  for (std::chrono::nanoseconds d : intervals) {
    std::vector<double> waited;
    for (int i = 0; i < 50; ++i) {
      const auto t0 = Clock::now();
      run.poll(d);
      waited.push_back(ms(Clock::now() - t0) * 1000);
    }
    std::printf("  %.0f us -> %.0f us;", us(d), median(waited));
  }
  std::printf("\n");
}

struct Workload {
  std::string name;
  std::string test;
  std::string source;
};

struct IntervalFigures {
  std::chrono::nanoseconds interval{0};
  bool is_default = false;
  std::vector<double> total, settle, quiescence, settle_rest, decide, samples, enabled;  // per decision (µs)
  std::vector<double> body_ms;
  uint64_t decisions = 0;
  int idle_advances = 0;
  double idle_ms = 0;
  size_t warnings = 0;
  int failed = 0;
};

void print_row(const char* what, const std::vector<double>& v, const char* unit = "us") {
  std::printf("    %-34s %10.1f %10.1f %10.1f  %s\n", what, median(v), quantile(v, 0.9), worst(v), unit);
}

void bench_decisions(Bench& b, const Args& args, const TempDir& tmp) {
  const std::chrono::nanoseconds product_default = scheduler::QuiescenceOptions{}.interval;
  std::vector<std::chrono::nanoseconds> intervals = {std::chrono::microseconds(100), std::chrono::microseconds(250),
                                                     product_default, std::chrono::microseconds(1000)};
  std::sort(intervals.begin(), intervals.end());
  intervals.erase(std::unique(intervals.begin(), intervals.end()), intervals.end());
  const int kRunsPerInterval = 3;

  std::vector<Workload> workloads = {
      {"race", "test_reservations", race_spec(args.rounds)},
      {"shop", "test_cart", shop_spec(args.rounds)},
  };
  std::printf("1. cost per decision, in process (%d rounds per run, %d runs per interval, seeds 1..%d)\n",
              args.rounds, kRunsPerInterval, kRunsPerInterval);
  std::printf("   race: rounds of two parallel RESERVEs (race_shop + race_stock)\n");
  std::printf("   shop: rounds of POST /cart/add (redis-server + shop-api + shop-search)\n");
  for (const Workload& w : workloads) {
    const std::string path = tmp.path() + "/" + w.name + ".star";
    write_file(path, w.source);
    engine::EngineHost host(tmp.path());
    std::unique_ptr<star::Spec> spec;
    try {
      spec = star::Spec::load(path, host);
    } catch (const star::EvalError& e) {
      std::printf("  %s: spec does not load: %s\n", w.name.c_str(), star::render_eval_error(e).c_str());
      continue;
    } catch (const std::exception& e) {
      std::printf("  %s: spec does not load: %s\n", w.name.c_str(), e.what());
      continue;
    }
    std::printf("\n  workload %s\n", w.name.c_str());
    try {
      diagnose_await(b, *spec, intervals);
    } catch (const engine::Interrupted&) {
      throw;
    } catch (const std::exception& e) {
      std::printf("   await diagnostic failed: %s\n", e.what());
    }
    // The free run of the same body, for scale.
    std::vector<double> free_ms;
    int free_failed = 0;
    for (int r = 0; r < kRunsPerInterval; ++r) {
      InProcessRun f = run_in_process(b, *spec, host, w.test, std::nullopt, static_cast<uint64_t>(r + 1));
      if (f.ok) free_ms.push_back(f.body_ms);
      else {
        ++free_failed;
        std::printf("  %s free run failed: %s\n", w.name.c_str(), f.error.c_str());
      }
    }
    std::vector<IntervalFigures> figures;
    for (std::chrono::nanoseconds interval : intervals) {
      IntervalFigures fig;
      fig.interval = interval;
      fig.is_default = interval == product_default;
      for (int r = 0; r < kRunsPerInterval; ++r) {
        InProcessRun s = run_in_process(b, *spec, host, w.test, interval, static_cast<uint64_t>(r + 1));
        if (!s.ok) {
          ++fig.failed;
          std::printf("  %s serialized run (interval %.0f us, seed %d) failed: %s\n", w.name.c_str(), us(interval),
                      r + 1, s.error.c_str());
          continue;
        }
        fig.body_ms.push_back(s.body_ms);
        fig.decisions += s.decisions;
        fig.warnings += s.warnings;
        for (const DecisionLoop::Timing& t : s.timings) {
          if (t.step == 0) {
            // Nothing was enabled (or the body had ended): a wait for an
            // event, not a decision.
            ++fig.idle_advances;
            fig.idle_ms += ms(t.settle + t.decide);
            continue;
          }
          fig.total.push_back(us(t.settle + t.decide));
          fig.settle.push_back(us(t.settle));
          fig.quiescence.push_back(us(t.quiescence));
          fig.settle_rest.push_back(us(t.settle - t.quiescence));
          fig.decide.push_back(us(t.decide));
          fig.samples.push_back(t.samples);
          fig.enabled.push_back(static_cast<double>(t.enabled));
        }
      }
      figures.push_back(std::move(fig));
    }

    std::printf("   free run: body %.1f ms (median of %zu%s)\n", median(free_ms),
                free_ms.size(), free_failed ? ", some free runs failed" : "");
    for (const IntervalFigures& f : figures) {
      double body_total = 0;
      for (double x : f.body_ms) body_total += x;
      std::printf("   quiescence interval %.0f us%s: %llu decisions, body %.1f ms median (%.1fx free), "
                  "%.1f decisions/s, %d idle waits (%.1f ms), %zu warnings%s\n",
                  us(f.interval), f.is_default ? " (product default)" : "",
                  static_cast<unsigned long long>(f.decisions), median(f.body_ms),
                  median(free_ms) > 0 ? median(f.body_ms) / median(free_ms) : 0.0,
                  body_total > 0 ? static_cast<double>(f.decisions) * 1000.0 / body_total : 0.0,
                  f.idle_advances, f.idle_ms, f.warnings, f.failed ? " (SOME RUNS FAILED)" : "");
      std::printf("    %-34s %10s %10s %10s\n", "per decision", "median", "p90", "worst");
      print_row("whole decision (settle + decide)", f.total);
      print_row("  settle", f.settle);
      print_row("    of which quiescence await", f.quiescence);
      print_row("    of which loop, fibers, census", f.settle_rest);
      print_row("  decide (record, enabled, release)", f.decide);
      print_row("quiescence samples per await", f.samples, "samples");
      print_row("enabled set size", f.enabled, "events");
      double share = 0;
      if (!f.total.empty()) {
        double q = 0, t = 0;
        for (size_t i = 0; i < f.total.size(); ++i) {
          q += f.quiescence[i];
          t += f.total[i];
        }
        share = t > 0 ? 100.0 * q / t : 0;
      }
      std::printf("    quiescence await: %.0f%% of all decision time\n", share);
    }
  }
}

// --- 2. faultbox test, serialized against --free ---------------------------------------

// One test's run in one invocation, from its --json report.
struct TestTiming {
  bool passed = false;
  double ms = 0;           // the run's duration_ms (service start-up and teardown included)
  uint64_t decisions = 0;  // 0 in a free run
};

struct Invocation {
  int exit_code = -1;
  double wall_ms = 0;
  std::map<std::string, TestTiming> tests;
  std::string output;  // stdout and stderr, for a run that went wrong
};

Invocation run_faultbox(const std::string& faultbox, const std::vector<std::string>& args, const std::string& cwd) {
  Invocation inv;
  const std::string out_path = cwd + "/out.txt";
  const std::string report_path = cwd + "/report.json";
  std::error_code ec;
  fs::remove(report_path, ec);
  std::vector<std::string> argv_s = {faultbox};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  argv_s.insert(argv_s.end(), {"--json", report_path});
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Failing runs write traces into ./faultbox-traces: keep them in the
    // temporary directory.
    int fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(faultbox.c_str(), argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  inv.wall_ms = ms(Clock::now() - start);
  inv.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  inv.output = read_file(out_path);
  if (fs::exists(report_path)) {
    nlohmann::json report = nlohmann::json::parse(read_file(report_path));
    for (const nlohmann::json& run : report.at("runs")) {
      TestTiming t;
      t.passed = run.at("verdict") == "pass";
      t.ms = run.at("duration_ms").get<double>();
      if (run.contains("decisions") && run.at("decisions").is_number()) t.decisions = run.at("decisions").get<uint64_t>();
      inv.tests[run.at("test").get<std::string>()] = t;
    }
  }
  return inv;
}

void bench_wall_time(const Bench& b, const Args& args, const TempDir& tmp) {
  const std::string faultbox = kBuildDir + "/faultbox";
  if (::access(faultbox.c_str(), X_OK) != 0) throw std::runtime_error("no faultbox binary at " + faultbox);
  struct SpecCase {
    std::string name;
    std::string path;
  };
  std::vector<SpecCase> specs;
  {
    std::string shop = read_file(args.source + "/examples/shop/faultbox.star");
    shop = replace_all(shop, "\"../../build/examples/shop/", "\"" + kBuildDir + "/examples/shop/", 2, "faultbox.star");
    write_file(tmp.path() + "/shop_faultbox.star", shop);
    specs.push_back({"examples/shop/faultbox.star", tmp.path() + "/shop_faultbox.star"});
    std::string race = read_file(args.source + "/tests/e2e/race/race.star");
    race = replace_all(race, "\"../../../build/fixtures/", "\"" + kFixtureDir + "/", 2, "race.star");
    write_file(tmp.path() + "/race.star", race);
    specs.push_back({"tests/e2e/race/race.star", tmp.path() + "/race.star"});
  }
  std::printf("\n2. faultbox test, serialized (default, seeds 1..%d) against --free: %d invocations each, "
              "alternating; medians\n",
              args.runs, args.runs);
  std::printf("   wall: the whole process (spec load, each test's service start-up, body and teardown)\n");
  std::printf("   per test: the run's duration_ms from --json (start-up and teardown included); extra per\n");
  std::printf("   decision = (serialized - free) / decisions\n");
  std::printf("   %-44s %10s %10s %7s %10s %12s\n", "spec / test", "serialized", "free", "ratio", "decisions",
              "extra/dec.");
  for (const SpecCase& s : specs) {
    std::vector<double> sw, fw;
    std::map<std::string, std::vector<double>> serial_ms, free_ms, decisions;
    std::map<std::string, int> serial_fails, free_fails;
    int odd_exits = 0;
    std::string odd_output;
    // One warm-up of each, not counted (page cache, the first cgroup).
    run_faultbox(faultbox, {"test", s.path}, tmp.path());
    run_faultbox(faultbox, {"test", s.path, "--free"}, tmp.path());
    for (int i = 0; i < args.runs; ++i) {
      b.check_interrupt();
      const std::string seed = std::to_string(i + 1);
      for (bool free : {false, true}) {
        std::vector<std::string> a = {"test", s.path, "--seed", seed};
        if (free) a.push_back("--free");
        Invocation inv = run_faultbox(faultbox, a, tmp.path());
        // 0: all passed; 1: a test failed (race.star's race may show in a
        // schedule); anything else is not a run to time.
        if ((inv.exit_code != 0 && inv.exit_code != 1) || inv.tests.empty()) {
          ++odd_exits;
          odd_output = inv.output;
          continue;
        }
        (free ? fw : sw).push_back(inv.wall_ms);
        for (const auto& [test, t] : inv.tests) {
          if (!t.passed) ++(free ? free_fails : serial_fails)[test];
          (free ? free_ms : serial_ms)[test].push_back(t.ms);
          if (!free) decisions[test].push_back(static_cast<double>(t.decisions));
        }
      }
    }
    std::printf("   %-44s %7.0f ms %7.0f ms %6.2fx\n", s.name.c_str(), median(sw), median(fw),
                median(fw) > 0 ? median(sw) / median(fw) : 0.0);
    for (const auto& [test, times] : serial_ms) {
      const double sm = median(times), fm = median(free_ms[test]), d = median(decisions[test]);
      std::printf("     %-42s %7.0f ms %7.0f ms %6.2fx %10.0f %9.2f ms\n", test.c_str(), sm, fm, fm > 0 ? sm / fm : 0.0,
                  d, d > 0 ? (sm - fm) / d : 0.0);
    }
    std::printf("     wall per invocation, serialized:");
    for (double x : sw) std::printf(" %.0f", x);
    std::printf(" ms; free:");
    for (double x : fw) std::printf(" %.0f", x);
    std::printf(" ms\n");
    for (const auto& [test, n] : serial_fails)
      std::printf("     serialized: %s failed in %d of %zu runs\n", test.c_str(), n, serial_ms[test].size());
    for (const auto& [test, n] : free_fails)
      std::printf("     free: %s failed in %d of %zu runs\n", test.c_str(), n, free_ms[test].size());
    if (odd_exits)
      std::printf("     %d invocations exited neither 0 nor 1, or wrote no report (not timed); last output:\n%s\n",
                  odd_exits, odd_output.c_str());
  }
}

Args parse_args(int argc, char** argv) {
  Args a;
  a.source = fs::path(__FILE__).parent_path().parent_path().string();
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(k + " needs a value");
      return argv[++i];
    };
    if (k == "--source") a.source = value();
    else if (k == "--runs") a.runs = std::max(1, std::atoi(value().c_str()));
    else if (k == "--rounds") a.rounds = std::max(1, std::atoi(value().c_str()));
    else if (k == "--part") {
      std::string v = value();
      if (v != "1" && v != "2") throw std::runtime_error("--part takes 1 or 2");
      a.decisions = v == "1";
      a.wall = v == "2";
    } else
      throw std::runtime_error("unknown argument " + k + " (usage: [--source DIR] [--runs N] [--rounds N] [--part 1|2])");
  }
  if (!fs::exists(a.source + "/examples/shop/faultbox.star"))
    throw std::runtime_error("no repository at " + a.source + " (pass --source DIR)");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args args = parse_args(argc, argv);
    TempDir tmp;
    std::printf("bench_decision_cost: what a serialized run costs (DESIGN.md §4; issue 4, item 7)\n");
    std::printf("quiescence: product default interval %.0f us between samples (scheduler/QuiescenceDetector.h)\n\n",
                us(scheduler::QuiescenceOptions{}.interval));
    Bench b;
    if (args.decisions) bench_decisions(b, args, tmp);
    if (args.wall) bench_wall_time(b, args, tmp);
  } catch (const engine::Interrupted& e) {
    std::fprintf(stderr, "bench_decision_cost: interrupted\n");
    return 128 + e.signal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_decision_cost: %s\n", e.what());
    return 1;
  }
  return 0;
}

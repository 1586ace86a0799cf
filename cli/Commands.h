// The commands faultbox can run today. Each returns its exit code
// (ExitCodes.h) and writes its own output.
#pragma once

#include <cstdint>
#include <string>

namespace faultbox::cli {

// faultbox starlark FILE
int run_starlark(const std::string& file);

// faultbox check SPEC
int run_check(const std::string& spec);

// faultbox test SPEC [--test GLOB] [--runs N] [--seed S] [--network host] [--junit FILE] [--json FILE] [-v]
struct TestOptions {
  std::string spec;
  std::string test_glob;  // "" = every test
  int runs = 1;
  uint64_t seed = 1;
  bool verbose = false;
  bool network_host = false;  // --network host: no per-run namespace
  std::string junit;  // --junit FILE; "" = none
  std::string json;   // --json FILE; "" = none
  bool free = false;  // --free: no serialization, traces not replayable
  std::string trace_dir;  // --trace-dir DIR: every run's trace; "" = failing runs' into faultbox-traces/
};
int run_test(const TestOptions& options);

struct ExploreOptions {
  std::string spec;
  std::string test_glob;  // "" = every test
  int runs = 100;         // the budget of runs per test
  uint64_t seed = 1;      // random and pct: seeds S, S+1, …
  std::string strategy = "dpor";  // dpor | pct | random | permutations
  int max_faults = 1;     // fault placements per run (rules with times=/probability=)
  int pct_depth = 3;
  // --dpor-order: dpor's branch order, fewest-preemptions | depth-first |
  // random (drawn from --seed); dpor only.
  std::string dpor_order = "fewest-preemptions";
  int shard_index = 0, shard_count = 1;  // --shard I/N (I in 1..N on the command line)
  std::string trace_dir;  // every run's trace; "" = failing runs' into faultbox-traces/
  std::string json;
  std::string junit;
  bool verbose = false;
  bool network_host = false;
};
int run_explore(const ExploreOptions& options);

// faultbox replay TRACE [--reverse A:B [--trace-dir DIR]] [--rr SERVICE] [-v]
struct ReplayOptions {
  std::string trace;
  std::string rr_service;  // --rr SERVICE (experimental)
  // --reverse A:B: decision B before decision A (steps of the trace), as
  // given; checked against the trace by run_replay. "" = a plain replay.
  std::string reverse;
  std::string trace_dir;  // the reversed run's trace; "" = faultbox-traces/
  bool verbose = false;
};
int run_replay(const ReplayOptions& options);

}  // namespace faultbox::cli

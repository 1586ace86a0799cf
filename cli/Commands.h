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

// faultbox replay TRACE [--rr SERVICE] [-v]
struct ReplayOptions {
  std::string trace;
  std::string rr_service;  // --rr SERVICE (experimental)
  bool verbose = false;
};
int run_replay(const ReplayOptions& options);

}  // namespace faultbox::cli

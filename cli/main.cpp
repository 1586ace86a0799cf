// faultbox: the command-line entry point. Wiring only: the command table
// (CommandTable.h) documents every command and flag, CLI11 parses each
// command's arguments, and the commands live in their own files.
#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/CommandTable.h"
#include "cli/Commands.h"
#include "cli/ExitCodes.h"
#include "cli/ReportCommand.h"

using namespace faultbox::cli;

namespace {

int usage_error(const std::string& msg) {
  std::cerr << "faultbox: " << msg << "\n";
  return kExitUsage;
}

// One command's parser: help is ours (`faultbox help CMD`), so -h/--help
// only asks for it; the options are added by `add`.
int parse_command(const CommandDoc& cmd, const std::vector<std::string>& args,
                  const std::function<void(CLI::App&)>& add) {
  CLI::App app{std::string(cmd.summary), "faultbox " + std::string(cmd.name)};
  app.set_help_flag();
  bool help = false;
  app.add_flag("-h,--help", help);
  add(app);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 consumes from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (!help)
      return usage_error(std::string(cmd.name) + ": " + e.what() + " (usage: " + std::string(cmd.usage) + ")");
  }
  if (help) {
    std::cout << command_help(cmd);
    return -1;
  }
  return kExitOk;
}

// Exactly one positional operand.
int parse_operand(const CommandDoc& cmd, const std::vector<std::string>& args, const char* operand_name,
                  std::string& operand) {
  return parse_command(cmd, args, [&](CLI::App& app) { app.add_option(operand_name, operand)->required(); });
}

// faultbox test SPEC [--test GLOB] [--runs N] [--seed S] [--free] [--trace-dir DIR] [--network host]
//                    [--junit FILE] [--json FILE] [-v]
int parse_test(const CommandDoc& cmd, const std::vector<std::string>& args, TestOptions& options) {
  // A value rather than a flag: "host" is the only mode faultbox has beside
  // its default per-run namespace, and the spelling matches docker's.
  std::string network;
  int rc = parse_command(cmd, args, [&](CLI::App& app) {
    app.add_option("SPEC", options.spec)->required();
    app.add_option("--test", options.test_glob);
    app.add_option("--runs", options.runs)->check(CLI::Range(1, 1000000));
    app.add_option("--seed", options.seed);
    app.add_flag("-v,--verbose", options.verbose);
    app.add_option("--network", network)->check(CLI::IsMember({"host"}));
    app.add_option("--junit", options.junit);
    app.add_option("--json", options.json);
    app.add_flag("--free", options.free);
    app.add_option("--trace-dir", options.trace_dir);
  });
  options.network_host = network == "host";
  return rc;
}

// faultbox explore SPEC [--test GLOB] [--runs N] [--seed S] [--strategy NAME] [--max-faults K]
//                       [--pct-depth D] [--dpor-order ORDER] [--shard I/N] [--trace-dir DIR]
//                       [--json FILE] [--junit FILE] [--network host] [-v]
int parse_explore(const CommandDoc& cmd, const std::vector<std::string>& args, ExploreOptions& options) {
  // "" = not given: the parser is gone after parse_command, so whether the
  // flag was given is read from the value.
  std::string network, shard, dpor_order;
  int rc = parse_command(cmd, args, [&](CLI::App& app) {
    app.add_option("SPEC", options.spec)->required();
    app.add_option("--test", options.test_glob);
    app.add_option("--runs", options.runs)->check(CLI::Range(1, 100000000));
    app.add_option("--seed", options.seed);
    app.add_option("--strategy", options.strategy)->check(CLI::IsMember({"dpor", "pct", "random", "permutations"}));
    app.add_option("--max-faults", options.max_faults)->check(CLI::Range(0, 1000));
    app.add_option("--pct-depth", options.pct_depth)->check(CLI::Range(1, 1000));
    app.add_option("--dpor-order", dpor_order)->check(CLI::IsMember({"fewest-preemptions", "depth-first", "random"}));
    app.add_option("--shard", shard);
    app.add_option("--trace-dir", options.trace_dir);
    app.add_option("--json", options.json);
    app.add_option("--junit", options.junit);
    app.add_option("--network", network)->check(CLI::IsMember({"host"}));
    app.add_flag("-v,--verbose", options.verbose);
  });
  if (rc != kExitOk) return rc;
  options.network_host = network == "host";
  // Only dpor has a tree to order; under another strategy the flag would
  // be silently ignored.
  if (!dpor_order.empty()) {
    if (options.strategy != "dpor")
      return usage_error("explore: --dpor-order goes with --strategy dpor (the strategy is " + options.strategy + ")");
    options.dpor_order = dpor_order;
  }
  if (!shard.empty()) {
    // I/N with 1 <= I <= N: what a CI matrix or an Indexed Job's index + 1 gives.
    int i = 0, n = 0;
    char slash = 0;
    std::istringstream in(shard);
    if (!(in >> i >> slash >> n) || slash != '/' || !in.eof() || n < 1 || i < 1 || i > n)
      return usage_error("explore: --shard wants I/N with 1 <= I <= N, got \"" + shard + "\"");
    options.shard_index = i - 1;
    options.shard_count = n;
  }
  return kExitOk;
}

// faultbox replay TRACE [--reverse A:B [--trace-dir DIR]] [--rr SERVICE] [-v]
int parse_replay(const CommandDoc& cmd, const std::vector<std::string>& args, ReplayOptions& options) {
  int rc = parse_command(cmd, args, [&](CLI::App& app) {
    app.add_option("TRACE", options.trace)->required();
    app.add_option("--reverse", options.reverse);
    app.add_option("--trace-dir", options.trace_dir);
    app.add_option("--rr", options.rr_service);
    app.add_flag("-v,--verbose", options.verbose);
  });
  if (rc != kExitOk) return rc;
  // A:B is checked against the trace's decisions by the command; an empty
  // value would read as "no reversal".
  for (const std::string& a : args)
    if (a == "--reverse=" || (a.rfind("--reverse", 0) == 0 && options.reverse.empty()))
      return usage_error("replay: --reverse wants A:B, two decision steps of the trace");
  if (!options.trace_dir.empty() && options.reverse.empty())
    return usage_error("replay: --trace-dir goes with --reverse (a plain replay writes no trace)");
  return kExitOk;
}

// faultbox report RESULTS.json... [--json FILE] [--junit FILE]
int parse_report(const CommandDoc& cmd, const std::vector<std::string>& args, ReportOptions& options) {
  return parse_command(cmd, args, [&](CLI::App& app) {
    app.add_option("RESULTS", options.inputs)->required();
    app.add_option("--json", options.json);
    app.add_option("--junit", options.junit);
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << general_help();
    return kExitUsage;
  }
  const std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());

  if (command == "--help" || command == "-h") {
    std::cout << general_help();
    return kExitOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "faultbox " << kVersion << "\n";
    return kExitOk;
  }
  if (command == "help") {
    if (rest.empty()) {
      std::cout << general_help();
      return kExitOk;
    }
    const CommandDoc* cmd = find_command(rest[0]);
    if (!cmd) return usage_error("unknown command \"" + rest[0] + "\"; see 'faultbox help'");
    std::cout << command_help(*cmd);
    return kExitOk;
  }

  const CommandDoc* cmd = find_command(command);
  if (!cmd) {
    if (!command.empty() && command[0] == '-') return usage_error("unknown flag " + command + "; see 'faultbox help'");
    return usage_error("unknown command \"" + command + "\"; see 'faultbox help'");
  }
  if (!cmd->available)
    return usage_error(std::string(cmd->name) + " is not yet available in this version; see 'faultbox help'");

  std::string operand;
  if (cmd->name == "starlark") {
    int rc = parse_operand(*cmd, rest, "FILE", operand);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_starlark(operand);
  }
  if (cmd->name == "check") {
    int rc = parse_operand(*cmd, rest, "SPEC", operand);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_check(operand);
  }
  if (cmd->name == "test") {
    TestOptions options;
    int rc = parse_test(*cmd, rest, options);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_test(options);
  }
  if (cmd->name == "explore") {
    ExploreOptions options;
    int rc = parse_explore(*cmd, rest, options);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_explore(options);
  }
  if (cmd->name == "replay") {
    ReplayOptions options;
    int rc = parse_replay(*cmd, rest, options);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_replay(options);
  }
  if (cmd->name == "report") {
    ReportOptions options;
    int rc = parse_report(*cmd, rest, options);
    if (rc != kExitOk) return rc < 0 ? kExitOk : rc;
    return run_report(options);
  }
  return usage_error("command " + std::string(cmd->name) + " has no implementation");
}

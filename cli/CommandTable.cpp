#include "cli/CommandTable.h"

#include <algorithm>

namespace faultbox::cli {

namespace {

constexpr CommandDoc kCommands[] = {
    {"check", "faultbox check SPEC", "validate a spec; print its services and tests",
     "Loads SPEC with the Faultbox vocabulary, evaluates its top level and validates it\n"
     "(names, errno names, durations, depends_on). Prints the topology (services with\n"
     "binary or image, interfaces, healthchecks, depends_on) and the tests it found\n"
     "(top-level functions named test_*, with the first line of their docstring).\n"
     "Runs nothing. Exit 0 when the spec is valid, 2 on any error (printed as\n"
     "file:line:col, the source line, a caret and a backtrace).",
     true},
    {"starlark", "faultbox starlark FILE", "run a plain Starlark file",
     "Runs FILE as a Starlark program, like an interpreter: print() goes to stdout.\n"
     "The dialect is the full language with every option on (set, while, recursion,\n"
     "top-level if/for/while, global reassignment); json, math and struct are predeclared;\n"
     "load(\"x.star\", ...) reads files relative to the loading file. An error prints\n"
     "file:line:col, the source line, a caret and a backtrace to stderr; exit 1.",
     true},
    {"test", "faultbox test SPEC", "run a spec's tests (seeded random schedules)",
     "Runs every test of SPEC against the real services, serialized with a seeded\n"
     "random strategy, one replayable trace per run.",
     false},
    {"explore", "faultbox explore SPEC", "systematically explore interleavings and fault placements",
     "Enumerates schedules and fault placements (optimal DPOR by default).", false},
    {"replay", "faultbox replay TRACE", "replay a recorded trace exactly",
     "Enforces the decisions of TRACE in order and stops at the first divergence.", false},
    {"report", "faultbox report RESULTS...", "offline HTML report of results",
     "Merges result files into an HTML report of failure-mode coverage per service.", false},
    {"help", "faultbox help [COMMAND]", "describe faultbox or one command", "", true},
};

constexpr FlagDoc kFlags[] = {
    {"", "--help, -h", "describe faultbox (also: faultbox help [COMMAND])", true},
    {"", "--version", "print the version", true},
    {"test", "--runs N", "number of runs, seeds S..S+N-1", false},
    {"test", "--seed S", "first seed (printed with every run)", false},
    {"test", "--free", "run without serialization (faster; not replayable)", false},
    {"test", "--network host", "no network namespace; delays freeze the syscall", false},
    {"test", "--junit FILE", "write JUnit XML", false},
    {"test", "--json FILE", "write per-run results (seed, verdict, fault hits, class, trace)", false},
    {"explore", "--runs N", "budget of runs", false},
    {"explore", "--strategy NAME", "dpor (default), pct, random or permutations", false},
    {"explore", "--max-faults K", "at most K fault placements per run", false},
    {"explore", "--shard I/N", "explore shard I of N", false},
    {"replay", "--rr SERVICE", "record SERVICE under rr while replaying (experimental)", false},
    {"report", "-o FILE", "where to write the HTML report", false},
};

std::string pad(std::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string flag_table(std::string_view only_command) {
  size_t width = 0;
  for (const FlagDoc& f : kFlags) width = std::max(width, f.flag.size());
  std::string out;
  for (const FlagDoc& f : kFlags) {
    if (!only_command.empty() && f.command != only_command && !f.command.empty()) continue;
    std::string scope = f.command.empty() ? "(all)" : std::string(f.command);
    out += "  " + pad(scope, 9) + pad(f.flag, width + 2) + std::string(f.what);
    if (!f.available) out += "  [not yet available]";
    out += "\n";
  }
  return out;
}

}  // namespace

std::span<const CommandDoc> commands() { return kCommands; }
std::span<const FlagDoc> flags() { return kFlags; }

const CommandDoc* find_command(std::string_view name) {
  for (const CommandDoc& c : kCommands)
    if (c.name == name) return &c;
  return nullptr;
}

std::string general_help() {
  std::string out =
      "faultbox " + std::string(kVersion) +
      ": fault injection for real services, specs in Starlark\n\n"
      "usage: faultbox COMMAND [ARGS]\n\ncommands:\n";
  for (const CommandDoc& c : kCommands) {
    out += "  " + pad(c.name, 10) + std::string(c.summary);
    if (!c.available) out += "  [not yet available]";
    out += "\n";
  }
  out += "\nflags:\n" + flag_table("");
  out +=
      "\nexit codes: 0 all passed; 1 a test failed (starlark: any Starlark error);\n"
      "2 usage or spec error; 3 environment error; 4 replay divergence.\n"
      "\n'faultbox help COMMAND' describes one command.\n";
  return out;
}

std::string command_help(const CommandDoc& cmd) {
  std::string out = "usage: " + std::string(cmd.usage) + "\n\n" + std::string(cmd.summary) + ".";
  if (!cmd.available) out += " [not yet available]";
  out += "\n";
  if (!cmd.details.empty()) out += "\n" + std::string(cmd.details) + "\n";
  std::string table = flag_table(cmd.name);
  out += "\nflags:\n" + table;
  return out;
}

}  // namespace faultbox::cli

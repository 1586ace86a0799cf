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
    {"test", "faultbox test SPEC [--test GLOB] [--runs N] [--seed S] [--free] [--trace-dir DIR] [--network host] [--junit FILE] [--json FILE] [-v]", "run a spec's tests against the real services",
     "Runs every test_* of SPEC (or those matching --test GLOB) against the real\n"
     "services, binary mode: each test gets a fresh run (its own network namespace,\n"
     "a cgroup per service, services started in depends_on order once each one's\n"
     "healthcheck passed, every syscall of the faultable vocabulary supervised).\n"
     "binary= and cwd= are relative to the spec's folder; a service without cwd=\n"
     "runs in a fresh directory of the run. Prints --- PASS/FAIL: NAME (ms), the\n"
     "failing assertion (file:line:col and message), each fault rule's hits (or\n"
     "'never fired') and the seed, then 'N passed, N failed'; --junit and --json\n"
     "write the same results as JUnit XML and JSON. The kernel features it needs\n"
     "are probed first: each missing one is one line, exit 3. Exit 0 all passed,\n"
     "1 a test failed (a failed healthcheck included), 2 spec error, 3 environment\n"
     "error (missing binary, kernel feature, no Docker daemon, missing image);\n"
     "SIGINT/SIGTERM tear the run down\n"
     "and exit 128+signal. --network host runs the services in faultbox's own\n"
     "network namespace: connect delays then freeze the syscall instead of holding\n"
     "the SYN, and a declared port already taken on the host is exit 3.\n"
     "Runs are serialized by default (DESIGN.md §4): from the start of the test body\n"
     "every syscall that moves data between services or touches files waits in its\n"
     "notification, and a seeded random strategy picks which enabled event goes\n"
     "next, once the services are quiescent; the seed is printed. Every failing\n"
     "run's ShiViz trace is written into faultbox-traces/ (or --trace-dir DIR, which\n"
     "keeps every run's) and its path printed; `faultbox replay TRACE` runs it again\n"
     "exactly. --free runs without serialization (faster; not replayable).\n"
     "parallel(f, g, ...) runs its branches as fibers; which goes next is a decision.\n"
     "image= services run as Docker containers (container mode: the daemon\n"
     "DOCKER_HOST names, images present locally, never pulled; faultbox-shim from\n"
     "beside faultbox puts each under the filter). A spec is all image= or all\n"
     "binary=.",
     true},
    {"explore", "faultbox explore SPEC [--test GLOB] [--runs N] [--seed S] [--strategy dpor|pct|random|permutations] [--max-faults K] [--pct-depth D] [--dpor-order fewest-preemptions|depth-first|random] [--shard I/N] [--trace-dir DIR] [--json FILE] [--junit FILE] [-v]",
     "systematically explore interleavings and fault placements",
     "Runs each test (or those matching --test GLOB) many times, serialized as\n"
     "`faultbox test` runs are, choosing the runs systematically: --strategy dpor\n"
     "(the default) is optimal dynamic partial-order reduction (source sets and\n"
     "wakeup trees): one run per Mazurkiewicz class of the test's interleavings,\n"
     "where two events are dependent when they belong to one service or touch one\n"
     "resource (a file, a connection, a listening socket). A fault rule with times=\n"
     "or probability= is a placement rule: each event it could hit is tried allowed\n"
     "and faulted, up to --max-faults faults per run (default 1); other rules apply\n"
     "as written. --dpor-order picks dpor's next pending branch: fewest-preemptions\n"
     "(the default: a bug behind one early preemption comes first), depth-first\n"
     "(the smallest tree in memory) or random (drawn from --seed); every order runs\n"
     "the same classes, each once. -v adds the tree's peak in memory to the summary,\n"
     "--json always has it (peak_live_nodes). --runs N is the budget per test\n"
     "(default 100). pct (depth --pct-depth, default 3) and random sample seeds\n"
     "S, S+1, ...; permutations releases the first batch of held syscalls in each\n"
     "of its n! orders (the public Go tool's mode, as a baseline). Prints a\n"
     "progress line, every new failing class at once with its trace, and per test\n"
     "a summary: 'complete: N runs = C classes without faults + P placements' when\n"
     "the space was exhausted, or how many known alternatives remain. Each class\n"
     "has a canonical id (the JSON lists them); --shard I/N explores a\n"
     "deterministic part of the tree (shards may overlap; the union of their class\n"
     "ids is an unsharded run's). Traces of failing runs go to faultbox-traces/ (or\n"
     "--trace-dir DIR, which keeps every run's) and replay with `faultbox replay`.\n"
     "Exit 0 when no run failed, 1 when one did, 2 spec or usage error (also\n"
     "--dpor-order with another strategy), 3 environment error.",
     true},
    {"replay", "faultbox replay TRACE [--reverse A:B [--trace-dir DIR]] [--rr SERVICE] [-v]",
     "replay a recorded trace exactly, or with two decisions reversed",
     "Runs the trace's test again (the spec named in TRACE, found in the current\n"
     "directory or beside the trace, with the same binaries: a changed sha256 is a\n"
     "warning) and enforces the recorded decisions in order: each expected event must\n"
     "be enabled when its turn comes, and must end as recorded. Prints 'replayed N/N\n"
     "decisions' and the verdict, which must match the recorded one. At the first\n"
     "mismatch it stops and prints the expected event and the enabled ones: exit 4,\n"
     "never a silently different run. Exit 0 when the replayed run passed as\n"
     "recorded, 1 when it failed as recorded, 2 for a malformed trace or a --free\n"
     "trace, 3 environment error, 4 divergence.\n\n"
     "--reverse A:B runs the test again with recorded decision B (step=B in the\n"
     "trace) before decision A (1 <= A < B <= the trace's decisions), changing as\n"
     "little else as possible: Z3 finds the prefix with the fewest preemptions that\n"
     "realizes it ('reversal: ... P preemptions (proven minimal|greedy)'), the run\n"
     "follows that prefix and continues freely, and B's event must then come before\n"
     "A's ('realized: ...'). An order no run can have (B consumed A's message, B\n"
     "comes after A in its own thread, or a chain of such orders) prints\n"
     "'infeasible: ' and the cycle, each decision as step=N and its event: exit 2,\n"
     "nothing runs. The new run's trace goes to faultbox-traces/ (or --trace-dir\n"
     "DIR) as TEST-reversed-A-B.log and replays like any other. Exit 0 when the\n"
     "reversed run passed, 1 when it failed, 2 usage error or infeasible order, 3\n"
     "environment error, 4 when the run left the prefix or the order was not\n"
     "realized.",
     true},
    {"report", "faultbox report RESULTS.json... [--json FILE] [--junit FILE]",
     "merge the JSON of explore's shards into one summary",
     "Reads the files `faultbox explore --shard I/N --json FILE` wrote (one per CI\n"
     "job, any order; nothing runs, no root needed) and prints one summary in\n"
     "explore's form. The files must come from one exploration: the same spec,\n"
     "strategy, seed, max_faults and shard count N (else exit 2 naming the two files\n"
     "and the field). Per test: the union of the shards' class ids is the class\n"
     "count (shards may overlap), runs are summed and a class run by two shards counts\n"
     "as a repeated run; 'complete' only when every shard 1..N is there and each\n"
     "said complete, else 'incomplete: shards 3/4 missing' or 'budget spent' with\n"
     "the known alternatives left. A missing or duplicated shard is a warning line.\n"
     "Failing classes are listed once each, with every shard and run that hit them\n"
     "and every trace they wrote (paths as each shard wrote them). --json writes the\n"
     "merge in explore's schema (shard \"merged K/N\"), --junit a testcase per\n"
     "failing class. Exit 0 no failing class, 1 a failing class, 2 an input that\n"
     "cannot be read, is not JSON (FILE:line:col) or not explore's, 3 an output file\n"
     "that cannot be written.",
     true},
    {"help", "faultbox help [COMMAND]", "describe faultbox or one command", "", true},
};

constexpr FlagDoc kFlags[] = {
    {"", "--help, -h", "describe faultbox (also: faultbox help [COMMAND])", true},
    {"", "--version", "print the version", true},
    {"test", "--test GLOB", "only the tests whose name matches GLOB (fnmatch)", true},
    {"test", "--runs N", "runs per test, seeds S..S+N-1 (they drive schedules and probability=)", true},
    {"test", "--seed S", "first seed (default 1; printed with every failing run)", true},
    {"test", "-v", "kernel features; per run: its directory, decisions, notifications, log tails", true},
    {"test", "--free", "run without serialization (faster; its trace is not replayable)", true},
    {"test", "--trace-dir DIR", "write every run's trace into DIR (default: failing runs' into faultbox-traces/)", true},
    {"test", "--network host", "no network namespace; connect delays freeze the syscall", true},
    {"test", "--junit FILE", "write JUnit XML (a testcase per run; failure file:line; fault hits)", true},
    {"test", "--json FILE", "write per-run results (seed, verdict, duration, failure, fault hits)", true},
    {"explore", "--test GLOB", "only the tests whose name matches GLOB (fnmatch)", true},
    {"explore", "--runs N", "budget of runs per test (default 100)", true},
    {"explore", "--seed S", "first seed of random and pct (default 1)", true},
    {"explore", "--strategy NAME", "dpor (default), pct, random or permutations", true},
    {"explore", "--max-faults K", "at most K fault placements per run (default 1)", true},
    {"explore", "--pct-depth D", "pct's bug depth d (default 3: d-1 priority change points)", true},
    {"explore", "--dpor-order ORDER", "dpor's branch order: fewest-preemptions (default), depth-first or random (--seed)", true},
    {"explore", "--shard I/N", "explore shard I of N (deterministic; union over shards = whole)", true},
    {"explore", "--trace-dir DIR", "write every run's trace into DIR (default: failing runs' into faultbox-traces/)", true},
    {"explore", "--json FILE", "write the exploration: class ids, counts, failing classes and traces", true},
    {"explore", "--junit FILE", "write JUnit XML (a testcase per failing run, or one passing per test)", true},
    {"explore", "--network host", "no network namespace (as for test)", true},
    {"explore", "-v", "a line per run: its class, decisions, verdict", true},
    {"replay", "--reverse A:B", "run with recorded decision B before decision A (fewest preemptions, Z3); writes the new trace", true},
    {"replay", "--trace-dir DIR", "with --reverse: where the reversed run's trace goes (default faultbox-traces/)", true},
    {"replay", "--rr SERVICE", "record SERVICE under rr while replaying (experimental; not yet wired)", true},
    {"replay", "-v", "per run: its directory, decisions, notifications, log tails", true},
    {"report", "--json FILE", "write the merge in explore's schema (shard \"merged K/N\"; every trace)", true},
    {"report", "--junit FILE", "write JUnit XML (a testcase per failing class, or one passing per test)", true},
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

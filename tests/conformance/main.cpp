// starlark_conformance: runs starlark-go's own test files, unmodified, from a
// testdata root, and reports per file and per chunk.
//
//   starlark_conformance [ROOT] [--expected-failures FILE] [--min-pass-rate R]
//                        [--only SUBSTR]... [--no-fork] [--timeout SECONDS]
//                        [--max-steps N] [--verbose]
//
// Each file runs in a child process, so a crash or a hang in one file is
// reported against that file (its remaining chunks count as failed) and the
// suite goes on. Exit status: 0 when the pass rate over chunks is at least
// --min-pass-rate and every failing chunk is in the expected-failures list;
// 1 otherwise; 2 for usage errors.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/conformance/ExpectedFailures.h"
#include "tests/conformance/Runner.h"
#include "tests/conformance/Suite.h"

using namespace faultbox::star::conformance;

namespace {

constexpr const char* kDefaultRoot = "/usr/share/gocode/src/go.starlark.net";

struct Options {
  std::string root = kDefaultRoot;
  std::string expected_failures;
  double min_pass_rate = 0.98;
  std::vector<std::string> only;
  bool fork = true;
  unsigned timeout_seconds = 300;
  RunLimits limits;
  bool verbose = false;
};

[[noreturn]] void usage(const std::string& error) {
  if (!error.empty()) std::cerr << "starlark_conformance: " << error << "\n";
  std::cerr << "usage: starlark_conformance [ROOT] [--expected-failures FILE] [--min-pass-rate R]\n"
               "                            [--only SUBSTR]... [--no-fork] [--timeout SECONDS]\n"
               "                            [--max-steps N] [--verbose]\n"
               "ROOT is a starlark-go source tree (default "
            << kDefaultRoot << ").\n";
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  bool root_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--expected-failures") {
        o.expected_failures = value();
      } else if (a == "--min-pass-rate") {
        o.min_pass_rate = std::stod(value());
        if (o.min_pass_rate < 0 || o.min_pass_rate > 1) usage("--min-pass-rate must be between 0 and 1");
      } else if (a == "--only") {
        o.only.push_back(value());
      } else if (a == "--no-fork") {
        o.fork = false;
      } else if (a == "--timeout") {
        o.timeout_seconds = static_cast<unsigned>(std::stoul(value()));
      } else if (a == "--max-steps") {
        o.limits.max_steps = std::stoull(value());
      } else if (a == "--verbose" || a == "-v") {
        o.verbose = true;
      } else if (a == "--help" || a == "-h") {
        usage("");
      } else if (!a.empty() && a[0] == '-') {
        usage("unknown flag " + a);
      } else if (!root_set) {
        o.root = a;
        root_set = true;
      } else {
        usage("more than one ROOT given");
      }
    } catch (const std::logic_error&) {
      usage("bad value for " + a);
    }
  }
  return o;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// --- child -> parent protocol: one record per chunk ---------------------------
//   C <first_line> <passed 0|1> <number of reasons>\n  then one reason per line

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    off += static_cast<size_t>(n);
  }
}

std::string encode(const ChunkResult& r) {
  std::string s = "C " + std::to_string(r.first_line) + " " + (r.passed ? "1" : "0") + " " +
                  std::to_string(r.reasons.size()) + "\n";
  for (auto& reason : r.reasons) s += one_line(reason) + "\n";
  return s;
}

std::vector<ChunkResult> decode(const std::string& data) {
  std::vector<ChunkResult> out;
  std::istringstream in(data);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("C ", 0) != 0) continue;
    std::istringstream hdr(line.substr(2));
    ChunkResult r;
    int passed = 0;
    size_t n = 0;
    hdr >> r.first_line >> passed >> n;
    r.passed = passed == 1;
    for (size_t i = 0; i < n && std::getline(in, line); ++i) r.reasons.push_back(line);
    out.push_back(std::move(r));
  }
  return out;
}

// Runs one file, isolated in a child process unless --no-fork. Chunks the
// child never reported (it crashed or timed out) are failures naming why.
std::vector<ChunkResult> run_isolated(const TestFile& f, const Options& o) {
  std::vector<ChunkResult> results;
  std::string death;
  if (!o.fork) {
    run_file(f, o.limits, [&](const ChunkResult& r) { results.push_back(r); });
  } else {
    int fds[2];
    if (::pipe(fds) != 0) {
      perror("pipe");
      std::exit(2);
    }
    std::cout.flush();
    std::cerr.flush();
    pid_t pid = ::fork();
    if (pid < 0) {
      perror("fork");
      std::exit(2);
    }
    if (pid == 0) {
      ::close(fds[0]);
      ::alarm(o.timeout_seconds);
      int code = 0;
      try {
        run_file(f, o.limits, [&](const ChunkResult& r) { write_all(fds[1], encode(r)); });
      } catch (const std::exception& e) {
        write_all(fds[1], std::string("X ") + one_line(e.what()) + "\n");
        code = 3;
      }
      ::close(fds[1]);
      std::fflush(nullptr);
      ::_exit(code);
    }
    ::close(fds[1]);
    std::string data;
    char buf[65536];
    while (true) {
      ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    results = decode(data);
    if (WIFSIGNALED(status)) {
      int sig = WTERMSIG(status);
      death = sig == SIGALRM ? "timed out after " + std::to_string(o.timeout_seconds) + "s"
                             : std::string("crashed with signal ") + strsignal(sig);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      size_t x = data.find("X ");
      death = "harness error: " + (x == std::string::npos ? "exit " + std::to_string(WEXITSTATUS(status))
                                                          : data.substr(x + 2, data.find('\n', x) - x - 2));
    }
  }
  // Account for every chunk of the file.
  std::vector<Chunk> chunks;
  try {
    chunks = chunks_of(f);
  } catch (const std::exception& e) {
    return {ChunkResult{1, false, {e.what()}}};
  }
  if (results.size() < chunks.size()) {
    if (death.empty()) death = "stopped early";
    const size_t reported = results.size();
    for (size_t i = reported; i < chunks.size(); ++i) {
      std::string why = i == reported ? "not finished: " + death : "not run: an earlier chunk " + death;
      results.push_back(ChunkResult{chunks[i].first_line, false, {why}});
    }
  }
  return results;
}

bool selected(const TestFile& f, const Options& o) {
  if (o.only.empty()) return true;
  for (auto& s : o.only)
    if (f.rel.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  ExpectedFailures expected;
  Suite suite;
  try {
    if (!o.expected_failures.empty()) expected = load_expected_failures(o.expected_failures);
    suite = discover(o.root);
  } catch (const std::exception& e) {
    std::cerr << "starlark_conformance: " << e.what() << "\n";
    return 2;
  }
  std::cout << "starlark conformance: " << suite.root << "\n";
  // A canary first: if the interpreter does not really run code, every
  // chunk without a "###" would pass vacuously.
  std::string insane;
  try {
    insane = sanity_check(o.limits);
  } catch (const std::exception& e) {
    insane = e.what();
  }
  if (!insane.empty())
    std::cout << "SANITY CHECK FAILED (results below are not meaningful): " << insane << "\n";

  size_t passed = 0, failed = 0, unexpected = 0, skipped_files = 0, skipped_chunks = 0;
  std::set<std::string> seen_keys;
  std::vector<std::string> now_passing;
  const size_t max_reasons = o.verbose ? SIZE_MAX : 4;

  for (const TestFile& f : suite.files) {
    if (!selected(f, o)) continue;
    if (f.mode == Mode::Skip) {
      ++skipped_files;
      size_t n = 0;
      try {
        n = split_chunks(read_file(f.path)).size();
      } catch (const std::exception&) {
      }
      skipped_chunks += n;
      std::cout << "SKIP " << f.rel << " (" << n << " chunks): " << f.skip_reason << "\n";
      continue;
    }
    std::vector<ChunkResult> results = run_isolated(f, o);
    size_t file_passed = 0;
    std::ostringstream details;
    for (auto& r : results) {
      std::string key = ExpectedFailures::key(f.rel, r.first_line);
      seen_keys.insert(key);
      bool is_expected = expected.contains(f.rel, r.first_line);
      if (r.passed) {
        ++passed;
        ++file_passed;
        if (is_expected) now_passing.push_back(key);
        continue;
      }
      ++failed;
      if (!is_expected) ++unexpected;
      details << "  chunk at line " << r.first_line;
      if (is_expected) details << " (expected failure: " << expected.why.at(key) << ")";
      details << ":";
      if (r.reasons.size() == 1) {
        details << " " << r.reasons[0] << "\n";
      } else {
        details << "\n";
        for (size_t i = 0; i < r.reasons.size() && i < max_reasons; ++i)
          details << "      " << r.reasons[i] << "\n";
        if (r.reasons.size() > max_reasons)
          details << "      ... and " << (r.reasons.size() - max_reasons) << " more (--verbose shows all)\n";
      }
    }
    bool ok = file_passed == results.size();
    std::cout << (ok ? "PASS " : "FAIL ") << f.rel << " " << file_passed << "/" << results.size() << " chunks\n"
              << details.str();
    std::cout.flush();
  }

  for (auto& key : now_passing)
    std::cout << "now passing, remove from list: " << key << " (" << expected.path << ")\n";
  if (o.only.empty()) {
    for (auto& [key, why] : expected.why)
      if (!seen_keys.count(key))
        std::cout << "note: expected failure " << key << " names no chunk of this root\n";
  }
  if (skipped_files)
    std::cout << "skipped " << skipped_files << " file(s), " << skipped_chunks << " chunk(s), reasons above\n";
  size_t total = passed + failed;
  double rate = total ? static_cast<double>(passed) / static_cast<double>(total) : 0.0;
  char rate_text[64];
  std::snprintf(rate_text, sizeof rate_text, "%.1f%% (minimum %.1f%%)", rate * 100, o.min_pass_rate * 100);
  std::cout << "pass rate " << rate_text << "; " << unexpected << " unexpected failure(s)"
            << (expected.path.empty() ? "" : " outside " + expected.path) << "\n";
  std::cout << passed << " passed, " << failed << " failed\n";
  bool ok = insane.empty() && total > 0 && rate + 1e-12 >= o.min_pass_rate && unexpected == 0;
  return ok ? 0 : 1;
}

// The interpreter against CPython on the same programs, in the same
// invocation (issue 2, item 6): a recursion-heavy fib(27) and a
// 1,000,000-iteration loop doing dict and string work. Prints both times and
// the ratio; the aim is a ratio of at most 2. A benchmark, never a test:
// these machines are noisy, so nothing here fails on time.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>

#include "spec/eval/Interpreter.h"
#include "spec/eval/Render.h"

using namespace faultbox::star;
using Clock = std::chrono::steady_clock;

namespace {

struct Workload {
  const char* name;
  const char* program;  // valid Starlark and valid Python 3
};

const Workload kWorkloads[] = {
    {"fib(27)",
     "def fib(n):\n"
     "    if n < 2:\n"
     "        return n\n"
     "    return fib(n - 1) + fib(n - 2)\n"
     "def main():\n"
     "    print(fib(27))\n"
     "main()\n"},
    {"loop 1e6 dict+string",
     "def main():\n"
     "    d = {}\n"
     "    total = 0\n"
     "    for i in range(1000000):\n"
     "        k = \"key\" + str(i % 1000)\n"
     "        d[k] = d.get(k, 0) + 1\n"
     "        if k.startswith(\"key1\"):\n"
     "            total += len(k)\n"
     "    print(len(d), total)\n"
     "main()\n"},
};

double run_starlark(const Workload& w, std::string& out) {
  Interpreter interp;
  Thread thread(interp.heap(), "bench");
  thread.print = [&](Thread&, std::string_view msg) { out.append(msg).append("\n"); };
  Dialect dialect = Dialect::all();
  auto start = Clock::now();
  try {
    interp.exec_file(thread, std::string("bench_") + w.name + ".star", w.program, dialect, {});
  } catch (const SourceErrors& e) {
    std::cerr << render_source_errors(e) << "\n";
    std::exit(1);
  } catch (const EvalError& e) {
    std::cerr << render_eval_error(e) << "\n";
    std::exit(1);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Times python3 on the same program; the interpreter start-up is measured
// separately on an empty program and subtracted.
double time_python(const std::string& program, std::string& out) {
  char path[] = "/tmp/faultbox-bench-XXXXXX.py";
  int fd = mkstemps(path, 3);
  if (fd < 0) return -1;
  {
    std::ofstream f(path);
    f << program;
  }
  close(fd);
  std::string cmd = std::string("python3 ") + path;
  auto start = Clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[256];
  while (fgets(buf, sizeof buf, p)) out += buf;
  int rc = pclose(p);
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  unlink(path);
  return rc == 0 ? secs : -1;
}

}  // namespace

int main() {
  std::string ignored;
  double py_startup = time_python("pass\n", ignored);
  if (py_startup < 0) {
    std::cerr << "python3 not runnable; install python3\n";
    return 1;
  }
  std::printf("%-24s %12s %12s %8s\n", "workload", "faultbox(s)", "python3(s)", "ratio");
  for (const Workload& w : kWorkloads) {
    std::string star_out, py_out;
    double star = run_starlark(w, star_out);
    double py = time_python(w.program, py_out) - py_startup;
    if (star_out != py_out) {
      std::cerr << w.name << ": outputs differ: faultbox=" << star_out << " python3=" << py_out;
      return 1;
    }
    std::printf("%-24s %12.3f %12.3f %8.2f\n", w.name, star, py, star / py);
  }
  std::printf("aim: ratio <= 2.00 on every workload\n");
  return 0;
}

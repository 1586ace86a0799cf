// Which files of a starlark-go testdata root the harness runs, and how: each
// file is run the way starlark-go's own Go test for it runs it.
//
//   starlark/testdata/*.star         eval_test.go TestExecFile: chunks executed
//                                    with hasfields, fibonacci, struct predeclared
//                                    and load() of assert.star / json.star / math.star
//   starlark/testdata/benchmark.star bench_test.go: executed whole, then every
//                                    bench_* function called once with b.n == 1
//   starlark/testdata/paths.star     bench_test.go BenchmarkProgram: executed whole,
//                                    nothing predeclared
//   starlarkstruct/testdata/*.star   struct_test.go: executed whole with struct and
//                                    gensym predeclared; any error fails it
//   resolve/testdata/*.star          resolve_test.go: chunks parsed and resolved
//                                    with M predeclared and U, float universal
//   syntax/testdata/errors.star      parse_test.go: chunks parsed
//   syntax/testdata/scan.star        scan/parse benchmarks: parsed whole
//
// Files that need a module only Go provides (proto, time) are skipped with
// the reason printed.
#pragma once

#include <string>
#include <vector>

#include "spec/syntax/Ast.h"

namespace faultbox::star::conformance {

enum class Mode {
  ExecChunks,
  ExecWhole,   // struct.star
  Program,     // paths.star
  Bench,       // benchmark.star
  ResolveChunks,
  ParseChunks,
  ParseWhole,  // scan.star
  Skip,
};

// How "option:NAME" comments map to dialect flags. Debian's starlark-go
// (2021) has only globalreassign (which also allows top-level if/for/while)
// and recursion (which also allows while); newer releases name while and
// toplevelcontrol separately. A file is "separate style" when it mentions
// option:while or option:toplevelcontrol anywhere (decided per file, so a
// root mixing releases of the files still runs each as its release meant).
enum class OptionStyle { Legacy, Separate };

struct TestFile {
  std::string rel;   // path relative to the root, e.g. "starlark/testdata/list.star"
  std::string path;  // full path (what error positions name)
  Mode mode = Mode::Skip;
  std::string skip_reason;
  OptionStyle options = OptionStyle::Legacy;
};

struct Suite {
  std::string root;
  std::vector<TestFile> files;  // sorted by rel
};

// Lists the test files under root. Throws std::runtime_error if the root has
// none of the known testdata directories.
Suite discover(const std::string& root);

// The dialect a chunk asks for with its "option:" comments.
Dialect chunk_dialect(const std::string& source, OptionStyle style);

// Modules the exec-mode load() provides natively (the Go tests' load hook):
// "assert.star", "json.star", "math.star".
bool is_native_module(const std::string& module);

std::string read_file(const std::string& path);

}  // namespace faultbox::star::conformance

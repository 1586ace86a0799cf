#include "tests/conformance/Suite.h"

#include "tests/conformance/LibModules.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace faultbox::star::conformance {

namespace fs = std::filesystem;

namespace {

bool has_option(const std::string& source, std::string_view name) {
  return source.find("option:" + std::string(name)) != std::string::npos;
}

std::vector<std::string> star_files(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return names;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().extension() == ".star") names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Modules that only Go provides; a file that loads one cannot run here.
std::string go_only_module_reason(const std::string& module) {
  if (module == "proto.star") return "needs the Go-only proto module (protocol buffer descriptors)";
  if (module == "time.star") return "needs the Go-only time module (Go's time package semantics)";
  if (module == "math.star" && !math_supported())
    return "needs the math module (starlark-go's lib/math library), which spec/lib does not provide";
  return {};
}

// The modules a file loads: the first argument of each load(...) statement.
std::vector<std::string> loaded_modules(const std::string& source) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = source.find("load(", pos)) != std::string::npos) {
    bool at_line_start = pos == 0 || source[pos - 1] == '\n';
    pos += 5;
    if (!at_line_start) continue;
    while (pos < source.size() && source[pos] == ' ') ++pos;
    if (pos >= source.size() || (source[pos] != '"' && source[pos] != '\'')) continue;
    char q = source[pos];
    size_t end = source.find(q, pos + 1);
    if (end == std::string::npos) break;
    out.push_back(source.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  return out;
}

// Why an exec-mode file cannot run here, or "" if it can.
std::string exec_skip_reason(const fs::path& file, const std::string& source) {
  if (file.filename() == "proto.star") return go_only_module_reason("proto.star");
  for (auto& m : loaded_modules(source)) {
    if (std::string why = go_only_module_reason(m); !why.empty()) return why;
    if (is_native_module(m)) continue;
    std::error_code ec;
    if (!fs::exists(file.parent_path() / m, ec)) return "loads module " + m + ", which no test hook provides";
  }
  return {};
}

}  // namespace

bool is_native_module(const std::string& module) {
  return module == "assert.star" || module == "json.star" || (module == "math.star" && math_supported());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Dialect chunk_dialect(const std::string& source, OptionStyle style) {
  Dialect d;
  d.set = has_option(source, "set");
  d.global_reassign = has_option(source, "globalreassign");
  d.load_binds_globally = has_option(source, "loadbindsglobally");
  d.recursion = has_option(source, "recursion");
  if (style == OptionStyle::Legacy) {
    // resolve.AllowGlobalReassign also allowed top-level if/for/while;
    // resolve.AllowRecursion also allowed while statements.
    d.toplevel_control = d.global_reassign;
    d.while_ = d.recursion;
  } else {
    d.while_ = has_option(source, "while");
    d.toplevel_control = has_option(source, "toplevelcontrol");
  }
  return d;
}

Suite discover(const std::string& root_arg) {
  Suite suite;
  suite.root = root_arg;
  fs::path root(root_arg);
  bool any_dir = false;
  for (const char* d : {"starlark/testdata", "resolve/testdata", "syntax/testdata", "starlarkstruct/testdata"}) {
    std::error_code ec;
    if (fs::is_directory(root / d, ec)) any_dir = true;
  }
  if (!any_dir)
    throw std::runtime_error(root_arg + " has none of starlark/testdata, resolve/testdata, syntax/testdata, "
                             "starlarkstruct/testdata: not a starlark-go testdata root");

  auto add = [&](const std::string& dir, const std::string& name, Mode mode, std::string skip = {}) {
    TestFile f;
    f.rel = dir + "/" + name;
    f.path = (root / dir / name).string();
    std::string src = read_file(f.path);
    if (has_option(src, "while") || has_option(src, "toplevelcontrol")) f.options = OptionStyle::Separate;
    f.mode = skip.empty() ? mode : Mode::Skip;
    f.skip_reason = std::move(skip);
    suite.files.push_back(std::move(f));
  };

  for (auto& name : star_files(root / "starlark/testdata")) {
    fs::path p = root / "starlark/testdata" / name;
    std::string src = read_file(p.string());
    if (name == "benchmark.star") {
      add("starlark/testdata", name, Mode::Bench);
    } else if (name == "paths.star") {
      add("starlark/testdata", name, Mode::Program);
    } else {
      add("starlark/testdata", name, Mode::ExecChunks, exec_skip_reason(p, src));
    }
  }
  for (auto& name : star_files(root / "resolve/testdata")) add("resolve/testdata", name, Mode::ResolveChunks);
  for (auto& name : star_files(root / "syntax/testdata"))
    add("syntax/testdata", name, name == "scan.star" ? Mode::ParseWhole : Mode::ParseChunks);
  for (auto& name : star_files(root / "starlarkstruct/testdata")) {
    fs::path p = root / "starlarkstruct/testdata" / name;
    std::string why;
    for (auto& m : loaded_modules(read_file(p.string())))
      if (m != "assert.star") why = "loads module " + m + ", which struct_test.go does not provide";
    add("starlarkstruct/testdata", name, Mode::ExecWhole, why);
  }
  return suite;
}

}  // namespace faultbox::star::conformance

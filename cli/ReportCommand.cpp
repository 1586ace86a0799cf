// faultbox report: the JSON files of one exploration's shards merged into one
// answer (issue 5, item 6). Each shard explores a deterministic part of the
// tree and shards may overlap, so what adds up is the union of class ids,
// never the sum of class counts; completeness is a fact only when every shard
// 1..N is present and each exhausted its part.
#include "cli/ReportCommand.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cli/ExitCodes.h"
#include "cli/JunitReport.h"
#include "cli/ReportFile.h"
#include "cli/TestResult.h"

namespace faultbox::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// An input that cannot be merged; the message starts with the file's name.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------
// One shard's file, as `faultbox explore --json` writes it (exploration_json
// in cli/ExploreCommand.cpp).

struct ShardFailure {
  uint64_t run = 0;
  std::string class_id;
  std::string message;
  std::optional<std::string> location;
  std::string placements;  // "" when the run placed no fault
  std::optional<std::string> trace;
};

struct ShardTest {
  std::string name;
  uint64_t runs = 0;
  std::vector<std::string> classes;  // in the order the shard found them
  uint64_t placements = 0;           // of those, classes with a fault placed
  uint64_t redundant = 0;
  uint64_t sleep_blocked = 0;
  uint64_t divergences = 0;
  uint64_t pending = 0;
  bool complete = false;
  // Which classes placed faults, when the file says (an optional field:
  // without it the merged placement count can only be bounded).
  std::optional<std::vector<std::string>> placement_classes;
  std::vector<ShardFailure> failures;
};

struct ShardFile {
  std::string path;
  std::string spec;
  std::string strategy;
  uint64_t seed = 0;
  uint64_t max_faults = 0;
  uint64_t shard = 1;  // 1-based, as on explore's command line
  uint64_t shard_count = 1;
  std::vector<ShardTest> tests;
};

std::string shard_name(uint64_t i, uint64_t n) { return std::to_string(i) + "/" + std::to_string(n); }

// "1/4, 2/4", with three or more consecutive shards as "5/100 to 9/100".
std::string shard_list(const std::vector<uint64_t>& shards, uint64_t n) {
  std::string out;
  for (size_t k = 0; k < shards.size();) {
    size_t end = k;
    while (end + 1 < shards.size() && shards[end + 1] == shards[end] + 1) ++end;
    if (!out.empty()) out += ", ";
    if (end - k >= 2) {
      out += shard_name(shards[k], n) + " to " + shard_name(shards[end], n);
    } else {
      out += shard_name(shards[k], n);
      if (end > k) out += ", " + shard_name(shards[end], n);
    }
    k = end + 1;
  }
  return out;
}

std::string plural(uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string read_whole_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw InputError(path + ": cannot read the file: " + std::strerror(errno));
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) throw InputError(path + ": cannot read the file: " + std::strerror(errno));
  return text;
}

// The parser's own words, without its "[json.exception…] parse error at
// line L, column C: " preamble: the position is given as FILE:L:C instead.
std::string parse_error_cause(const std::string& what) {
  size_t column = what.find(", column ");
  size_t colon = column == std::string::npos ? std::string::npos : what.find(": ", column);
  if (colon != std::string::npos) return what.substr(colon + 2);
  size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// The parser quotes what it last read, which may be any bytes: shown as
// \xNN so one error line stays printable text.
std::string printable(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return out;
}

json parse_json_file(const std::string& path, const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte: 1-based index of the last character read (past the end at EOF).
    const size_t at = std::min(e.byte == 0 ? size_t{0} : e.byte - 1, text.size());
    const size_t line = 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    const size_t line_start = at == 0 ? 0 : text.rfind('\n', at - 1) + 1;  // npos + 1 == 0
    throw InputError(path + ":" + std::to_string(line) + ":" + std::to_string(at - line_start + 1) +
                     ": not valid JSON: " + printable(parse_error_cause(e.what())));
  }
}

// Reads the members of one JSON object, naming the member's path in the
// file ("tests[0].runs") when it is missing or of the wrong type.
class Members {
 public:
  Members(const json& object, std::string where, const std::string& file)
      : object_(object), where_(std::move(where)), file_(file) {
    if (!object_.is_object()) fail(where_.empty() ? "the document" : where_, "an object", object_);
  }

  const json& get(const std::string& key) const {
    auto it = object_.find(key);
    if (it == object_.end()) throw InputError(file_ + ": " + kNotExplore + ": " + path(key) + " is missing");
    return *it;
  }
  bool has(const std::string& key) const { return object_.contains(key); }
  std::string text(const std::string& key) const {
    const json& v = get(key);
    if (!v.is_string()) fail(path(key), "a string", v);
    return v.get<std::string>();
  }
  std::optional<std::string> text_or_null(const std::string& key) const {
    const json& v = get(key);
    if (v.is_null()) return std::nullopt;
    if (!v.is_string()) fail(path(key), "a string or null", v);
    return v.get<std::string>();
  }
  uint64_t count(const std::string& key) const {
    const json& v = get(key);
    if (!v.is_number_unsigned()) fail(path(key), "a non-negative integer", v);
    return v.get<uint64_t>();
  }
  bool flag(const std::string& key) const {
    const json& v = get(key);
    if (!v.is_boolean()) fail(path(key), "true or false", v);
    return v.get<bool>();
  }
  const json& array(const std::string& key) const {
    const json& v = get(key);
    if (!v.is_array()) fail(path(key), "an array", v);
    return v;
  }
  std::vector<std::string> texts(const std::string& key) const {
    std::vector<std::string> out;
    const json& a = array(key);
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_string()) fail(path(key) + "[" + std::to_string(i) + "]", "a string", a[i]);
      out.push_back(a[i].get<std::string>());
    }
    return out;
  }
  std::string path(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

 private:
  static constexpr const char* kNotExplore = "not the JSON of `faultbox explore --json`";

  [[noreturn]] void fail(const std::string& what, const std::string& wanted, const json& got) const {
    std::string shown = got.dump();
    if (shown.size() > 40) shown = shown.substr(0, 37) + "...";
    throw InputError(file_ + ": " + kNotExplore + ": " + what + " is " + shown + ", not " + wanted);
  }

  const json& object_;
  std::string where_;
  const std::string& file_;
};

void parse_shard(const std::string& path, const std::string& text, ShardFile& file) {
  if (text.rfind("merged", 0) == 0)
    throw InputError(path + ": already merged by faultbox report (shard \"" + text +
                     "\"); merge the shards' own files");
  uint64_t i = 0, n = 0;
  char slash = 0;
  std::istringstream in(text);
  if (!(in >> i >> slash >> n) || slash != '/' || !in.eof() || n < 1 || i < 1 || i > n)
    throw InputError(path + ": not the JSON of `faultbox explore --json`: shard is \"" + text +
                     "\", not I/N with 1 <= I <= N");
  // Missing shards are listed one by one; a count no CI matrix has is
  // refused rather than walked.
  constexpr uint64_t kMostShards = 100000;
  if (n > kMostShards)
    throw InputError(path + ": shard " + text + ": more than " + std::to_string(kMostShards) +
                     " shards is beyond what faultbox report merges");
  file.shard = i;
  file.shard_count = n;
}

ShardFile read_shard_file(const std::string& path) {
  const std::string text = read_whole_file(path);
  const json doc = parse_json_file(path, text);
  // `faultbox test --json` is the likeliest wrong file: say so plainly.
  if (doc.is_object() && doc.contains("passed") && doc.contains("runs") && doc["runs"].is_array())
    throw InputError(path + ": the JSON of `faultbox test`, not of `faultbox explore --json`");
  const Members top(doc, "", path);
  ShardFile f;
  f.path = path;
  f.spec = top.text("spec");
  f.strategy = top.text("strategy");
  f.seed = top.count("seed");
  f.max_faults = top.count("max_faults");
  parse_shard(path, top.text("shard"), f);
  const json& tests = top.array("tests");
  std::set<std::string> names;
  for (size_t k = 0; k < tests.size(); ++k) {
    const Members m(tests[k], "tests[" + std::to_string(k) + "]", path);
    ShardTest t;
    t.name = m.text("test");
    if (!names.insert(t.name).second)
      throw InputError(path + ": not the JSON of `faultbox explore --json`: test " + t.name + " appears twice");
    t.runs = m.count("runs");
    t.classes = m.texts("classes");
    t.placements = m.count("placements");
    t.redundant = m.count("redundant");
    t.sleep_blocked = m.count("sleep_blocked");
    t.divergences = m.count("divergences");
    t.pending = m.count("pending");
    t.complete = m.flag("complete");
    if (m.has("placement_classes")) t.placement_classes = m.texts("placement_classes");
    const json& failures = m.array("failures");
    for (size_t j = 0; j < failures.size(); ++j) {
      const Members fm(failures[j], m.path("failures") + "[" + std::to_string(j) + "]", path);
      ShardFailure fail;
      fail.run = fm.count("run");
      fail.class_id = fm.text("class");
      fail.message = fm.text("message");
      fail.location = fm.text_or_null("location");
      fail.placements = fm.text("placements");
      fail.trace = fm.text_or_null("trace");
      t.failures.push_back(std::move(fail));
    }
    f.tests.push_back(std::move(t));
  }
  return f;
}

// ---------------------------------------------------------------------------
// The merge.

struct Sighting {
  uint64_t shard = 0;
  uint64_t run = 0;
  std::optional<std::string> trace;
};

struct MergedFailure {
  std::string class_id;
  std::string message;
  std::optional<std::string> location;
  std::string placements;
  std::vector<Sighting> seen;  // every shard's run of this class, in shard order
};

struct MergedTest {
  std::string name;
  uint64_t runs = 0;
  std::vector<std::string> classes;  // the union, in shard order
  uint64_t redundant = 0;         // every run of an already-seen class, within or across shards
  uint64_t across_shards = 0;     // of those, runs of a class another shard ran too
  uint64_t sleep_blocked = 0;
  uint64_t divergences = 0;
  uint64_t pending = 0;
  // Overlapping shards may share placement classes, and explore's JSON does
  // not say which classes placed faults: the count is exact only when the
  // bounds meet (or the files name the classes).
  uint64_t placements_min = 0;
  uint64_t placements_max = 0;
  std::optional<std::vector<std::string>> placement_classes;
  std::vector<uint64_t> shards_missing;     // no file of that shard has the test
  std::vector<uint64_t> shards_unfinished;  // present, but none of its files said complete
  bool complete = false;
  std::vector<MergedFailure> failures;
};

struct Merged {
  std::string spec;
  std::string strategy;
  uint64_t seed = 0;
  uint64_t max_faults = 0;
  uint64_t shard_count = 1;
  std::vector<const ShardFile*> files;  // by shard, then as given
  std::vector<uint64_t> present;
  std::vector<uint64_t> missing;
  std::vector<std::string> warnings;
  std::vector<MergedTest> tests;

  bool sampling() const { return strategy == "random" || strategy == "pct"; }
};

// Shards of one exploration ran the same command but for --shard (and the
// budget, which the files do not record); anything else makes the union
// meaningless.
void check_one_exploration(const std::vector<ShardFile>& files) {
  const ShardFile& a = files.front();
  for (const ShardFile& b : files) {
    auto differ = [&](const std::string& field, const std::string& x, const std::string& y) {
      throw InputError(a.path + " and " + b.path + " are not shards of one exploration: " + field + " " + x + " in " +
                       a.path + ", " + y + " in " + b.path);
    };
    auto with_shard = [](const ShardFile& f) {
      return std::to_string(f.shard_count) + " (shard " + shard_name(f.shard, f.shard_count) + ")";
    };
    if (fs::path(a.spec).lexically_normal() != fs::path(b.spec).lexically_normal()) differ("spec", a.spec, b.spec);
    if (a.strategy != b.strategy) differ("strategy", a.strategy, b.strategy);
    if (a.seed != b.seed) differ("seed", std::to_string(a.seed), std::to_string(b.seed));
    if (a.max_faults != b.max_faults)
      differ("max_faults", std::to_string(a.max_faults), std::to_string(b.max_faults));
    if (a.shard_count != b.shard_count)
      differ("shard count", with_shard(a), with_shard(b));
  }
}

void merge_placements(MergedTest& m, const std::vector<const ShardTest*>& copies) {
  const bool named = std::all_of(copies.begin(), copies.end(),
                                 [](const ShardTest* t) { return t->placement_classes.has_value(); });
  std::set<std::string> known_placed;
  std::set<std::string> known_free;
  for (const ShardTest* t : copies) {
    if (t->placement_classes) known_placed.insert(t->placement_classes->begin(), t->placement_classes->end());
    for (const ShardFailure& f : t->failures) (f.placements.empty() ? known_free : known_placed).insert(f.class_id);
  }
  if (named) {
    m.placement_classes.emplace();
    for (const std::string& id : m.classes)
      if (known_placed.count(id)) m.placement_classes->push_back(id);
    m.placements_min = m.placements_max = m.placement_classes->size();
    return;
  }
  // Each placement class is counted once per shard that ran it, so
  // sum − overlap ≤ placements ≤ sum; and at least as many classes are
  // fault-free as in any one shard.
  uint64_t sum = 0, seen = 0, most_placed = 0, most_free = known_free.size();
  for (const ShardTest* t : copies) {
    sum += t->placements;
    seen += t->classes.size();
    most_placed = std::max(most_placed, t->placements);
    most_free = std::max(most_free, t->classes.size() - std::min<uint64_t>(t->placements, t->classes.size()));
  }
  const uint64_t overlap = seen - m.classes.size();
  const uint64_t total = m.classes.size();
  m.placements_min = std::max({most_placed, sum > overlap ? sum - overlap : 0, uint64_t{known_placed.size()}});
  m.placements_max = std::min(sum, total > most_free ? total - most_free : 0);
  m.placements_min = std::min(m.placements_min, total);
  m.placements_max = std::max(m.placements_max, m.placements_min);  // inconsistent files: do not invert
}

Merged merge(const std::vector<ShardFile>& inputs) {
  if (inputs.empty()) throw InputError("no file to merge");
  check_one_exploration(inputs);
  Merged out;
  const ShardFile& first = inputs.front();
  out.spec = first.spec;
  out.strategy = first.strategy;
  out.seed = first.seed;
  out.max_faults = first.max_faults;
  out.shard_count = first.shard_count;
  const uint64_t n = out.shard_count;

  for (const ShardFile& f : inputs) out.files.push_back(&f);
  std::stable_sort(out.files.begin(), out.files.end(),
                   [](const ShardFile* a, const ShardFile* b) { return a->shard < b->shard; });
  std::map<uint64_t, std::vector<const ShardFile*>> by_shard;
  for (const ShardFile* f : out.files) by_shard[f->shard].push_back(f);
  for (uint64_t s = 1; s <= n; ++s) (by_shard.count(s) ? out.present : out.missing).push_back(s);
  if (!out.missing.empty())
    out.warnings.push_back("shards " + shard_list(out.missing, n) + " missing (no file given is " +
                           (out.missing.size() == 1 ? "that shard" : "one of them") + "): the result is incomplete");
  for (const auto& [s, files] : by_shard)
    if (files.size() > 1) {
      std::string names;
      for (const ShardFile* f : files) names += (names.empty() ? "" : ", ") + f->path;
      out.warnings.push_back("shard " + shard_name(s, n) + " is in " + std::to_string(files.size()) + " files (" +
                             names + "): the union of their classes is kept and their runs are summed");
    }

  std::vector<std::string> names;
  for (const ShardFile* f : out.files)
    for (const ShardTest& t : f->tests)
      if (std::find(names.begin(), names.end(), t.name) == names.end()) names.push_back(t.name);

  for (const std::string& name : names) {
    MergedTest m;
    m.name = name;
    std::vector<const ShardTest*> copies;
    std::set<std::string> ids;
    std::map<std::string, size_t> failure_index;
    uint64_t seen = 0, redundant = 0;
    for (uint64_t s = 1; s <= n; ++s) {
      auto it = by_shard.find(s);
      if (it == by_shard.end()) {
        m.shards_missing.push_back(s);
        continue;
      }
      bool any = false, finished = false;
      uint64_t pending = UINT64_MAX;
      for (const ShardFile* f : it->second) {
        auto t = std::find_if(f->tests.begin(), f->tests.end(), [&](const ShardTest& x) { return x.name == name; });
        if (t == f->tests.end()) continue;
        any = true;
        copies.push_back(&*t);
        finished |= t->complete;
        pending = std::min(pending, t->pending);
        m.runs += t->runs;
        m.sleep_blocked += t->sleep_blocked;
        m.divergences += t->divergences;
        redundant += t->redundant;
        seen += t->classes.size();
        for (const std::string& id : t->classes)
          if (ids.insert(id).second) m.classes.push_back(id);
        for (const ShardFailure& fail : t->failures) {
          auto [pos, added] = failure_index.emplace(fail.class_id, m.failures.size());
          if (added) {
            MergedFailure mf;
            mf.class_id = fail.class_id;
            mf.message = fail.message;
            mf.location = fail.location;
            mf.placements = fail.placements;
            m.failures.push_back(std::move(mf));
          }
          m.failures[pos->second].seen.push_back({s, fail.run, fail.trace});
        }
      }
      if (!any) {
        m.shards_missing.push_back(s);
        std::string files;
        for (const ShardFile* f : it->second) files += (files.empty() ? "" : ", ") + f->path;
        out.warnings.push_back(name + " is not in " + files + " (shard " + shard_name(s, n) +
                               "): that part of its exploration is missing");
        continue;
      }
      // One finished copy of a shard settles it; otherwise the copy that
      // got furthest says what remains.
      if (!finished) {
        m.shards_unfinished.push_back(s);
        m.pending += pending;
      }
    }
    // A class run in two shards is a repeated run, as explore counts one
    // run twice within a shard.
    m.across_shards = seen - m.classes.size();
    m.redundant = redundant + m.across_shards;
    m.complete = m.shards_missing.empty() && m.shards_unfinished.empty();
    merge_placements(m, copies);
    out.tests.push_back(std::move(m));
  }
  return out;
}

// ---------------------------------------------------------------------------
// What the merge says.

std::string placements_phrase(const MergedTest& t) {
  if (t.placements_min == t.placements_max) return std::to_string(t.placements_min);
  return std::to_string(t.placements_min) + " to " + std::to_string(t.placements_max);
}

std::string summary_line(const Merged& r, const MergedTest& t) {
  const uint64_t n = r.shard_count;
  const uint64_t classes = t.classes.size();
  const bool exact = t.placements_min == t.placements_max;
  std::ostringstream o;
  if (t.complete) {
    o << "complete: " << t.runs << " runs over " << plural(n, "shard", "shards") << " = ";
    if (exact)
      o << plural(classes - t.placements_min, "class", "classes") << " without faults + "
        << plural(t.placements_min, "placement", "placements");
    else
      o << plural(classes, "class", "classes") << ", " << placements_phrase(t)
        << " of them with placements (the files do not say which classes placed faults)";
  } else {
    if (!t.shards_missing.empty())
      o << "incomplete: shards " << shard_list(t.shards_missing, n) << " missing; ";
    else if (!r.sampling())
      o << "budget spent: ";
    o << t.runs << " runs, " << plural(classes, "class", "classes") << " (" << placements_phrase(t)
      << " with placements)";
    if (t.pending) o << "; " << t.pending << " known alternatives remain";
    if (!r.sampling() && !t.shards_unfinished.empty())
      o << " (shards " << shard_list(t.shards_unfinished, n) << " did not finish)";
    if (r.sampling()) o << "; this strategy samples, it does not enumerate";
  }
  // Overlap between shards is by design (OptimalDpor.h); a class run twice
  // within one shard is what explore itself reports.
  if (t.redundant > t.across_shards)
    o << "; " << plural(t.redundant - t.across_shards, "run", "runs") << " repeated a class";
  if (t.across_shards)
    o << "; " << plural(t.across_shards, "run", "runs") << " repeated another shard's class (shards overlap)";
  if (t.sleep_blocked) o << "; " << t.sleep_blocked << " sleep-set-blocked runs";
  if (t.divergences) o << "; " << t.divergences << " divergences (nondeterminism: see explore -v)";
  return o.str();
}

std::string sightings(const MergedFailure& f, uint64_t n) {
  std::string out;
  for (const Sighting& s : f.seen)
    out += (out.empty() ? "" : "; ") + ("shard " + shard_name(s.shard, n) + " run " + std::to_string(s.run));
  return out;
}

std::vector<std::string> traces_of(const MergedFailure& f) {
  std::vector<std::string> out;
  for (const Sighting& s : f.seen)
    if (s.trace && std::find(out.begin(), out.end(), *s.trace) == out.end()) out.push_back(*s.trace);
  return out;
}

void print_report(const Merged& r, const ReportOptions& options) {
  const uint64_t n = r.shard_count;
  std::cout << "report " << r.spec << ": strategy " << r.strategy << ", seed " << r.seed << ", at most "
            << plural(r.max_faults, "fault placement", "fault placements") << " per run; "
            << plural(r.files.size(), "file", "files") << ", shard" << (r.present.size() == 1 ? " " : "s ")
            << shard_list(r.present, n);
  if (!r.missing.empty()) std::cout << " (" << shard_list(r.missing, n) << " missing)";
  std::cout << "\n";
  size_t failing_tests = 0;
  for (const MergedTest& t : r.tests) {
    std::cout << "--- " << (t.failures.empty() ? "PASS" : "FAIL") << ": " << t.name << ": " << summary_line(r, t)
              << "\n";
    constexpr size_t kListed = 10;  // as explore's summary; the JSON has them all
    for (size_t k = 0; k < t.failures.size(); ++k) {
      const MergedFailure& f = t.failures[k];
      if (k == kListed) {
        std::cout << "    … and " << t.failures.size() - kListed << " more failing classes"
                  << (options.json.empty() ? " (--json lists them all)" : " (in " + options.json + ")") << "\n";
        break;
      }
      std::cout << "    failing class " << f.class_id << " (" << sightings(f, n) << "): "
                << (f.location ? *f.location + " " : "") << f.message << "\n";
      if (!f.placements.empty()) std::cout << "      placed: " << f.placements << "\n";
      for (const std::string& trace : traces_of(f)) std::cout << "      trace: " << trace << "\n";
    }
    if (!t.failures.empty()) ++failing_tests;
  }
  std::cout << (r.tests.size() - failing_tests) << " passed, " << failing_tests << " failed";
  if (!r.missing.empty()) std::cout << "; incomplete: shards " << shard_list(r.missing, n) << " missing";
  std::cout << "\n";
}

// explore's schema, so one reader serves both; what only a merge has is
// added beside it.
json merged_json(const Merged& r) {
  const uint64_t n = r.shard_count;
  json tests = json::array();
  for (const MergedTest& t : r.tests) {
    json failures = json::array();
    for (const MergedFailure& f : t.failures) {
      json seen = json::array();
      for (const Sighting& s : f.seen)
        seen.push_back({{"shard", shard_name(s.shard, n)},
                        {"run", s.run},
                        {"trace", s.trace ? json(*s.trace) : json(nullptr)}});
      const Sighting& first = f.seen.front();
      failures.push_back({{"run", first.run},
                          {"class", f.class_id},
                          {"message", f.message},
                          {"location", f.location ? json(*f.location) : json(nullptr)},
                          {"placements", f.placements},
                          {"trace", first.trace ? json(*first.trace) : json(nullptr)},
                          {"shard", shard_name(first.shard, n)},
                          {"traces", traces_of(f)},
                          {"seen", seen}});
    }
    json test = {{"test", t.name},
                 {"runs", t.runs},
                 {"classes", t.classes},
                 {"class_count", t.classes.size()},
                 {"placements", t.placements_min},
                 {"redundant", t.redundant},
                 {"redundant_across_shards", t.across_shards},
                 {"sleep_blocked", t.sleep_blocked},
                 {"divergences", t.divergences},
                 {"pending", t.pending},
                 {"complete", t.complete},
                 {"failures", failures}};
    if (t.placements_max != t.placements_min) test["placements_max"] = t.placements_max;
    if (t.placement_classes) test["placement_classes"] = *t.placement_classes;
    test["shards_missing"] = t.shards_missing;
    test["shards_unfinished"] = t.shards_unfinished;
    tests.push_back(std::move(test));
  }
  json inputs = json::array();
  for (const ShardFile* f : r.files) inputs.push_back({{"file", f->path}, {"shard", shard_name(f->shard, n)}});
  return {{"spec", r.spec},
          {"strategy", r.strategy},
          {"seed", r.seed},
          {"max_faults", r.max_faults},
          {"shard", "merged " + std::to_string(r.present.size()) + "/" + std::to_string(n)},
          {"tests", tests},
          {"shard_count", n},
          {"shards_present", r.present},
          {"shards_missing", r.missing},
          {"inputs", inputs}};
}

// A testcase per failing class (named by it: dpor's runs share one seed),
// or one passing testcase per test, as explore's --junit.
TestSuiteResult merged_suite(const Merged& r) {
  TestSuiteResult suite;
  suite.spec = r.spec;
  for (const MergedTest& t : r.tests) {
    for (const MergedFailure& f : t.failures) {
      TestRunResult run;
      run.test = t.name + " [class " + f.class_id + "]";
      run.seed = r.seed;
      run.schedule = r.strategy;
      TestFailure failure;
      failure.kind = "failing class";
      failure.message = f.message;
      failure.location = f.location.value_or("");
      failure.details = "class " + f.class_id + "\n";
      if (!f.placements.empty()) failure.details += "placed: " + f.placements + "\n";
      for (const Sighting& s : f.seen)
        failure.details += "shard " + shard_name(s.shard, r.shard_count) + " run " + std::to_string(s.run) +
                           (s.trace ? ": trace " + *s.trace : "") + "\n";
      run.failure = std::move(failure);
      const std::vector<std::string> traces = traces_of(f);
      if (!traces.empty()) run.trace = traces.front();
      suite.runs.push_back(std::move(run));
    }
    if (t.failures.empty()) {
      TestRunResult run;
      run.test = t.name;
      run.passed = true;
      run.seed = r.seed;
      run.schedule = r.strategy;
      suite.runs.push_back(std::move(run));
    }
  }
  return suite;
}

}  // namespace

int run_report(const ReportOptions& options) {
  std::vector<ShardFile> inputs;
  Merged merged;
  try {
    std::vector<fs::path> read;
    for (const std::string& path : options.inputs) {
      // A file named twice (a glob and its expansion, say) is read once:
      // counting its runs twice would be wrong, not merely redundant.
      std::error_code ec;
      fs::path canonical = fs::weakly_canonical(path, ec);
      if (ec) canonical = fs::absolute(path).lexically_normal();
      if (std::find(read.begin(), read.end(), canonical) != read.end()) {
        std::cerr << "faultbox report: warning: " << path << " is given twice; read once\n";
        continue;
      }
      read.push_back(canonical);
      inputs.push_back(read_shard_file(path));
    }
    merged = merge(inputs);
  } catch (const InputError& e) {
    std::cerr << "faultbox report: " << e.what() << "\n";
    return kExitUsage;
  }
  for (const std::string& w : merged.warnings) std::cerr << "faultbox report: warning: " << w << "\n";
  std::cerr << std::flush;
  print_report(merged, options);
  try {
    if (!options.json.empty()) write_report_file(options.json, merged_json(merged).dump(2) + "\n");
    if (!options.junit.empty()) write_report_file(options.junit, junit_xml(merged_suite(merged)));
  } catch (const std::exception& e) {
    std::cerr << "faultbox report: " << e.what() << "\n";
    return kExitEnvironment;
  }
  const bool failing = std::any_of(merged.tests.begin(), merged.tests.end(),
                                   [](const MergedTest& t) { return !t.failures.empty(); });
  return failing ? kExitTestFailed : kExitOk;
}

}  // namespace faultbox::cli

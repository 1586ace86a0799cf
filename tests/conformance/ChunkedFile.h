// A starlark-go test file split into chunks, with the expected errors each
// chunk declares. Mirrors starlark-go's internal/chunkedfile: chunks are
// separated by "\n---\n"; each chunk's source is padded with newlines so its
// line numbers are its lines in the whole file; a line containing "###"
// expects an error on that line, matching the Go string literal (quoted or
// backquoted) that follows, as an RE2 search on the bare message.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace re2 {
class RE2;
}

namespace faultbox::star::conformance {

struct Expectation {
  std::string pattern;              // the regular expression, unquoted
  std::shared_ptr<re2::RE2> regex;  // compiled; null if the pattern is invalid
};

struct Chunk {
  int first_line = 1;  // line of the chunk's first line in the file
  int last_line = 1;
  std::string source;  // padded: (first_line - 1) newlines, then the chunk text
  std::map<int, Expectation> expected;  // by line
  // Malformed "###" lines (not a quoted string, or a bad regexp): each makes
  // the chunk fail, as chunkedfile reports them as test errors.
  std::vector<std::string> malformed;
};

// Splits `text` into chunks (one chunk when there is no separator).
std::vector<Chunk> split_chunks(const std::string& text);

// The whole file as one chunk, without reading "###" expectations (for files
// the Go tests run whole: struct.star, scan.star, benchmark.star, paths.star).
Chunk whole_file(const std::string& text);

// Go's strconv.Unquote for "..." and `...` literals. Returns false on
// malformed input.
bool go_unquote(std::string_view quoted, std::string& out);

// Tracks the errors one chunk produced against its expectations, like
// chunkedfile's GotError/Done. Every discrepancy becomes a failure reason.
class ChunkChecker {
 public:
  explicit ChunkChecker(const Chunk& chunk);
  // An error reported at `line` with bare message `msg`.
  void got_error(int line, const std::string& msg);
  // A failure that is not tied to an expectation (unexpected error kind,
  // assertion failure reported by the assert module...).
  void fail(std::string reason) { failures_.push_back(std::move(reason)); }
  // Ends the chunk: every expectation not met becomes a failure.
  void done();
  bool passed() const { return failures_.empty(); }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  std::map<int, const Expectation*> pending_;
  std::vector<std::string> failures_;
};

}  // namespace faultbox::star::conformance

#include "traces/ShivizWriter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "traces/ClockJson.h"
#include "traces/JsText.h"

namespace faultbox::traces {

namespace {

// Header free text: one line, no surrounding spaces.
std::string one_line(std::string_view text) {
  std::string out = js::flatten_line_terminators(text);
  const size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = out.find_last_not_of(" \t");
  return out.substr(b, e - b + 1);
}

void header_line(std::string& out, std::string line) {
  // ShiViz matches `\S* {.*}` before any "\n" that follows a "}", anywhere
  // in the log; a trailing space keeps the "}" off the line's end. The
  // reader trims it.
  if (!line.empty() && line.back() == '}') line += ' ';
  out += line;
  out += '\n';
}

std::string errno_text(int err) { return std::strerror(err); }

// The temporary file until it is renamed: closed and removed on every
// path that does not reach commit().
class TempFile {
 public:
  explicit TempFile(const std::string& target) {
    const std::filesystem::path p(target);
    const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
    name_ = (dir / ("." + p.filename().string() + ".XXXXXX")).string();
    fd_ = ::mkostemp(name_.data(), O_CLOEXEC);
    if (fd_ < 0) throw std::runtime_error("cannot create a temporary file for " + target + ": " + errno_text(errno));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(name_.c_str());
  }

  void write_all(std::string_view data, const std::string& target) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::runtime_error("cannot write " + target + ": " + errno_text(errno));
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  void commit(const std::string& target) {
    // mkostemp makes 0600; a trace is meant to be attached and shared.
    if (::fchmod(fd_, 0644) != 0) throw std::runtime_error("cannot chmod " + name_ + ": " + errno_text(errno));
    if (::fsync(fd_) != 0) throw std::runtime_error("cannot sync " + target + ": " + errno_text(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::runtime_error("cannot close " + target + ": " + errno_text(errno));
    if (::rename(name_.c_str(), target.c_str()) != 0)
      throw std::runtime_error("cannot rename " + name_ + " to " + target + ": " + errno_text(errno));
    committed_ = true;
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool committed_ = false;
};

std::string problem_list(const std::string& path, const std::vector<TraceProblem>& problems) {
  std::string out = "faultbox bug: refusing to write an invalid trace to " + path + ":";
  for (const TraceProblem& p : problems) out += "\n  " + p.text();
  return out;
}

}  // namespace

InvalidTraceError::InvalidTraceError(const std::string& path, std::vector<TraceProblem> problems)
    : std::logic_error(problem_list(path, problems)), problems_(std::move(problems)) {}

std::string write_shiviz(const TraceFile& trace) {
  const TraceHeader& h = trace.header;
  std::string out;
  out += kShivizParserRegex;
  out += "\n\n";
  header_line(out, "# faultbox trace " + std::to_string(h.version));
  header_line(out, "# spec: " + one_line(h.spec_path) + " sha256:" + h.spec_sha256);
  for (const auto& [service, id] : h.binaries) header_line(out, "# binary: " + service + " " + one_line(id));
  header_line(out, "# test: " + h.test + "  run: " + std::to_string(h.run) + "  strategy: " + h.strategy +
                       "  seed: " + std::to_string(h.seed));
  header_line(out, "# verdict: " + one_line(h.verdict));
  header_line(out, std::string("# replayable: ") + (h.replayable ? "yes" : "no (--free)"));
  if (!h.schedule.empty()) header_line(out, "# schedule: " + one_line(h.schedule));
  if (h.placed) {
    std::string line = "# placements: ";
    if (h.placed->empty()) line += "none placed";
    for (size_t i = 0; i < h.placed->size(); ++i)
      line += (i == 0 ? "placed at steps " : ", ") + std::to_string((*h.placed)[i]);
    header_line(out, line);
  }
  if (h.waiting_accepts) {
    std::string line = "# waiting accepts: ";
    if (h.waiting_accepts->empty()) line += "none";
    for (size_t i = 0; i < h.waiting_accepts->size(); ++i)
      line += (i == 0 ? "" : ", ") + (*h.waiting_accepts)[i].first + " " + std::to_string((*h.waiting_accepts)[i].second);
    header_line(out, line);
  }
  for (const std::string& w : h.warnings) header_line(out, "# warning: " + one_line(w));
  for (const TraceEvent& e : trace.events) {
    out += e.host;
    out += ' ';
    out += clock_to_json(e.clock);
    out += '\n';
    // text() already folds "\n" and "\r"; U+2028/U+2029 would end the event
    // early for ShiViz.
    out += js::flatten_line_terminators(e.text());
    out += '\n';
  }
  return out;
}

void save_trace(const std::string& path, const TraceFile& trace) {
  std::vector<TraceProblem> problems = validate_trace(trace);
  if (!problems.empty()) throw InvalidTraceError(path, std::move(problems));
  const std::string text = write_shiviz(trace);
  // The same text as ShiViz and our reader will see it: catches a writer
  // that renders a valid trace into a file either would read differently.
  problems = validate_trace_text(text);
  if (!problems.empty()) throw InvalidTraceError(path, std::move(problems));
  TempFile temp(path);
  temp.write_all(text, path);
  temp.commit(path);
}

}  // namespace faultbox::traces

#include "tests/conformance/ChunkedFile.h"

#include <re2/re2.h>

#include <cstdint>

#include "tests/conformance/Quote.h"

namespace faultbox::star::conformance {

namespace {

constexpr std::string_view kSeparator = "\n---\n";

std::string_view trim_space(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t r) {
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
  if (r < 0x80) {
    out += static_cast<char>(r);
  } else if (r < 0x800) {
    out += static_cast<char>(0xC0 | (r >> 6));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else if (r < 0x10000) {
    out += static_cast<char>(0xE0 | (r >> 12));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (r >> 18));
    out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (r & 0x3F));
  }
}

// Reads the "###" expectations of one chunk's lines, numbering from `line`.
void read_expectations(std::string_view text, int line, Chunk& chunk) {
  size_t start = 0;
  while (true) {
    size_t end = text.find('\n', start);
    std::string_view l = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    size_t hashes = l.find("###");
    if (hashes != std::string_view::npos) {
      std::string_view rest = trim_space(l.substr(hashes + 3));
      std::string pattern;
      if (!go_unquote(rest, pattern)) {
        chunk.malformed.push_back("line " + std::to_string(line) +
                                  ": not a quoted regexp: " + std::string(rest));
      } else {
        RE2::Options opts;
        opts.set_log_errors(false);
        auto rx = std::make_shared<RE2>(pattern, opts);
        if (!rx->ok()) {
          chunk.malformed.push_back("line " + std::to_string(line) + ": bad regexp " +
                                    go_quote(pattern) + ": " + rx->error());
        } else {
          chunk.expected[line] = Expectation{pattern, std::move(rx)};
        }
      }
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
    ++line;
  }
}

int count_lines(std::string_view text) {
  int n = 1;
  for (char c : text)
    if (c == '\n') ++n;
  return n;
}

}  // namespace

bool go_unquote(std::string_view q, std::string& out) {
  out.clear();
  if (q.size() < 2) return false;
  char quote = q.front();
  if (q.back() != quote) return false;
  std::string_view body = q.substr(1, q.size() - 2);
  if (quote == '`') {
    if (body.find('`') != std::string_view::npos) return false;
    for (char c : body)
      if (c != '\r') out += c;  // Go drops carriage returns in raw strings
    return true;
  }
  if (quote != '"') return false;  // a rune literal is not a pattern
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"' || c == '\n') return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= body.size()) return false;
    char e = body[i];
    switch (e) {
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '"': out += '"'; break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + n >= body.size()) return false;
        uint32_t v = 0;
        for (size_t k = 1; k <= n; ++k) {
          int d = hex_digit(body[i + k]);
          if (d < 0) return false;
          v = v * 16 + static_cast<uint32_t>(d);
        }
        i += n;
        if (e == 'x') {
          out += static_cast<char>(v);
        } else {
          if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
          append_utf8(out, v);
        }
        break;
      }
      case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
        if (i + 2 >= body.size()) return false;
        uint32_t v = 0;
        for (size_t k = 0; k < 3; ++k) {
          char d = body[i + k];
          if (d < '0' || d > '7') return false;
          v = v * 8 + static_cast<uint32_t>(d - '0');
        }
        if (v > 255) return false;
        i += 2;
        out += static_cast<char>(v);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

std::vector<Chunk> split_chunks(const std::string& text) {
  std::vector<Chunk> chunks;
  int line = 1;
  size_t start = 0;
  while (true) {
    size_t sep = text.find(kSeparator, start);
    std::string_view piece(text.data() + start,
                           (sep == std::string::npos ? text.size() : sep) - start);
    Chunk c;
    c.first_line = line;
    c.source.assign(static_cast<size_t>(line - 1), '\n');
    c.source.append(piece);
    read_expectations(piece, line, c);
    int n = count_lines(piece);
    c.last_line = line + n - 1;
    // The separator line "---" itself takes one line number.
    line += n + 1;
    chunks.push_back(std::move(c));
    if (sep == std::string::npos) break;
    start = sep + kSeparator.size();
  }
  return chunks;
}

Chunk whole_file(const std::string& text) {
  Chunk c;
  c.first_line = 1;
  c.last_line = count_lines(text);
  c.source = text;
  return c;
}

ChunkChecker::ChunkChecker(const Chunk& chunk) {
  for (auto& [line, exp] : chunk.expected) pending_[line] = &exp;
  for (auto& m : chunk.malformed) failures_.push_back(m);
}

void ChunkChecker::got_error(int line, const std::string& msg) {
  auto it = pending_.find(line);
  if (it == pending_.end()) {
    failures_.push_back("line " + std::to_string(line) + ": unexpected error: " + msg);
    return;
  }
  const Expectation* exp = it->second;
  pending_.erase(it);
  if (!RE2::PartialMatch(msg, *exp->regex)) {
    failures_.push_back("line " + std::to_string(line) + ": error " + go_quote(msg) +
                        " does not match pattern " + go_quote(exp->pattern));
  }
}

void ChunkChecker::done() {
  for (auto& [line, exp] : pending_)
    failures_.push_back("line " + std::to_string(line) + ": expected error matching " +
                        go_quote(exp->pattern) + ", got none");
  pending_.clear();
}

}  // namespace faultbox::star::conformance

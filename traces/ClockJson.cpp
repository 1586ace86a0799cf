#include "traces/ClockJson.h"

#include <cstdio>

#include "traces/JsText.h"

namespace faultbox::traces {

namespace {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const js::CodePoint cp = js::decode_at(s, i);
    const char c = s[i];
    char buf[8];
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else if (cp.value == 0x2028 || cp.value == 0x2029) {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp.value));
      out += buf;
    } else {
      out.append(s.substr(i, cp.len));
    }
    i += cp.len;
  }
  out += '"';
}

// A cursor over the clock text that reports errors with their column.
class ClockParser {
 public:
  explicit ClockParser(std::string_view text) : text_(text) {}

  ClockJsonResult parse() {
    ClockJsonResult result;
    skip_space();
    if (!eat('{')) return fail(result, "expected '{'");
    skip_space();
    if (eat('}')) return finish(result);
    for (;;) {
      skip_space();
      if (peek() != '"') return fail(result, "expected a host name in double quotes");
      std::string host;
      if (!string(host)) return fail(result, error_);
      skip_space();
      if (!eat(':')) return fail(result, "expected ':' after the host name");
      skip_space();
      uint64_t value = 0;
      const size_t value_at = pos_;
      if (!count(value)) return fail(result, error_);
      if (!result.clock.emplace(host, value).second) {
        pos_ = value_at;
        return fail(result, "host \"" + host + "\" appears twice");
      }
      skip_space();
      if (eat('}')) return finish(result);
      if (!eat(',')) return fail(result, "expected ',' or '}'");
    }
  }

 private:
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool at_end() const { return pos_ >= text_.size(); }
  bool eat(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) ++pos_;
  }

  ClockJsonResult& fail(ClockJsonResult& result, const std::string& what) {
    result.clock.clear();
    result.error = what + " at column " + std::to_string(pos_ + 1);
    return result;
  }
  ClockJsonResult& finish(ClockJsonResult& result) {
    skip_space();
    if (!at_end()) return fail(result, "text after the closing '}'");
    return result;
  }

  bool hex4(uint32_t& out) {
    if (text_.size() - pos_ < 4) return error("\\u needs four hex digits");
    out = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return error("\\u needs four hex digits");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // the opening quote
    for (;;) {
      if (at_end()) return error("unterminated string");
      const auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return error("control character in a string");
      if (c != '\\') {
        out += static_cast<char>(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (at_end()) return error("unterminated escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t unit = 0;
          if (!hex4(unit)) return false;
          char32_t code = unit;
          if (unit >= 0xDC00 && unit <= 0xDFFF) return error("lone low surrogate");
          if (unit >= 0xD800 && unit <= 0xDBFF) {
            uint32_t low = 0;
            if (!(eat('\\') && eat('u'))) return error("high surrogate without its low half");
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return error("high surrogate without its low half");
            code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        default:
          --pos_;
          return error("invalid escape");
      }
    }
  }

  // A JSON number that is a positive integer a JavaScript number holds
  // exactly; the full number grammar is read so the error can say why.
  bool count(uint64_t& out) {
    const size_t start = pos_;
    if (eat('-')) return error("negative count");
    if (at_end() || peek() < '0' || peek() > '9') return error("expected a positive integer");
    bool overflow = false;
    uint64_t value = 0;
    const size_t digits_at = pos_;
    while (!at_end() && peek() >= '0' && peek() <= '9') {
      if (value > kMaxClockValue) overflow = true;
      else value = value * 10 + static_cast<uint64_t>(peek() - '0');
      ++pos_;
    }
    if (pos_ - digits_at > 1 && text_[digits_at] == '0') {
      pos_ = start;
      return error("leading zero in a count");
    }
    if (peek() == '.' || peek() == 'e' || peek() == 'E') {
      pos_ = start;
      return error("count is not an integer");
    }
    if (value == 0) {
      pos_ = start;
      return error("count 0 (counts start at 1)");
    }
    if (overflow || value > kMaxClockValue) {
      pos_ = start;
      return error("count beyond 2^53-1, which ShiViz's JavaScript cannot hold exactly");
    }
    out = value;
    return true;
  }

  bool error(std::string what) {
    error_ = std::move(what);
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

std::string clock_to_json(const VectorClock& clock) {
  std::string out = "{";
  bool first = true;
  for (const auto& [host, value] : clock) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, host);
    out += ':';
    out += std::to_string(value);
  }
  out += '}';
  return out;
}

ClockJsonResult parse_clock_json(std::string_view text) { return ClockParser(text).parse(); }

}  // namespace faultbox::traces

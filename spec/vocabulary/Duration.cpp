#include "spec/vocabulary/Duration.h"

#include <cmath>

namespace faultbox::star {

namespace {

struct Unit {
  std::string_view name;
  int64_t ns;
};

constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xC2\xB5s", 1000},  // µs (micro sign)
    {"\xCE\xBCs", 1000},  // μs (Greek mu)
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", 60LL * 1000000000},
    {"h", 3600LL * 1000000000},
};

bool fail(std::string* why, std::string msg) {
  if (why) *why = std::move(msg);
  return false;
}

}  // namespace

std::optional<int64_t> parse_duration(std::string_view text, std::string* why) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return 0;
  if (s.empty()) {
    fail(why, "invalid duration " + quoted);
    return std::nullopt;
  }
  long double total = 0;
  while (!s.empty()) {
    // number: digits [. digits]
    size_t i = 0;
    long double value = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i;
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        value += (s[i] - '0') * scale;
        scale /= 10;
        ++i;
        digits = true;
      }
    }
    if (!digits) {
      fail(why, "invalid duration " + quoted);
      return std::nullopt;
    }
    s.remove_prefix(i);
    size_t u = 0;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(0, u);
    if (unit.empty()) {
      fail(why, "missing unit in duration " + quoted + " (write e.g. \"10s\" or \"250ms\")");
      return std::nullopt;
    }
    const Unit* found = nullptr;
    for (const Unit& k : kUnits)
      if (k.name == unit) found = &k;
    if (!found) {
      fail(why, "unknown unit \"" + std::string(unit) + "\" in duration " + quoted +
                    " (units: ns, us, ms, s, m, h)");
      return std::nullopt;
    }
    total += value * static_cast<long double>(found->ns);
    s.remove_prefix(u);
  }
  if (total > static_cast<long double>(INT64_MAX)) {
    fail(why, "invalid duration " + quoted + " (too long)");
    return std::nullopt;
  }
  int64_t ns = static_cast<int64_t>(std::llround(total));
  return negative ? -ns : ns;
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t v = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (v % 1000000000ULL != 0) {
    if (v % 1000000ULL == 0) return sign + std::to_string(v / 1000000ULL) + "ms";
    if (v % 1000ULL == 0) return sign + std::to_string(v / 1000ULL) + "us";
    return sign + std::to_string(v) + "ns";
  }
  uint64_t secs = v / 1000000000ULL;
  std::string out;
  if (secs >= 3600) {
    out += std::to_string(secs / 3600) + "h";
    secs %= 3600;
  }
  if (secs >= 60) {
    out += std::to_string(secs / 60) + "m";
    secs %= 60;
  }
  if (secs || out.empty()) out += std::to_string(secs) + "s";
  return sign + out;
}

}  // namespace faultbox::star

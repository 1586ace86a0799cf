#include "recorder/ResourceNormalizer.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <optional>
#include <stdexcept>

namespace faultbox::recorder {

namespace {

constexpr size_t kTempSuffixLength = 6;  // mkstemp's XXXXXX

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return is_digit(c) || is_lower(c) || is_upper(c); }
bool is_separator(char c) { return c == '.' || c == '-' || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Six characters as mkstemp draws them: at least two of the three classes,
// and not a capitalised word (one upper then lower only).
bool looks_random(std::string_view s) {
  bool digit = false, lower = false, upper = false;
  for (char c : s) {
    digit |= is_digit(c);
    lower |= is_lower(c);
    upper |= is_upper(c);
  }
  if (int(digit) + int(lower) + int(upper) < 2) return false;
  bool capitalised = is_upper(s[0]);
  for (size_t i = 1; i < s.size() && capitalised; ++i) capitalised = is_lower(s[i]);
  return !capitalised;
}

// The component with its trailing mkstemp-style suffix replaced, if it has one.
std::string fold_temp_suffix(std::string c) {
  if (c.size() == 4 + kTempSuffixLength && c.compare(0, 4, "tmpf") == 0) {
    std::string_view tail = std::string_view(c).substr(4);
    bool alnum = true;
    for (char ch : tail) alnum &= is_alnum(ch);
    if (alnum && looks_random(tail)) return "tmpfXXXXXX";
  }
  size_t start = c.size();
  while (start > 0 && is_alnum(c[start - 1])) --start;
  if (c.size() - start != kTempSuffixLength || start == 0 || !is_separator(c[start - 1])) return c;
  if (!looks_random(std::string_view(c).substr(start))) return c;
  c.replace(start, kTempSuffixLength, "XXXXXX");
  return c;
}

struct Endpoint {
  enum class Kind { Inet4, Inet6, Unix } kind;
  std::string ip;    // numeric, without brackets; unix: the path
  uint16_t port = 0;

  std::string ip_text() const { return kind == Kind::Inet6 ? "[" + ip + "]" : ip; }
  std::string text() const { return ip_text() + ":" + std::to_string(port); }
};

std::optional<uint16_t> parse_port(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + uint32_t(c - '0');
  }
  if (v > 65535) return std::nullopt;
  return uint16_t(v);
}

bool valid_ip(int family, const std::string& ip) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(family, ip.c_str(), buf) == 1;
}

Endpoint parse_endpoint(std::string_view s) {
  auto bad = [&]() {
    return std::invalid_argument("ResourceNormalizer: not an endpoint \"" + std::string(s) +
                                 "\" (expected IPv4:PORT, [IPv6]:PORT or unix:PATH)");
  };
  if (s.substr(0, 5) == "unix:") return Endpoint{Endpoint::Kind::Unix, std::string(s.substr(5)), 0};
  if (!s.empty() && s[0] == '[') {
    size_t close = s.find("]:");
    if (close == std::string_view::npos) throw bad();
    std::string ip(s.substr(1, close - 1));
    auto port = parse_port(s.substr(close + 2));
    if (!port || !valid_ip(AF_INET6, ip)) throw bad();
    return Endpoint{Endpoint::Kind::Inet6, ip, *port};
  }
  size_t colon = s.rfind(':');
  if (colon == std::string_view::npos) throw bad();
  std::string ip(s.substr(0, colon));
  auto port = parse_port(s.substr(colon + 1));
  if (!port || !valid_ip(AF_INET, ip)) throw bad();
  return Endpoint{Endpoint::Kind::Inet4, ip, *port};
}

std::string without_spaces(std::string s) {
  for (char& c : s)
    if (is_space(c)) c = '_';
  return s;
}

}  // namespace

ResourceNormalizer::ResourceNormalizer(std::string run_dir, uint16_t first_ephemeral_port)
    : run_dir_(std::move(run_dir)), first_ephemeral_port_(first_ephemeral_port) {
  while (run_dir_.size() > 1 && run_dir_.back() == '/') run_dir_.pop_back();
  if (!run_dir_.empty() && (run_dir_[0] != '/' || run_dir_ == "/"))
    throw std::invalid_argument("ResourceNormalizer: the run directory must be an absolute path below /, not \"" +
                                run_dir_ + "\"");
}

void ResourceNormalizer::add_pid(pid_t pid) {
  if (pid > 0) pids_.insert(std::to_string(pid));
}

void ResourceNormalizer::add_interface(uint16_t port, std::string name) {
  interfaces_by_port_[port] = std::move(name);
}

void ResourceNormalizer::add_interface(const std::string& ip, uint16_t port, std::string name) {
  // Through the parser, so "::1" and "[::1]" spellings of one address meet.
  std::string text = ip.find(':') != std::string::npos && ip[0] != '[' ? "[" + ip + "]" : ip;
  Endpoint e = parse_endpoint(text + ":" + std::to_string(port));
  interfaces_by_address_[{e.ip, e.port}] = std::move(name);
}

void ResourceNormalizer::add_client(const std::string& endpoint, const std::string& remote, std::string host) {
  clients_[{parse_endpoint(endpoint).text(), parse_endpoint(remote).text()}] = std::move(host);
}

std::string ResourceNormalizer::fold_pids(std::string_view c) const {
  std::string out;
  size_t i = 0;
  while (i < c.size()) {
    if (!is_digit(c[i])) {
      out += c[i++];
      continue;
    }
    size_t end = i;
    while (end < c.size() && is_digit(c[end])) ++end;
    std::string_view digits = c.substr(i, end - i);
    bool left_ok = i == 0 || is_separator(c[i - 1]);
    bool right_ok = end == c.size() || is_separator(c[end]);
    if (left_ok && right_ok && pids_.count(digits))
      out += "$PID";
    else
      out += digits;
    i = end;
  }
  return out;
}

std::string ResourceNormalizer::component(std::string_view c) const {
  if (c.empty()) return {};
  return fold_temp_suffix(fold_pids(c));
}

std::string ResourceNormalizer::path(std::string_view p) const {
  std::string out;
  std::string_view rest = p;
  if (!run_dir_.empty() && p.substr(0, run_dir_.size()) == run_dir_ &&
      (p.size() == run_dir_.size() || p[run_dir_.size()] == '/')) {
    out = "$RUN";
    rest = p.substr(run_dir_.size());
  }
  // Component by component, keeping every '/' (a "//" stays as written:
  // folding it is not ours to decide, and it is stable across runs anyway).
  size_t i = 0;
  while (i <= rest.size()) {
    size_t slash = rest.find('/', i);
    size_t end = slash == std::string_view::npos ? rest.size() : slash;
    out += component(rest.substr(i, end - i));
    if (slash == std::string_view::npos) break;
    out += '/';
    i = slash + 1;
  }
  return without_spaces(std::move(out));
}

std::optional<std::string> ResourceNormalizer::interface_at(std::string_view endpoint) const {
  std::optional<Endpoint> parsed;
  try {
    parsed = parse_endpoint(endpoint);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  const Endpoint& e = *parsed;
  if (e.kind == Endpoint::Kind::Unix) return std::nullopt;
  if (auto it = interfaces_by_address_.find({e.ip, e.port}); it != interfaces_by_address_.end())
    return without_spaces(it->second);
  if (auto it = interfaces_by_port_.find(e.port); it != interfaces_by_port_.end()) return without_spaces(it->second);
  return std::nullopt;
}

std::string ResourceNormalizer::peer(std::string_view endpoint, std::string_view seen_from) const {
  Endpoint e = parse_endpoint(endpoint);
  if (e.kind == Endpoint::Kind::Unix) return "unix:" + path(e.ip);
  if (!seen_from.empty())
    if (auto it = clients_.find({e.text(), parse_endpoint(seen_from).text()}); it != clients_.end())
      return without_spaces(it->second);
  if (auto it = interfaces_by_address_.find({e.ip, e.port}); it != interfaces_by_address_.end())
    return without_spaces(it->second);
  if (auto it = interfaces_by_port_.find(e.port); it != interfaces_by_port_.end()) return without_spaces(it->second);
  if (e.port >= first_ephemeral_port_) return "ext:" + e.ip_text();
  return "ext:" + e.text();
}

}  // namespace faultbox::recorder

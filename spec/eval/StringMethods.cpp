// The methods of string values ("a,b".split(","), "x".upper(), ...), with
// starlark-go's semantics and error messages. Case and class predicates use
// Go's unicode tables (Runes.h); text is walked as UTF-8 with invalid
// bytes read as U+FFFD, as Go's `range` over a string does.
#include <algorithm>
#include <iterator>

#include "spec/eval/Builtin.h"
#include "spec/eval/Format.h"
#include "spec/eval/List.h"
#include "spec/eval/Ops.h"
#include "spec/eval/String.h"
#include "spec/eval/StringSupport.h"
#include "spec/eval/Runes.h"
#include "spec/eval/Thread.h"
#include "spec/eval/Unpack.h"

namespace faultbox::star {
namespace {

using strings::fail;

const std::string& recv(const BuiltinObj& self) { return strings::text(self.receiver()); }

// The common call shape s.f(a): exactly n positional arguments. Methods
// take it without the general argument unpacking (hot in loops).
bool positional_only(const Args& args, size_t n) {
  return args.named.empty() && args.positional.size() == n;
}

// The (sub, start?, end?) arguments of find, index, count...
void unpack_sub(std::string_view fn, const Args& args, std::string& buf, std::string_view& sub,
                Value& start, Value& end) {
  if (positional_only(args, 1) && args.positional[0].is_string()) {
    sub = strings::text(args.positional[0]);
    return;
  }
  unpack_positional(fn, args, 1, {{"sub", &buf}, {"start", &start}, {"end", &end}});
  sub = buf;
}

// Calls f(rune, offset, size) for each rune of s.
template <class F>
void for_each_rune(std::string_view s, F&& f) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      f(static_cast<char32_t>(c), i, size_t{1});
      ++i;
      continue;
    }
    utf8::DecodedRune d = utf8::decode_rune(s, i);
    f(d.rune, i, static_cast<size_t>(d.size));
    i += static_cast<size_t>(d.size);
  }
}

bool is_invalid(char32_t r, size_t size) { return r == utf8::kReplacement && size == 1; }

// Go's strings.Map(mapping, s) for the case mappings: ASCII-only strings are
// mapped bytewise; otherwise every rune is mapped and each invalid byte
// becomes U+FFFD.
template <class F>
std::string map_runes(std::string_view s, F&& mapping) {
  std::string out;
  out.reserve(s.size());
  if (strings::is_ascii(s)) {
    for (char c : s) out.push_back(static_cast<char>(mapping(static_cast<unsigned char>(c))));
    return out;
  }
  for_each_rune(s, [&](char32_t r, size_t, size_t) { utf8::append_rune(out, mapping(r)); });
  return out;
}

Value list_of_strings(Thread& t, const std::vector<std::string_view>& parts) {
  std::vector<Value> elems;
  elems.reserve(parts.size());
  for (std::string_view p : parts) elems.push_back(make_string(std::string(p)));
  return make_list(t.heap(), std::move(elems));
}

// The substring s[start:end] that the start/end arguments select.
std::string_view selected(std::string_view fn, std::string_view s, const Value& start,
                          const Value& end, int64_t& lo) {
  int64_t hi;
  strings::indices(fn, start, end, static_cast<int64_t>(s.size()), lo, hi);
  if (hi <= lo) return std::string_view();
  return s.substr(static_cast<size_t>(lo), static_cast<size_t>(hi - lo));
}

// ---- case -----------------------------------------------------------------------

Value string_capitalize(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("capitalize", args, 0, {});
  const std::string& s = recv(self);
  std::string out;
  out.reserve(s.size());
  for_each_rune(s, [&](char32_t r, size_t i, size_t) {
    utf8::append_rune(out, i == 0 ? runes::to_title(r) : runes::to_lower(r));
  });
  return make_string(std::move(out));
}

Value string_lower(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("lower", args, 0, {});
  return make_string(map_runes(recv(self), runes::to_lower));
}

Value string_upper(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("upper", args, 0, {});
  return make_string(map_runes(recv(self), runes::to_upper));
}

Value string_title(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("title", args, 0, {});
  // Python's rule: upper-case after an uncased rune, lower-case after a cased one.
  const std::string& s = recv(self);
  std::string out;
  out.reserve(s.size());
  bool prev_cased = false;
  for_each_rune(s, [&](char32_t r, size_t, size_t) {
    r = prev_cased ? runes::to_lower(r) : runes::to_title(r);
    prev_cased = runes::is_cased(r);
    utf8::append_rune(out, r);
  });
  return make_string(std::move(out));
}

// ---- predicates -----------------------------------------------------------------

template <class Pred>
Value all_runes(std::string_view fn, const BuiltinObj& self, const Args& args, Pred pred) {
  unpack_positional(fn, args, 0, {});
  const std::string& s = recv(self);
  bool ok = !s.empty();
  for_each_rune(s, [&](char32_t r, size_t, size_t) {
    if (ok && !pred(r)) ok = false;
  });
  return Value::boolean(ok);
}

Value string_isalnum(Thread&, const BuiltinObj& self, const Args& args) {
  return all_runes("isalnum", self, args,
                   [](char32_t r) { return runes::is_letter(r) || runes::is_digit(r); });
}

Value string_isalpha(Thread&, const BuiltinObj& self, const Args& args) {
  return all_runes("isalpha", self, args, runes::is_letter);
}

Value string_isdigit(Thread&, const BuiltinObj& self, const Args& args) {
  return all_runes("isdigit", self, args, runes::is_digit);
}

Value string_isspace(Thread&, const BuiltinObj& self, const Args& args) {
  return all_runes("isspace", self, args, runes::is_space);
}

// s has a cased rune and mapping leaves s unchanged (x == x.lower()).
template <class Map>
Value unchanged_by(std::string_view fn, const BuiltinObj& self, const Args& args, Map mapping) {
  unpack_positional(fn, args, 0, {});
  const std::string& s = recv(self);
  bool cased = false, same = true;
  const bool ascii = strings::is_ascii(s);
  for_each_rune(s, [&](char32_t r, size_t, size_t size) {
    if (!same) return;
    if (!ascii && is_invalid(r, size)) same = false;  // the mapping would write U+FFFD
    if (mapping(r) != r) same = false;
    if (runes::is_cased(r)) cased = true;
  });
  return Value::boolean(cased && same);
}

Value string_islower(Thread&, const BuiltinObj& self, const Args& args) {
  return unchanged_by("islower", self, args, runes::to_lower);
}

Value string_isupper(Thread&, const BuiltinObj& self, const Args& args) {
  return unchanged_by("isupper", self, args, runes::to_upper);
}

Value string_istitle(Thread&, const BuiltinObj& self, const Args& args) {
  unpack_positional("istitle", args, 0, {});
  // Upper-case (or title-case) runes only after uncased ones, lower-case
  // runes only after cased ones.
  bool cased = false, prev_cased = false, ok = true;
  for_each_rune(recv(self), [&](char32_t r, size_t, size_t) {
    if (!ok) return;
    if ((r >= 'A' && r <= 'Z') || runes::is_title(r)) {
      if (prev_cased) ok = false;
      prev_cased = cased = true;
    } else if (runes::is_lower(r)) {
      if (!prev_cased) ok = false;
      prev_cased = cased = true;
    } else if (runes::is_upper(r)) {
      ok = false;
    } else {
      prev_cased = false;
    }
  });
  return Value::boolean(ok && cased);
}

// ---- searching ------------------------------------------------------------------

Value string_count(Thread&, const BuiltinObj& self, const Args& args) {
  std::string buf;
  std::string_view sub;
  Value start, end;
  unpack_sub("count", args, buf, sub, start, end);
  int64_t lo;
  std::string_view s = selected("count", recv(self), start, end, lo);
  if (sub.empty()) return Value::from_int(static_cast<int64_t>(utf8::rune_count(s)) + 1);
  int64_t n = 0;
  for (size_t i = s.find(sub); i != std::string_view::npos; i = s.find(sub, i + sub.size())) ++n;
  return Value::from_int(n);
}

Value find_impl(std::string_view fn, const BuiltinObj& self, const Args& args, bool allow_missing,
                bool last) {
  std::string buf;
  std::string_view sub;
  Value start, end;
  unpack_sub(fn, args, buf, sub, start, end);
  int64_t lo;
  std::string_view s = selected(fn, recv(self), start, end, lo);
  size_t i = last ? s.rfind(sub) : s.find(sub);
  if (i == std::string_view::npos) {
    if (!allow_missing) fail(std::string(fn) + ": substring not found");
    return Value::from_int(-1);
  }
  return Value::from_int(static_cast<int64_t>(i) + lo);
}

Value string_find(Thread&, const BuiltinObj& self, const Args& args) {
  return find_impl("find", self, args, true, false);
}
Value string_rfind(Thread&, const BuiltinObj& self, const Args& args) {
  return find_impl("rfind", self, args, true, true);
}
Value string_index(Thread&, const BuiltinObj& self, const Args& args) {
  return find_impl("index", self, args, false, false);
}
Value string_rindex(Thread&, const BuiltinObj& self, const Args& args) {
  return find_impl("rindex", self, args, false, true);
}

Value affix_impl(std::string_view fn, const BuiltinObj& self, const Args& args, bool suffix) {
  Value x;
  Value start, end;
  if (positional_only(args, 1))
    x = args.positional[0];
  else
    unpack_positional(fn, args, 1, {{"x", &x}, {"start", &start}, {"end", &end}});
  int64_t lo;
  std::string_view s = selected(fn, recv(self), start, end, lo);
  auto match = [&](std::string_view affix) {
    if (affix.size() > s.size()) return false;
    const char* at = suffix ? s.data() + (s.size() - affix.size()) : s.data();
    return strings::same_bytes(at, affix.data(), affix.size());
  };
  if (x.is_string()) return Value::boolean(match(strings::text(x)));
  if (x.is(ObjKind::Tuple)) {
    const auto& elems = x.as<TupleObj>()->elems();
    for (size_t i = 0; i < elems.size(); ++i) {
      if (!elems[i].is_string())
        fail(std::string(fn) + ": want string, got " + std::string(type_name(elems[i])) +
             ", for element " + std::to_string(i));
      if (match(strings::text(elems[i]))) return Value::boolean(true);
    }
    return Value::boolean(false);
  }
  fail(std::string(fn) + ": got " + std::string(type_name(x)) + ", want string or tuple of string");
}

Value string_startswith(Thread&, const BuiltinObj& self, const Args& args) {
  return affix_impl("startswith", self, args, false);
}
Value string_endswith(Thread&, const BuiltinObj& self, const Args& args) {
  return affix_impl("endswith", self, args, true);
}

// ---- building -------------------------------------------------------------------

Value string_format(Thread& t, const BuiltinObj& self, const Args& args) {
  return make_string(format_fields(t, recv(self), args));
}

Value string_join(Thread& t, const BuiltinObj& self, const Args& args) {
  Value iterable;
  if (positional_only(args, 1))
    iterable = args.positional[0];
  else
    unpack_positional("join", args, 1, {{"iterable", &iterable}});
  const std::string& sep = recv(self);
  auto not_string = [](const Value& x) {
    fail("join: in list, want string, got " + std::string(type_name(x)));
  };

  const std::vector<Value>* elems = nullptr;
  if (iterable.is(ObjKind::List)) elems = &iterable.as<ListObj>()->elems();
  if (iterable.is(ObjKind::Tuple)) elems = &iterable.as<TupleObj>()->elems();
  if (elems != nullptr) {
    // Fast path: size the result once.
    size_t total = elems->empty() ? 0 : sep.size() * (elems->size() - 1);
    for (const Value& x : *elems) {
      if (!x.is_string()) not_string(x);
      total += strings::text(x).size();
    }
    if (elems->size() == 1) return (*elems)[0];
    std::string out;
    out.reserve(total);
    for (size_t i = 0; i < elems->size(); ++i) {
      if (i > 0) out += sep;
      out += strings::text((*elems)[i]);
    }
    return make_string(std::move(out));
  }

  std::unique_ptr<Iterator> it = iterate(t, iterable);
  if (!it) fail("join: for parameter 1: got " + std::string(type_name(iterable)) + ", want iterable");
  std::string out;
  Value x;
  for (bool first = true; it->next(x); first = false) {
    if (!first) out += sep;
    if (!x.is_string()) not_string(x);
    out += strings::text(x);
  }
  return make_string(std::move(out));
}

Value string_replace(Thread&, const BuiltinObj& self, const Args& args) {
  std::string old_buf, new_buf;
  std::string_view old_s, new_s;
  int64_t count = -1;
  if (positional_only(args, 2) && args.positional[0].is_string() && args.positional[1].is_string()) {
    old_s = strings::text(args.positional[0]);
    new_s = strings::text(args.positional[1]);
  } else {
    unpack_positional("replace", args, 2, {{"old", &old_buf}, {"new", &new_buf}, {"count", &count}});
    old_s = old_buf;
    new_s = new_buf;
  }
  const std::string& s = recv(self);
  if (old_s == new_s || count == 0) return self.receiver();

  // Number of replacements: all matches, or `count` if fewer. An empty
  // `old` matches before each rune and at the end.
  int64_t matches = 0;
  if (old_s.empty()) {
    matches = static_cast<int64_t>(utf8::rune_count(s)) + 1;
  } else {
    for (size_t i = s.find(old_s); i != std::string::npos; i = s.find(old_s, i + old_s.size()))
      ++matches;
  }
  if (matches == 0) return self.receiver();
  int64_t n = (count < 0 || matches < count) ? matches : count;

  std::string out;
  out.reserve(s.size() + static_cast<size_t>(n) * new_s.size());
  size_t start = 0;
  for (int64_t k = 0; k < n; ++k) {
    size_t j = start;
    if (old_s.empty()) {
      if (k > 0) j += static_cast<size_t>(utf8::decode_rune(s, start).size);
    } else {
      j = s.find(old_s, start);
    }
    out.append(s, start, j - start);
    out += new_s;
    start = j + old_s.size();
  }
  out.append(s, start, std::string::npos);
  return make_string(std::move(out));
}

Value removefix_impl(std::string_view fn, const BuiltinObj& self, const Args& args, bool suffix) {
  std::string fix;
  unpack_positional(fn, args, 1, {{"fix", &fix}});
  const std::string& s = recv(self);
  if (fix.empty() || fix.size() > s.size()) return self.receiver();
  if (suffix) {
    if (s.compare(s.size() - fix.size(), fix.size(), fix) != 0) return self.receiver();
    return make_string(s.substr(0, s.size() - fix.size()));
  }
  if (s.compare(0, fix.size(), fix) != 0) return self.receiver();
  return make_string(s.substr(fix.size()));
}

Value string_removeprefix(Thread&, const BuiltinObj& self, const Args& args) {
  return removefix_impl("removeprefix", self, args, false);
}
Value string_removesuffix(Thread&, const BuiltinObj& self, const Args& args) {
  return removefix_impl("removesuffix", self, args, true);
}

// ---- strip ----------------------------------------------------------------------

enum class Side { Both, Left, Right };

// Go's strings.Trim family: with a cutset, trims runes found in it; without,
// trims Unicode white space.
Value strip_impl(std::string_view fn, const BuiltinObj& self, const Args& args, Side side) {
  std::string chars;
  if (!positional_only(args, 0)) unpack_positional(fn, args, 0, {{"chars", &chars}});
  const std::string& s = recv(self);

  std::vector<char32_t> cut;
  for_each_rune(chars, [&](char32_t r, size_t, size_t) { cut.push_back(r); });
  auto strip_it = [&](char32_t r) {
    if (chars.empty()) return runes::is_space(r);
    return std::find(cut.begin(), cut.end(), r) != cut.end();
  };

  size_t lo = 0, hi = s.size();
  if (side != Side::Right) {
    while (lo < hi) {
      utf8::DecodedRune d = utf8::decode_rune(s, lo);
      if (!strip_it(d.rune)) break;
      lo += static_cast<size_t>(d.size);
    }
  }
  if (side != Side::Left) {
    while (hi > lo) {
      utf8::DecodedRune d = strings::decode_last_rune(std::string_view(s).substr(0, hi), hi);
      if (!strip_it(d.rune)) break;
      hi -= static_cast<size_t>(d.size);
    }
  }
  if (lo == 0 && hi == s.size()) return self.receiver();
  return make_string(s.substr(lo, hi - lo));
}

Value string_strip(Thread&, const BuiltinObj& self, const Args& args) {
  return strip_impl("strip", self, args, Side::Both);
}
Value string_lstrip(Thread&, const BuiltinObj& self, const Args& args) {
  return strip_impl("lstrip", self, args, Side::Left);
}
Value string_rstrip(Thread&, const BuiltinObj& self, const Args& args) {
  return strip_impl("rstrip", self, args, Side::Right);
}

// ---- splitting ------------------------------------------------------------------

Value partition_impl(std::string_view fn, const BuiltinObj& self, const Args& args, bool last) {
  std::string sep;
  unpack_positional(fn, args, 1, {{"sep", &sep}});
  if (sep.empty()) fail(std::string(fn) + ": empty separator");
  const std::string& s = recv(self);
  size_t i = last ? s.rfind(sep) : s.find(sep);
  std::vector<Value> parts;
  parts.reserve(3);
  if (i == std::string::npos) {
    if (last) {
      parts = {make_string(""), make_string(""), self.receiver()};
    } else {
      parts = {self.receiver(), make_string(""), make_string("")};
    }
  } else {
    parts = {make_string(s.substr(0, i)), make_string(sep), make_string(s.substr(i + sep.size()))};
  }
  return make_tuple(std::move(parts));
}

Value string_partition(Thread&, const BuiltinObj& self, const Args& args) {
  return partition_impl("partition", self, args, false);
}
Value string_rpartition(Thread&, const BuiltinObj& self, const Args& args) {
  return partition_impl("rpartition", self, args, true);
}

bool space_at(std::string_view s, size_t i, size_t& size) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    size = 1;
    return c == ' ' || (c >= '\t' && c <= '\r');
  }
  utf8::DecodedRune d = utf8::decode_rune(s, i);
  size = static_cast<size_t>(d.size);
  return runes::is_space(d.rune);
}

// Fields separated by runs of white space; with max >= 0, at most max
// splits, the last field running to the end (leading space skipped).
std::vector<std::string_view> split_space(std::string_view s, int64_t max) {
  std::vector<std::string_view> res;
  size_t start = std::string_view::npos;  // field start, or npos in a run of spaces
  for (size_t i = 0; i < s.size();) {
    size_t size;
    if (space_at(s, i, size)) {
      if (start != std::string_view::npos) {
        if (max >= 0 && static_cast<int64_t>(res.size()) == max) break;
        res.push_back(s.substr(start, i - start));
        start = std::string_view::npos;
      }
    } else if (start == std::string_view::npos) {
      start = i;
    }
    i += size;
  }
  if (start != std::string_view::npos) res.push_back(s.substr(start));
  return res;
}

// The mirror image of split_space, scanning from the end.
std::vector<std::string_view> rsplit_space(std::string_view s, int64_t max) {
  std::vector<std::string_view> res;
  size_t end = std::string_view::npos;  // field end, or npos in a run of spaces
  for (size_t i = s.size(); i > 0;) {
    utf8::DecodedRune d = strings::decode_last_rune(s.substr(0, i), i);
    if (runes::is_space(d.rune)) {
      if (end != std::string_view::npos) {
        if (static_cast<int64_t>(res.size()) == max) break;
        res.push_back(s.substr(i, end - i));
        end = std::string_view::npos;
      }
    } else if (end == std::string_view::npos) {
      end = i;
    }
    i -= static_cast<size_t>(d.size);
  }
  if (end != std::string_view::npos) res.push_back(s.substr(0, end));
  std::reverse(res.begin(), res.end());
  return res;
}

Value split_impl(Thread& t, std::string_view fn, const BuiltinObj& self, const Args& args,
                 bool right) {
  Value sep_v;
  int64_t maxsplit = -1;
  if (positional_only(args, 1))
    sep_v = args.positional[0];
  else if (!positional_only(args, 0))
    unpack_positional(fn, args, 0, {{"sep", &sep_v}, {"maxsplit", &maxsplit}});
  std::string_view s = recv(self);

  if (sep_v.is_none() || sep_v.is_absent()) {
    if (maxsplit < 0 || !right) return list_of_strings(t, split_space(s, maxsplit));
    return list_of_strings(t, rsplit_space(s, maxsplit));
  }
  if (!sep_v.is_string())
    fail("split: got " + std::string(type_name(sep_v)) + " for separator, want string");
  std::string_view sep = strings::text(sep_v);
  if (sep.empty()) fail("split: empty separator");

  std::vector<std::string_view> parts;
  if (!right || maxsplit < 0) {
    size_t start = 0;
    for (int64_t n = 0; maxsplit < 0 || n < maxsplit; ++n) {
      size_t j = s.find(sep, start);
      if (j == std::string_view::npos) break;
      parts.push_back(s.substr(start, j - start));
      start = j + sep.size();
    }
    parts.push_back(s.substr(start));
    return list_of_strings(t, parts);
  }
  // rsplit: separators are found left to right, as split finds them, and
  // only the last maxsplit of them split (so "aaa".rsplit("aa", 1) is
  // ["", "a"], as in starlark-go).
  std::vector<size_t> seps;
  for (size_t j = s.find(sep); j != std::string_view::npos; j = s.find(sep, j + sep.size()))
    seps.push_back(j);
  size_t first = seps.size() > static_cast<size_t>(maxsplit) ? seps.size() - static_cast<size_t>(maxsplit) : 0;
  size_t start = 0;
  for (size_t k = first; k < seps.size(); ++k) {
    parts.push_back(s.substr(start, seps[k] - start));
    start = seps[k] + sep.size();
  }
  parts.push_back(s.substr(start));
  return list_of_strings(t, parts);
}

Value string_split(Thread& t, const BuiltinObj& self, const Args& args) {
  return split_impl(t, "split", self, args, false);
}
Value string_rsplit(Thread& t, const BuiltinObj& self, const Args& args) {
  return split_impl(t, "rsplit", self, args, true);
}

Value string_splitlines(Thread& t, const BuiltinObj& self, const Args& args) {
  bool keepends = false;
  unpack_positional("splitlines", args, 0, {{"keepends", &keepends}});
  std::string_view s = recv(self);
  std::vector<std::string_view> lines;
  // Lines end at "\n" only (as starlark-go does); a final "\n" does not
  // start another line.
  size_t start = 0;
  while (start < s.size()) {
    size_t j = s.find('\n', start);
    if (j == std::string_view::npos) {
      lines.push_back(s.substr(start));
      break;
    }
    lines.push_back(s.substr(start, j - start + (keepends ? 1 : 0)));
    start = j + 1;
  }
  return list_of_strings(t, lines);
}

// ---- views ----------------------------------------------------------------------

Value view_impl(std::string_view fn, const BuiltinObj& self, const Args& args,
                strings::ViewKind kind) {
  unpack_positional(fn, args, 0, {});
  return strings::make_view(self.receiver(), kind);
}

Value string_elems(Thread&, const BuiltinObj& self, const Args& args) {
  return view_impl("elems", self, args, strings::ViewKind::Elems);
}
Value string_elem_ords(Thread&, const BuiltinObj& self, const Args& args) {
  return view_impl("elem_ords", self, args, strings::ViewKind::ElemOrds);
}
Value string_codepoints(Thread&, const BuiltinObj& self, const Args& args) {
  return view_impl("codepoints", self, args, strings::ViewKind::Codepoints);
}
Value string_codepoint_ords(Thread&, const BuiltinObj& self, const Args& args) {
  return view_impl("codepoint_ords", self, args, strings::ViewKind::CodepointOrds);
}

// Sorted by name (MethodTable::find is a binary search).
constexpr Method kStringMethods[] = {
    {"capitalize", string_capitalize},
    {"codepoint_ords", string_codepoint_ords},
    {"codepoints", string_codepoints},
    {"count", string_count},
    {"elem_ords", string_elem_ords},
    {"elems", string_elems},
    {"endswith", string_endswith},
    {"find", string_find},
    {"format", string_format},
    {"index", string_index},
    {"isalnum", string_isalnum},
    {"isalpha", string_isalpha},
    {"isdigit", string_isdigit},
    {"islower", string_islower},
    {"isspace", string_isspace},
    {"istitle", string_istitle},
    {"isupper", string_isupper},
    {"join", string_join},
    {"lower", string_lower},
    {"lstrip", string_lstrip},
    {"partition", string_partition},
    {"removeprefix", string_removeprefix},
    {"removesuffix", string_removesuffix},
    {"replace", string_replace},
    {"rfind", string_rfind},
    {"rindex", string_rindex},
    {"rpartition", string_rpartition},
    {"rsplit", string_rsplit},
    {"rstrip", string_rstrip},
    {"split", string_split},
    {"splitlines", string_splitlines},
    {"startswith", string_startswith},
    {"strip", string_strip},
    {"title", string_title},
    {"upper", string_upper},
};

constexpr MethodTable kStringMethodTable{std::begin(kStringMethods), std::end(kStringMethods)};

}  // namespace

const MethodTable& string_methods() { return kStringMethodTable; }

}  // namespace faultbox::star

// Arbitrary-precision ints. Every result that fits int64 is a small int held
// inline in the Value; only larger magnitudes become a BigIntObj (GMP). Small
// operands of mixed operations are viewed as read-only mpz without copying,
// so the small/small fast paths and the mixed paths never allocate for them.
#include "spec/eval/Int.h"

#include <climits>
#include <cmath>
#include <cstring>

#include "spec/eval/Error.h"
#include "spec/eval/NumberHash.h"

namespace faultbox::star {

static_assert(sizeof(long) == 8, "GMP's si functions are used for int64");
static_assert(GMP_NUMB_BITS == 64, "one limb holds an int64 magnitude");

namespace {

// A read-only mpz view of any int Value (no allocation for small ints).
class MpzView {
 public:
  explicit MpzView(const Value& v) {
    if (v.is_small_int()) {
      int64_t i = v.as_small_int();
      limb_ = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
      ptr_ = mpz_roinit_n(tmp_, &limb_, i == 0 ? 0 : (i < 0 ? -1 : 1));
    } else {
      ptr_ = v.as<BigIntObj>()->mpz();
    }
  }
  MpzView(const MpzView&) = delete;
  MpzView& operator=(const MpzView&) = delete;
  mpz_srcptr get() const { return ptr_; }

 private:
  mp_limb_t limb_ = 0;
  mpz_t tmp_;
  mpz_srcptr ptr_;
};

// An owned mpz result, normalized into a Value by take().
class Mpz {
 public:
  Mpz() { mpz_init(z_); }
  ~Mpz() { mpz_clear(z_); }
  Mpz(const Mpz&) = delete;
  Mpz& operator=(const Mpz&) = delete;
  mpz_ptr get() { return z_; }
  // Moves the result into a Value (small when it fits).
  Value take() {
    if (mpz_fits_slong_p(z_)) return Value::from_int(mpz_get_si(z_));
    auto* b = new BigIntObj();
    mpz_swap(b->mpz(), z_);
    return Value(b);
  }

 private:
  mpz_t z_;
};

[[noreturn]] void fail(std::string msg) { throw EvalError(std::move(msg)); }

template <class F>
Value big_binary(const Value& x, const Value& y, F f) {
  MpzView a(x), b(y);
  Mpz r;
  f(r.get(), a.get(), b.get());
  return r.take();
}

// The shift count as starlark-go's AsInt32 sees it.
int64_t shift_count(const Value& y) {
  if (!y.is_small_int() || y.as_small_int() < INT32_MIN || y.as_small_int() > INT32_MAX)
    fail(int_to_string(y) + " out of range");
  int64_t n = y.as_small_int();
  if (n < 0) fail("negative shift count: " + int_to_string(y));
  return n;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// Digits only (no sign, prefix, space or underscore), at least one.
std::optional<Value> parse_digits(std::string_view s, int base, bool negative) {
  if (s.empty()) return std::nullopt;
  for (char c : s)
    if (digit_value(c) >= base) return std::nullopt;
  // Fast path: accumulate in uint64 while it cannot overflow.
  uint64_t acc = 0;
  bool overflow = false;
  for (char c : s) {
    uint64_t d = static_cast<uint64_t>(digit_value(c));
    if (acc > (UINT64_MAX - d) / static_cast<uint64_t>(base)) {
      overflow = true;
      break;
    }
    acc = acc * static_cast<uint64_t>(base) + d;
  }
  if (!overflow) {
    if (!negative && acc <= static_cast<uint64_t>(INT64_MAX))
      return Value::from_int(static_cast<int64_t>(acc));
    if (negative && acc <= static_cast<uint64_t>(INT64_MAX) + 1)
      return Value::from_int(static_cast<int64_t>(0 - acc));
  }
  Mpz r;
  std::string digits(s);
  if (mpz_set_str(r.get(), digits.c_str(), base) != 0) return std::nullopt;
  if (negative) mpz_neg(r.get(), r.get());
  return r.take();
}

}  // namespace

// --- BigIntObj ---------------------------------------------------------------

BigIntObj::BigIntObj() : Object(ObjKind::BigInt) { mpz_init(z_); }
BigIntObj::~BigIntObj() { mpz_clear(z_); }

void BigIntObj::repr(std::string& out, ReprPath&) const {
  size_t start = out.size();
  out.resize(start + mpz_sizeinbase(z_, 10) + 2);
  mpz_get_str(out.data() + start, 10, z_);
  out.resize(start + std::strlen(out.data() + start));
}

uint32_t BigIntObj::hash(Thread&) const {
  // The value modulo 2^64 (two's complement), like small ints and floats.
  uint64_t low = mpz_getlimbn(z_, 0);
  if (mpz_sgn(z_) < 0) low = ~low + 1;
  return hash_u64(low);
}

bool BigIntObj::equals(Thread&, const Object& other, int) const {
  return other.kind() == ObjKind::BigInt &&
         mpz_cmp(z_, static_cast<const BigIntObj&>(other).z_) == 0;
}

int BigIntObj::compare(Thread&, const Object& other, Token, int) const {
  int c = mpz_cmp(z_, static_cast<const BigIntObj&>(other).z_);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

// --- constructors ----------------------------------------------------------------

Value make_int(int64_t i) { return Value::from_int(i); }

Value make_int_from_mpz(const mpz_t z) {
  if (mpz_fits_slong_p(z)) return Value::from_int(mpz_get_si(z));
  auto* b = new BigIntObj();
  mpz_set(b->mpz(), z);
  return Value(b);
}

Value make_int_from_decimal(const std::string& digits) {
  std::string_view s = digits;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  auto v = parse_digits(s, 10, negative);
  if (!v) throw EvalError("invalid decimal integer: " + digits);
  return *v;
}

Value int_from_double(double d) {
  constexpr double two63 = 9223372036854775808.0;
  if (d >= -two63 && d < two63) return Value::from_int(static_cast<int64_t>(std::trunc(d)));
  Mpz r;
  mpz_set_d(r.get(), d);  // truncates; exact for these magnitudes
  return r.take();
}

// --- arithmetic ------------------------------------------------------------------

Value int_add(const Value& x, const Value& y) {
  int64_t r;
  if (x.is_small_int() && y.is_small_int() &&
      !__builtin_add_overflow(x.as_small_int(), y.as_small_int(), &r))
    return Value::from_int(r);
  return big_binary(x, y, mpz_add);
}

Value int_sub(const Value& x, const Value& y) {
  int64_t r;
  if (x.is_small_int() && y.is_small_int() &&
      !__builtin_sub_overflow(x.as_small_int(), y.as_small_int(), &r))
    return Value::from_int(r);
  return big_binary(x, y, mpz_sub);
}

Value int_mul(const Value& x, const Value& y) {
  int64_t r;
  if (x.is_small_int() && y.is_small_int() &&
      !__builtin_mul_overflow(x.as_small_int(), y.as_small_int(), &r))
    return Value::from_int(r);
  return big_binary(x, y, mpz_mul);
}

Value int_floordiv(const Value& x, const Value& y) {
  if (int_sign(y) == 0) fail("floored division by zero");
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int();
    if (!(a == INT64_MIN && b == -1)) {
      int64_t q = a / b, r = a % b;
      if (r != 0 && ((r < 0) != (b < 0))) --q;
      return Value::from_int(q);
    }
  }
  return big_binary(x, y, mpz_fdiv_q);
}

Value int_mod(const Value& x, const Value& y) {
  if (int_sign(y) == 0) fail("integer modulo by zero");
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int();
    if (b == -1) return Value::from_int(0);
    int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return Value::from_int(r);
  }
  return big_binary(x, y, mpz_fdiv_r);
}

Value int_and(const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int())
    return Value::from_int(x.as_small_int() & y.as_small_int());
  return big_binary(x, y, mpz_and);
}

Value int_or(const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int())
    return Value::from_int(x.as_small_int() | y.as_small_int());
  return big_binary(x, y, mpz_ior);
}

Value int_xor(const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int())
    return Value::from_int(x.as_small_int() ^ y.as_small_int());
  return big_binary(x, y, mpz_xor);
}

Value int_lshift(const Value& x, const Value& y) {
  int64_t n = shift_count(y);
  if (n >= 512) fail("shift count too large: " + int_to_string(y));
  if (x.is_small_int()) {
    int64_t a = x.as_small_int();
    if (a == 0 || n == 0) return x;
    // Fits when the shifted-out bits and the new sign bit all equal the sign.
    if (n < 63) {
      int64_t r = static_cast<int64_t>(static_cast<uint64_t>(a) << n);
      if ((r >> n) == a) return Value::from_int(r);
    }
  }
  MpzView a(x);
  Mpz r;
  mpz_mul_2exp(r.get(), a.get(), static_cast<mp_bitcnt_t>(n));
  return r.take();
}

Value int_rshift(const Value& x, const Value& y) {
  int64_t n = shift_count(y);
  if (x.is_small_int()) {
    int64_t a = x.as_small_int();
    if (n >= 64) return Value::from_int(a < 0 ? -1 : 0);
    return Value::from_int(a >> n);  // arithmetic shift = floor division
  }
  MpzView a(x);
  Mpz r;
  mpz_fdiv_q_2exp(r.get(), a.get(), static_cast<mp_bitcnt_t>(n));
  return r.take();
}

Value int_neg(const Value& x) {
  if (x.is_small_int() && x.as_small_int() != INT64_MIN) return Value::from_int(-x.as_small_int());
  MpzView a(x);
  Mpz r;
  mpz_neg(r.get(), a.get());
  return r.take();
}

Value int_invert(const Value& x) {
  if (x.is_small_int()) return Value::from_int(~x.as_small_int());
  MpzView a(x);
  Mpz r;
  mpz_com(r.get(), a.get());
  return r.take();
}

int int_cmp(const Value& x, const Value& y) {
  if (x.is_small_int() && y.is_small_int()) {
    int64_t a = x.as_small_int(), b = y.as_small_int();
    return a < b ? -1 : a > b ? 1 : 0;
  }
  MpzView a(x), b(y);
  int c = mpz_cmp(a.get(), b.get());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

int int_sign(const Value& x) {
  if (x.is_small_int()) {
    int64_t a = x.as_small_int();
    return a < 0 ? -1 : a > 0 ? 1 : 0;
  }
  return mpz_sgn(x.as<BigIntObj>()->mpz());
}

// --- conversions -----------------------------------------------------------------

std::optional<int64_t> int_to_int64(const Value& x) {
  if (x.is_small_int()) return x.as_small_int();
  return std::nullopt;  // big ints never fit (normalization)
}

std::optional<double> int_to_double(const Value& x) {
  if (x.is_small_int()) return static_cast<double>(x.as_small_int());
  mpz_srcptr z = x.as<BigIntObj>()->mpz();
  // Round to nearest, ties to even (mpz_get_d truncates): take the top 64
  // bits, remember whether anything below them is set, round to 53 bits.
  size_t nbits = mpz_sizeinbase(z, 2);
  if (nbits > 1024) return std::nullopt;
  size_t low_bits = nbits - 64;  // nbits > 63 for a big int
  Mpz top;
  mpz_tdiv_q_2exp(top.get(), z, low_bits);
  mpz_abs(top.get(), top.get());
  uint64_t t = mpz_getlimbn(top.get(), 0);
  bool sticky = mpz_scan1(z, 0) < low_bits;
  uint64_t mant = t >> 11;
  uint64_t rest = t & 0x7ff;
  if (rest > 0x400 || (rest == 0x400 && (sticky || (mant & 1)))) ++mant;
  double d = std::ldexp(static_cast<double>(mant), static_cast<int>(low_bits) + 11);
  if (std::isinf(d)) return std::nullopt;
  return mpz_sgn(z) < 0 ? -d : d;
}

std::string int_to_string(const Value& x) { return int_to_string(x, 10); }

std::string int_to_string(const Value& x, int base) {
  if (x.is_small_int() && base == 10) return std::to_string(x.as_small_int());
  MpzView a(x);
  std::string out(mpz_sizeinbase(a.get(), base) + 2, '\0');
  mpz_get_str(out.data(), base, a.get());
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<Value> int_parse(std::string_view s, int base, int* error_base) {
  int b = base;
  auto invalid = [&]() -> std::optional<Value> {
    if (error_base) *error_base = b;
    return std::nullopt;
  };
  if (b != 0 && (b < 2 || b > 36)) return invalid();

  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }

  int prefix_base = 0;
  if (s.size() > 1 && s[0] == '0') {
    if (s.size() > 2) {
      switch (s[1]) {
        case 'o':
        case 'O':
          prefix_base = 8;
          break;
        case 'x':
        case 'X':
          prefix_base = 16;
          break;
        case 'b':
        case 'B':
          prefix_base = 2;
          break;
        default:
          break;
      }
      if (prefix_base != 0) s.remove_prefix(2);
    }
    // With base detection, a leading 0 without prefix must be all zeros
    // (int("0755", 0) is an error, not octal).
    if (prefix_base == 0 && b == 0) {
      for (size_t i = 1; i < s.size(); ++i)
        if (s[i] != '0') return invalid();
      return Value::from_int(0);
    }
    if (b != 0 && prefix_base != 0 && prefix_base != b) return invalid();
  }
  if (b == 0) b = prefix_base != 0 ? prefix_base : 10;

  auto v = parse_digits(s, b, negative);
  if (!v) return invalid();
  return v;
}

}  // namespace faultbox::star

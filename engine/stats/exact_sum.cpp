#include "stats/exact_sum.h"

#include <cmath>
#include <stdexcept>

namespace deterrence {

namespace {
constexpr int kBias = 1126;  // 1074 (subnormal exponent) + 52 (mantissa bits)
constexpr std::uint32_t kNormalizeEvery = 1u << 29;
}  // namespace

void ExactSum::add(double x) {
  if (x == 0.0) return;
  int exponent = 0;
  const double fraction = std::frexp(x, &exponent);  // x = fraction * 2^exponent, |fraction| in [0.5, 1)
  const auto mantissa = static_cast<std::int64_t>(std::ldexp(fraction, 53));  // exact
  const int shift = exponent - 53 + kBias;
  const int digit = shift / 32;
  const unsigned __int128 magnitude =
      static_cast<unsigned __int128>(mantissa < 0 ? -mantissa : mantissa) << (shift % 32);
  const std::int64_t sign = mantissa < 0 ? -1 : 1;
  digits_[digit] += sign * static_cast<std::int64_t>(magnitude & 0xffffffffu);
  digits_[digit + 1] += sign * static_cast<std::int64_t>((magnitude >> 32) & 0xffffffffu);
  digits_[digit + 2] += sign * static_cast<std::int64_t>(magnitude >> 64);
  if (++pending_ >= kNormalizeEvery) normalize();
}

void ExactSum::add(const ExactSum& other) {
  ExactSum rhs = other;
  rhs.normalize();
  normalize();
  for (int i = 0; i < kDigits; ++i) digits_[i] += rhs.digits_[i];
  normalize();
}

void ExactSum::normalize() {
  for (int i = 0; i < kDigits - 1; ++i) {
    const std::int64_t carry = digits_[i] >> 32;  // floor division by 2^32
    digits_[i] -= carry * (std::int64_t{1} << 32);
    digits_[i + 1] += carry;
  }
  pending_ = 0;
}

long double ExactSum::value_long() const {
  ExactSum copy = *this;
  copy.normalize();
  long double total = 0.0L;
  for (int i = kDigits - 1; i >= 0; --i)
    if (copy.digits_[i] != 0)
      total += std::ldexp(static_cast<long double>(copy.digits_[i]), 32 * i - kBias);
  return total;
}

double ExactSum::value() const { return static_cast<double>(value_long()); }

void ExactSum::append_digits(std::vector<std::int64_t>& out) const {
  ExactSum canonical = *this;
  canonical.normalize();
  out.insert(out.end(), canonical.digits_.begin(), canonical.digits_.end());
}

ExactSum ExactSum::from_digits(const Digits& digits) {
  // Stored digits are canonical (what append_digits writes): every digit but the last in
  // [0, 2^32), the last (the sign) far from overflow. Anything else did not come from a sum and
  // could overflow the carries (found by tests/fuzz/fuzz_results).
  for (int i = 0; i < kDigits - 1; ++i)
    if (digits[i] < 0 || digits[i] >= (std::int64_t{1} << 32))
      throw std::invalid_argument("exact sum digits are not canonical (digit out of [0, 2^32))");
  if (digits[kDigits - 1] <= -(std::int64_t{1} << 40) || digits[kDigits - 1] >= (std::int64_t{1} << 40))
    throw std::invalid_argument("exact sum digits are not canonical (top digit out of range)");
  ExactSum sum;
  sum.digits_ = digits;
  sum.normalize();
  return sum;
}

bool ExactSum::operator==(const ExactSum& other) const {
  ExactSum a = *this, b = other;
  a.normalize();
  b.normalize();
  return a.digits_ == b.digits_;
}

}  // namespace deterrence

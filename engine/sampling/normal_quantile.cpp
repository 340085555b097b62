#include "sampling/normal_quantile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "simd/registers.h"

namespace deterrence {

namespace {

// c[0] + c[1] r + … + c[7] r^7 by Horner's rule, highest power first (AS 241's order).
double polynomial(const double (&c)[8], double r) {
  return ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0];
}

// AS 241's coefficients: the central region |p − 0.5| ≤ 0.425 (a, b), then the tails in
// r = √(−log min(p, 1 − p)) for r ≤ 5 (c, d) and beyond (e, f).
constexpr double kA[8] = {3.3871328727963666080e0,  1.3314166789178437745e+2, 1.9715909503065514427e+3,
                          1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                          3.3430575583588128105e+4, 2.5090809287301226727e+3};
constexpr double kB[8] = {1.0,                      4.2313330701600911252e+1, 6.8718700749205790830e+2,
                          5.3941960214247511077e+3, 2.1213794301586595867e+4, 3.9307895800092710610e+4,
                          2.8729085735721942674e+4, 5.2264952788528545610e+3};
constexpr double kC[8] = {1.42343711074968357734e0,  4.63033784615654529590e0,  5.76949722146069140550e0,
                          3.64784832476320460504e0,  1.27045825245236838258e0,  2.41780725177450611770e-1,
                          2.27238449892691845833e-2, 7.74545014278341407640e-4};
constexpr double kD[8] = {1.0,                       2.05319162663775882187e0,  1.67638483018380384940e0,
                          6.89767334985100004550e-1, 1.48103976427480074590e-1, 1.51986665636164571966e-2,
                          5.47593808499534494600e-4, 1.05075007164441684324e-9};
constexpr double kE[8] = {6.65790464350110377720e0,  5.46378491116411436990e0,  1.78482653991729133580e0,
                          2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                          2.71155556874348757815e-5, 2.01033439929228813265e-7};
constexpr double kF[8] = {1.0,                       5.99832206555887937690e-1, 1.36929880922735805310e-1,
                          1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
                          1.42151175831644588870e-7, 2.04426310338993978564e-15};

}  // namespace

double standard_normal_quantile(double p) {
  const double q = p - 0.5;
  if (std::abs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * polynomial(kA, r) / polynomial(kB, r);
  }
  if (std::isnan(p)) return p;
  const double tail = q < 0.0 ? p : 1.0 - p;  // exact: p ≥ 0.925 here, so 1 − p is (Sterbenz)
  if (!(tail > 0.0)) return q < 0.0 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  double r = std::sqrt(-std::log(tail));
  double value;
  if (r <= 5.0) {
    r -= 1.6;
    value = polynomial(kC, r) / polynomial(kD, r);
  } else {
    r -= 5.0;
    value = polynomial(kE, r) / polynomial(kF, r);
  }
  return q < 0.0 ? -value : value;
}

namespace {

// The wide vector types live only inside functions compiled for their instruction set (the
// entries below inline everything), so no call passes them in registers of another ABI.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// How many values the kernel takes in one piece: their tails wait in a buffer on the stack.
constexpr std::size_t kPiece = 256;

// W at a time, the same operations as the scalar function, never fused: the central formula on
// every lane; then the tails, each r = √(−log tail) one at a time (glibc's log has no vector form
// with its bits; sqrt is exactly rounded either way), and their rational functions W at a time
// again. NaN and p outside (0, 1) go to the scalar function. Forced inline into the entries
// below, each compiled for its instruction set (out of line, in plain x86-64, the wide vectors
// would pass by another ABI — wrong results).
template <int W>
__attribute__((always_inline)) inline void quantiles_on(const double* p, double* z, std::size_t n) {
  using D = simd::Doubles<W>;
  const auto poly = [](const double(&c)[8], const D& r) __attribute__((always_inline)) {
    return ((((((c[7] * r + c[6]) * r + c[5]) * r + c[4]) * r + c[3]) * r + c[2]) * r + c[1]) * r + c[0];
  };
  // The tails of one piece: r, and where each goes.
  double tail_r[kPiece + W];
  std::size_t tail_at[kPiece];
  for (std::size_t start = 0; start < n; start += kPiece) {
    const std::size_t end = std::min(n, start + kPiece);
    // First every value's central formula, noting where the tails are (no branch on each lane:
    // a tail lane is one in seven, at random, and branching on it mispredicts).
    std::size_t tails = 0;
    std::size_t k = start;
    for (; k + W <= end; k += W) {
      D v;
      std::memcpy(&v, p + k, sizeof v);
      const D q = v - 0.5;
      const D r = 0.180625 - q * q;
      const D central = q * poly(kA, r) / poly(kB, r);
      const D magnitude = q < 0.0 ? -q : q;
      const auto inside = magnitude <= 0.425;
      std::memcpy(z + k, &central, sizeof central);
      for (int l = 0; l < W; ++l) {
        tail_at[tails] = k + static_cast<std::size_t>(l);
        tails += inside[l] ? 0 : 1;
      }
    }
    for (; k < end; ++k) {
      if (std::abs(p[k] - 0.5) <= 0.425) z[k] = standard_normal_quantile(p[k]);
      else tail_at[tails++] = k;
    }
    // Then each tail's r = √(−log tail), one at a time; NaN and p outside (0, 1) go to the scalar
    // function.
    std::size_t kept = 0;
    for (std::size_t t = 0; t < tails; ++t) {
      const std::size_t at = tail_at[t];
      const double q = p[at] - 0.5;
      const double tail = q < 0.0 ? p[at] : 1.0 - p[at];
      if (tail > 0.0) {
        tail_r[kept] = std::sqrt(-std::log(tail));
        tail_at[kept++] = at;
      } else {
        z[at] = standard_normal_quantile(p[at]);
      }
    }
    tails = kept;
    // The tails W at a time (the last register padded with r = 1, whose results are not kept).
    for (std::size_t t = tails; t % W != 0; ++t) tail_r[t] = 1.0;
    for (std::size_t t = 0; t < tails; t += W) {
      D r;
      std::memcpy(&r, tail_r + t, sizeof r);
      const auto near = r <= 5.0;
      const D rc = r - 1.6;
      D value = poly(kC, rc) / poly(kD, rc);
      bool any_far = false;
      for (int l = 0; l < W; ++l) any_far |= !near[l];
      if (any_far) {
        const D re = r - 5.0;
        const D far = poly(kE, re) / poly(kF, re);
        value = near ? value : far;
      }
      const std::size_t last = std::min<std::size_t>(W, tails - t);
      for (std::size_t l = 0; l < last; ++l) {
        const std::size_t at = tail_at[t + l];
        z[at] = p[at] - 0.5 < 0.0 ? -value[l] : value[l];
      }
    }
  }
}

#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq"), flatten)) void quantiles_avx512(const double* p, double* z, std::size_t n) {
  quantiles_on<8>(p, z, n);
}
__attribute__((target("avx2"), flatten)) void quantiles_avx2(const double* p, double* z, std::size_t n) {
  quantiles_on<4>(p, z, n);
}
#endif
__attribute__((flatten)) void quantiles_two(const double* p, double* z, std::size_t n) { quantiles_on<2>(p, z, n); }

}  // namespace

std::size_t normal_quantile_lanes() { return static_cast<std::size_t>(simd::widest_register_bits() / 64); }

void standard_normal_quantiles_of(const double* p, double* z, std::size_t n, std::size_t lanes) {
  if (lanes == 0 || lanes > normal_quantile_lanes()) lanes = normal_quantile_lanes();
#if defined(__x86_64__)
  if (lanes == 8) return quantiles_avx512(p, z, n);
  if (lanes == 4) return quantiles_avx2(p, z, n);
#endif
  quantiles_two(p, z, n);
}

}  // namespace deterrence

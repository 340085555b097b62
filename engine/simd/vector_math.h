#pragma once
// Sines and exponentials several at a time, from SLEEF's deterministic functions (the "cinz"
// family: no fused multiply-add, within 1 ULP): every register width and the one-at-a-time functions give the same bits, so a
// model that uses them gives the same results whichever path, width or machine plays a draw.
// glibc's functions are one call per value and cannot be vectorised. (SLEEF's deterministic erfc
// was tried for the copula and left out: 16 ns a value at 8 lanes against glibc's 5.)
#include <cstddef>

namespace deterrence::simd {

// One value each: the bits the many-at-a-time forms give.
double sine(double x);
double exponential(double x);

// out[i] = f(x[i]) for i < n (any n; out may be x). Allocate nothing.
void sines(const double* x, double* out, std::size_t n);
void exponentials(const double* x, double* out, std::size_t n);

}  // namespace deterrence::simd

#pragma once
// Sines several at a time, from SLEEF's deterministic functions (the "cinz" family: no fused
// multiply-add, within 1 ULP): every register width and the one-at-a-time sine() give the same
// bits, so a model that uses them gives the same results whichever path, width or machine plays
// a draw. glibc's sin is one call per value and cannot be vectorised.
#include <cstddef>

namespace deterrence::simd {

// sin(x) for one value: the bits sines() gives.
double sine(double x);

// out[i] = sine(x[i]) for i < n (any n; out may be x). Allocates nothing.
void sines(const double* x, double* out, std::size_t n);

}  // namespace deterrence::simd

#pragma once
// The wide-register parts of vector_math.cpp, each in a file compiled for its instruction set
// (engine/CMakeLists.txt) and called only on a machine that has it (widest_register_bits()).
#include <cstddef>

namespace deterrence::simd {

// f of the first values of x, 8 (AVX-512) or 4 (AVX) at a time; each returns how many it did
// (n rounded down to the width).
std::size_t sines_avx512(const double* x, double* out, std::size_t n);
std::size_t sines_avx(const double* x, double* out, std::size_t n);
std::size_t exponentials_avx512(const double* x, double* out, std::size_t n);
std::size_t exponentials_avx(const double* x, double* out, std::size_t n);

}  // namespace deterrence::simd

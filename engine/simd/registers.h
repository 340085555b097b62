#pragma once
// Which vector registers this machine runs (chosen once, at run time), and vector types of W
// doubles for the kernels that play or sample several values at once. Each kernel is compiled
// once per register width (target attributes) and picks its width from widest_register_bits();
// nothing is fused (-ffp-contract=off), so every width gives the same bits.
namespace deterrence::simd {

// 512 with AVX-512 (F and DQ), 256 with AVX2, else 128 (SSE2 on every x86-64; elsewhere the
// vector types below compile to whatever the machine has).
int widest_register_bits();

// W doubles in one GCC/Clang vector; comparing two gives W 64-bit masks (all ones where true),
// and `mask ? a : b` chooses lane by lane.
template <int W>
struct DoublesOf;
template <>
struct DoublesOf<2> {
  typedef double type __attribute__((vector_size(16)));
};
template <>
struct DoublesOf<4> {
  typedef double type __attribute__((vector_size(32)));
};
template <>
struct DoublesOf<8> {
  typedef double type __attribute__((vector_size(64)));
};
template <int W>
using Doubles = typename DoublesOf<W>::type;

}  // namespace deterrence::simd

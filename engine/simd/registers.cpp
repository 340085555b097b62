#include "simd/registers.h"

namespace deterrence::simd {

int widest_register_bits() {
  static const int bits = [] {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return 512;
    if (__builtin_cpu_supports("avx2")) return 256;
#endif
    return 128;
  }();
  return bits;
}

}  // namespace deterrence::simd

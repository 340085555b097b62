#include "models/coercion/episode_lanes.h"

#include <cstring>

#if defined(__x86_64__) && !defined(__clang__)
#include <immintrin.h>  // the lanes' gathers (episode_lanes_kernel.inc)
#endif

#include "simd/registers.h"

// The wide vector types below live only inside functions compiled for their instruction set (the
// entries at the end inline everything), so no call passes them in registers of another ABI.
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

// Every helper of the wide kernels is forced inline into the entry compiled for its instruction
// set (always_inline: clang, and any compiler without optimisation, may otherwise call it out of
// line, built for plain x86-64, passing the wide vectors by another ABI — wrong results).
#define LANE_INLINE __attribute__((always_inline)) inline
#define LANE_INLINE_LAMBDA __attribute__((always_inline))

namespace deterrence::coercion {

namespace {

// The kernel once per instruction set, each compiled for it (see episode_lanes_kernel.inc).
// clang types the comparisons in the function they are inlined into, so needs no pragma.
#if defined(__x86_64__)
namespace avx512 {
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq")
#endif
#include "models/coercion/episode_lanes_kernel.inc"
#if !defined(__clang__)
#pragma GCC pop_options
#endif
}  // namespace avx512
namespace avx2 {
#if !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("avx2")
#endif
#include "models/coercion/episode_lanes_kernel.inc"
#if !defined(__clang__)
#pragma GCC pop_options
#endif
}  // namespace avx2
#endif
namespace sse2 {
#include "models/coercion/episode_lanes_kernel.inc"
}  // namespace sse2

// One entry per register width, each compiled for its instruction set with everything inlined
// (flatten). Arithmetic is never fused (-ffp-contract=off, CMakeLists.txt), so every width does
// play_episode's roundings.
#if defined(__x86_64__)
__attribute__((target("avx512f,avx512dq"), flatten)) void record_avx512(const LaneEpisode& e, const LaneScalars& s,
                                                                          const PolicyDesign& p, const LanePolicyDraw& d,
                                                                          const LaneMembers& m, const LaneRecord& to,
                                                                          LaneTotals& totals) {
  avx512::play_and_record_on<8>(e, s, p, d, m, to, totals);
}
__attribute__((target("avx2"), flatten)) void record_avx2(const LaneEpisode& e, const LaneScalars& s,
                                                           const PolicyDesign& p, const LanePolicyDraw& d,
                                                           const LaneMembers& m, const LaneRecord& to,
                                                           LaneTotals& totals) {
  avx2::play_and_record_on<4>(e, s, p, d, m, to, totals);
}
#endif
__attribute__((flatten)) void record_two(const LaneEpisode& e, const LaneScalars& s, const PolicyDesign& p,
                                         const LanePolicyDraw& d, const LaneMembers& m, const LaneRecord& to,
                                         LaneTotals& totals) {
  sse2::play_and_record_on<2>(e, s, p, d, m, to, totals);
}

using RecordFunction = void (*)(const LaneEpisode&, const LaneScalars&, const PolicyDesign&, const LanePolicyDraw&,
                                const LaneMembers&, const LaneRecord&, LaneTotals&);

std::size_t widest() { return static_cast<std::size_t>(simd::widest_register_bits() / 64); }

RecordFunction record_function(std::size_t lanes) {
#if defined(__x86_64__)
  if (lanes == 8) return record_avx512;
  if (lanes == 4) return record_avx2;
#endif
  return record_two;
}

}  // namespace

std::size_t episode_lanes() { return widest(); }

void play_and_record_lanes(const LaneEpisode& episode, const LaneScalars& s, const PolicyDesign& policy,
                           const LanePolicyDraw& draw, const LaneMembers& members, const LaneRecord& to,
                           LaneTotals& totals) {
  static const RecordFunction record = record_function(widest());
  record(episode, s, policy, draw, members, to, totals);
}

void play_and_record_lanes(std::size_t lanes, const LaneEpisode& episode, const LaneScalars& s,
                           const PolicyDesign& policy, const LanePolicyDraw& draw, const LaneMembers& members,
                           const LaneRecord& to, LaneTotals& totals) {
  record_function(lanes <= widest() ? lanes : widest())(episode, s, policy, draw, members, to, totals);
}

}  // namespace deterrence::coercion

#pragma once
// One row of a Gaussian copula's x = L z for a block of draws: x[d] = Σ_{c ≤ r} L(r, c)·z[c][d],
// each draw's sum begun at +0 and added term by term in c's order, a multiply then an add (no
// fused multiply-add: the build has -ffp-contract=off), so every instruction set and block size
// gives the bits of the plain loop.
#include <cstddef>

namespace deterrence {

// `lower`: the m x m lower factor, column-major (Eigen's default); `z`: [m][count] normal scores,
// draws contiguous; `x`: count values. Allocates nothing.
void correlated_row(const double* lower, std::size_t m, std::size_t r, const double* z, std::size_t count, double* x);

}  // namespace deterrence

#pragma once
// `deterrence calibrate CONFIG`: conditions the experiment's global parameters on the historical
// cases it declares (engine/calibration/), and writes the draws, weights and validation to FILE.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deterrence {

struct CalibrateCommandOptions {
  std::string config, out;
  std::optional<std::uint64_t> draws, inner, seed, rounds;
  std::string method = "smc";               // smc (tempered sequential Monte Carlo) or importance
  long long hold_out_from = 0;
  std::vector<std::string> hold_out;        // case ids held out by name
  std::optional<double> cess;               // SMC: conditional ESS kept per stage (share of particles)
  std::optional<std::uint32_t> max_moves;   // SMC: move sweeps per stage at most
  std::optional<double> refit_above;        // SMC: exact leave-one-out where PSIS's k is above this
  int threads = 0;
  bool force = false, quiet = false;
  bool resume = false;  // continue from OUT.checkpoint/ after the last completed round
  // Simulation-based calibration: calibrate on a record simulated at prior draw N of another seed.
  std::optional<std::uint64_t> simulate_record, simulate_seed;
};

class World;

// Under MPI (world.size() > 1) the ranks share every round's draws and rank 0 writes the file.
int calibrate_command(const CalibrateCommandOptions& options, const World& world);

}  // namespace deterrence

#pragma once
// SIGTERM (SLURM's time limit and preemption) and SIGINT (Ctrl-C) ask a run to stop after the
// chunks it has started, so it can checkpoint. A second SIGINT kills at once. SIGUSR1 does the
// same: it is the signal mpirun forwards to its ranks.
#include <atomic>

namespace deterrence {

// Installs the handlers; returns the flag they set.
const std::atomic<bool>* stop_on_signals();

// Exit code of a run that stopped on a signal after writing its checkpoint.
inline constexpr int kExitInterrupted = 3;

}  // namespace deterrence

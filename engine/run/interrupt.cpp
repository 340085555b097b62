#include "run/interrupt.h"

#include <csignal>

namespace deterrence {

namespace {
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void request_stop(int) { stop_requested.store(true); }
}  // namespace

const std::atomic<bool>* stop_on_signals() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  // OpenMPI's mpirun aborts the job on its own SIGTERM (exit 1) but forwards SIGUSR1 to every
  // rank, so SIGUSR1 is the signal that stops an MPI run with exit 3 on every path.
  sigaction(SIGUSR1, &action, nullptr);
  action.sa_flags = SA_RESETHAND;  // the second Ctrl-C takes the default action
  sigaction(SIGINT, &action, nullptr);
  return &stop_requested;
}

}  // namespace deterrence

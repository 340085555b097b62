#include "run/mpi_world.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#ifdef DETERRENCE_HAVE_MPI
#include <mpi.h>
#endif

namespace deterrence {

namespace {
// Ranks launched by mpirun (Open MPI, MPICH/Hydra, PMIx, SLURM's srun --mpi) see one of these.
int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* value = std::getenv(name)) return std::atoi(value);
  return 0;
}
}  // namespace

bool World::built_with_mpi() {
#ifdef DETERRENCE_HAVE_MPI
  return true;
#else
  return false;
#endif
}

World::World([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
  const int launched = launched_ranks();
#ifdef DETERRENCE_HAVE_MPI
  if (launched > 0) {
    MPI_Init(argc, argv);
    initialised_ = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
#else
  if (launched > 1)
    throw std::runtime_error("started by mpirun with " + std::to_string(launched) +
                             " ranks, but this deterrence was built without MPI (install libopenmpi-dev and rebuild, "
                             "or use --shard I/N)");
#endif
}

World::~World() {
#ifdef DETERRENCE_HAVE_MPI
  if (initialised_) MPI_Finalize();
#endif
}

int World::max(int value) const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ > 1) {
    int result = value;
    MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return result;
  }
#endif
  return value;
}

void World::barrier() const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

#ifdef DETERRENCE_HAVE_MPI
namespace {
template <typename T>
void share_blocks(std::vector<T>& table, std::size_t width, const std::vector<std::uint64_t>& starts, int size,
                  MPI_Datatype type) {
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  for (int r = 0; r < size; ++r) {
    const auto i = static_cast<std::size_t>(r);
    counts[i] = static_cast<int>((starts[i + 1] - starts[i]) * width);
    offsets[i] = static_cast<int>(starts[i] * width);
  }
  MPI_Allgatherv(MPI_IN_PLACE, 0, type, table.data(), counts.data(), offsets.data(), type, MPI_COMM_WORLD);
}
}  // namespace
#endif

void World::share_rows([[maybe_unused]] std::vector<double>& table, [[maybe_unused]] std::size_t width,
                       [[maybe_unused]] const std::vector<std::uint64_t>& starts) const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ > 1) share_blocks(table, width, starts, size_, MPI_DOUBLE);
#endif
}

void World::share_rows([[maybe_unused]] std::vector<std::uint32_t>& table, [[maybe_unused]] std::size_t width,
                       [[maybe_unused]] const std::vector<std::uint64_t>& starts) const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ > 1) share_blocks(table, width, starts, size_, MPI_UINT32_T);
#endif
}

void World::reduce_to_root([[maybe_unused]] RunStatistics& totals) const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ == 1) return;
  // Every rank's exact partials travel as words; the root merges them (order-free).
  std::vector<std::uint64_t> words = totals.to_words();
  const int count = static_cast<int>(words.size());
  std::vector<std::uint64_t> all(root() ? words.size() * static_cast<std::size_t>(size_) : 0);
  MPI_Gather(words.data(), count, MPI_UINT64_T, all.data(), count, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  if (!root()) return;
  for (int r = 1; r < size_; ++r)
    totals.merge_words({all.data() + static_cast<std::size_t>(r) * words.size(), words.size()});
#endif
}

void World::reduce_to_root([[maybe_unused]] std::vector<ExactSum>& sums) const {
#ifdef DETERRENCE_HAVE_MPI
  if (size_ == 1) return;
  std::vector<std::int64_t> digits;
  digits.reserve(sums.size() * ExactSum::kDigits);
  for (const auto& sum : sums) sum.append_digits(digits);
  const int count = static_cast<int>(digits.size());
  std::vector<std::int64_t> all(root() ? digits.size() * static_cast<std::size_t>(size_) : 0);
  MPI_Gather(digits.data(), count, MPI_INT64_T, all.data(), count, MPI_INT64_T, 0, MPI_COMM_WORLD);
  if (!root()) return;
  for (int r = 1; r < size_; ++r)
    for (std::size_t k = 0; k < sums.size(); ++k) {
      ExactSum::Digits d{};
      std::copy_n(all.begin() + static_cast<long>((static_cast<std::size_t>(r) * sums.size() + k) * ExactSum::kDigits),
                  ExactSum::kDigits, d.begin());
      sums[k].add(ExactSum::from_digits(d));
    }
#endif
}

}  // namespace deterrence

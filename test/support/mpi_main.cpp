// main() for GoogleTest suites that run under mpirun: MPI is initialised around the tests,
// only rank 0 prints results, and every rank exits with the same status: 1 if any rank had
// a failure, else 77 (CTest's skip code) if any rank skipped a case, else 0. Only the
// real-data CTest entries accept 77 as "skipped"; for every other entry it is a failure.
#include <gtest/gtest.h>

#include "paracel/comm.hpp"

int main(int argc, char** argv) {
  paracel::mpi_environment environment(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  paracel::comm world;
  if (world.rank() != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  const int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  const int skipped = ::testing::UnitTest::GetInstance()->skipped_test_count() > 0 ? 1 : 0;
  const int any_failed = world.allreduce(failed, paracel::reduce_op::max);
  const int any_skipped = world.allreduce(skipped, paracel::reduce_op::max);
  if (failed) std::fprintf(stderr, "rank %d had failures\n", world.rank());
  if (any_failed) return 1;
  return any_skipped ? 77 : 0;
}

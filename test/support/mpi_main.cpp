// main() for GoogleTest suites that run under mpirun: MPI is initialised around the tests,
// only rank 0 prints results, and every rank exits non-zero if any rank failed.
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
  const int any_failed = world.allreduce(failed, paracel::reduce_op::max);
  if (failed) std::fprintf(stderr, "rank %d had failures\n", world.rank());
  return any_failed;
}

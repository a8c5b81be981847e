// A worker for prun.py's tests. Every rank reports what it was given, counts itself on the
// servers, and then behaves as --mode says: finish, fail on one rank, or run until killed.
#include <gflags/gflags.h>
#include <mpi.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "paracel/ps_client.hpp"

DEFINE_string(server_info, "", "comma-separated server endpoints");
DEFINE_string(cfg_file, "", "config file");
DEFINE_string(mode, "ok", "ok | fail | sleep");
DEFINE_int32(fail_rank, 0, "the rank that exits with status 3 in fail mode");

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  int rank = 0;
  int ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);

  std::vector<std::string> endpoints;
  std::stringstream in(FLAGS_server_info);
  for (std::string e; std::getline(in, e, ',');) endpoints.push_back(e);
  std::ostringstream extra;
  for (int i = 1; i < argc; ++i) extra << (i > 1 ? " " : "") << argv[i];
  std::cout << "prun_worker rank " << rank << " of " << ranks << " servers=" << endpoints.size()
            << " cfg=" << FLAGS_cfg_file << " extra=[" << extra.str() << "]" << std::endl;

  paracel::client_options options;
  options.deadline = std::chrono::milliseconds(10000);
  paracel::ps_client ps(endpoints, options);
  ps.incr("ranks_started");
  MPI_Barrier(MPI_COMM_WORLD);
  if (FLAGS_mode == "fail" && rank == FLAGS_fail_rank) {
    std::cerr << "prun_worker rank " << rank << ": failing on purpose" << std::endl;
    return 3;
  }
  if (FLAGS_mode == "sleep") {
    std::cout << "prun_worker rank " << rank << " sleeping" << std::endl;
    std::this_thread::sleep_for(std::chrono::minutes(5));
  }
  int status = 0;
  if (rank == 0) {
    const auto started = ps.pull<std::int64_t>("ranks_started");
    std::cout << "prun_worker counted " << started << " ranks" << std::endl;
    status = started == ranks ? 0 : 1;
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}

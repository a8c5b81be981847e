// Parameter servers for a suite run under mpirun: rank 0 hosts them (in-process threads) and
// every rank learns their endpoints. Construct and destroy on every rank (collective).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "paracel/comm.hpp"
#include "support/local_cluster.hpp"

namespace paracel::testing {

class mpi_cluster {
 public:
  explicit mpi_cluster(std::size_t servers = 2, std::size_t threads = 2) {
    paracel::comm world;
    if (world.rank() == 0) {
      cluster_ = std::make_unique<local_cluster>(servers, threads);
      endpoints_ = cluster_->endpoints();
    }
    world.bcast(endpoints_, 0);
  }
  ~mpi_cluster() {
    paracel::comm world;
    world.barrier();  // no rank may still be talking to the servers
  }
  mpi_cluster(const mpi_cluster&) = delete;
  mpi_cluster& operator=(const mpi_cluster&) = delete;

  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  std::unique_ptr<local_cluster> cluster_;
  std::vector<std::string> endpoints_;
};

}  // namespace paracel::testing

// In-process parameter servers on loopback for tests: started by the constructor,
// stopped by the destructor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/server.hpp"

namespace paracel::testing {

class local_cluster {
 public:
  explicit local_cluster(std::size_t servers, std::size_t threads = 2,
                         std::vector<std::string> plugin_dirs = {PARACEL_TEST_PLUGIN_DIR}) {
    for (std::size_t i = 0; i < servers; ++i) {
      server::server_options options;
      options.threads = threads;
      options.plugin_dirs = plugin_dirs;
      servers_.push_back(std::make_unique<server::server>(options));
      endpoints_.push_back(servers_.back()->endpoint());
    }
  }
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  server::server& at(std::size_t i) { return *servers_.at(i); }

 private:
  std::vector<std::unique_ptr<server::server>> servers_;
  std::vector<std::string> endpoints_;
};

}  // namespace paracel::testing

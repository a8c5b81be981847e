// Real data sets for tests, fetched by tool/fetch_data.sh from Debian packages on first use.
// Returns the output folder, or an empty string (the caller skips) when they cannot be had.
#pragma once

#include <cstdlib>
#include <string>

#include "paracel/comm.hpp"

namespace paracel::testing {

inline std::string fetch_real_data(const comm& workers, const std::string& sets) {
  std::string folder;
  if (workers.rank() == 0) {
    const std::string command =
        std::string("bash ") + PARACEL_SOURCE_DIR + "/tool/fetch_data.sh " + sets + " > /dev/null";
    if (std::system(command.c_str()) == 0) {
      const char* data = std::getenv("PARACEL_DATA");
      folder = std::string(data ? data : "/tmp/paracel-data") + "/out";
    }
  }
  workers.bcast(folder, 0);
  return folder;
}

}  // namespace paracel::testing

// Real data sets for tests, fetched and converted by tool/data/fetch.py from Debian packages
// on first use. Returns the output folder, or an empty string when they cannot be had (no
// apt): the caller then skips with GTEST_SKIP, naming what is missing.
#pragma once

#include <cstdlib>
#include <string>

#include "paracel/comm.hpp"

namespace paracel::testing {

inline std::string fetch_real_data(const comm& workers, const std::string& sets) {
  std::string folder;
  if (workers.rank() == 0) {
    const std::string command = std::string("python3 ") + PARACEL_SOURCE_DIR +
                                "/tool/data/fetch.py " + sets + " > /dev/null";
    if (std::system(command.c_str()) == 0) {
      const char* data = std::getenv("PARACEL_DATA");
      folder = std::string(data ? data : "/tmp/paracel-data") + "/out";
    }
  }
  workers.bcast(folder, 0);
  return folder;
}

}  // namespace paracel::testing

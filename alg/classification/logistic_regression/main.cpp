// logistic_regression driver:
//   ./prun.py -p 2 -w 3 -c config/logistic_regression.json build/bin/logistic_regression
#include <iostream>

#include "logistic_regression.hpp"
#include "paracel/comm.hpp"

int main(int argc, char** argv) {
  paracel::mpi_environment mpi(argc, argv);
  try {
    auto cfg = paracel::alg::lr_config::from(paracel::config::from_args(argc, argv));
    paracel::alg::logistic_regression job(paracel::paralg_options::from_args(argc, argv),
                                          std::move(cfg));
    job.solve();
  } catch (const std::exception& e) {
    std::cerr << "logistic_regression: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}

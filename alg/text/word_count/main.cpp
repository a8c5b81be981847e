// word_count driver: ./prun.py -p 2 -w 3 -c config/word_count.json build/bin/word_count
#include <iostream>

#include "paracel/comm.hpp"
#include "word_count.hpp"

int main(int argc, char** argv) {
  paracel::mpi_environment mpi(argc, argv);
  try {
    const auto cfg = paracel::alg::word_count_config::from(paracel::config::from_args(argc, argv));
    paracel::alg::word_count job(paracel::paralg_options::from_args(argc, argv), cfg);
    job.solve();
  } catch (const std::exception& e) {
    std::cerr << "word_count: " << e.what() << std::endl;
    return 1;
  }
  return 0;
}

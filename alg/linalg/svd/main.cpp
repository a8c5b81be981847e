// svd driver: ./prun.py -p 2 -w 3 -c config/svd.json build/bin/svd
#include "run_algorithm.hpp"
#include "svd.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::svd, paracel::alg::svd_config>(argc, argv,
                                                                                  "svd");
}

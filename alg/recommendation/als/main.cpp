// ALS driver: ./prun.py -p 2 -w 3 -c config/als.json build/bin/als
#include "als.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::als, paracel::alg::als_config>(argc, argv,
                                                                                  "als");
}

#include "ridge.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::ridge, paracel::alg::ridge_config>(argc, argv,
                                                                                      "ridge");
}

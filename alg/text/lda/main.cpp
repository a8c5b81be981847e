#include "lda.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::lda, paracel::alg::lda_config>(argc, argv,
                                                                                  "lda");
}

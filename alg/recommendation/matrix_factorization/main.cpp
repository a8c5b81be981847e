// matrix_factorization driver: ./prun.py -p 2 -w 3 -c config/matrix_factorization.json
// build/bin/matrix_factorization
#include "matrix_factorization.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::matrix_factorization, paracel::alg::mf_config>(
      argc, argv, "matrix_factorization");
}

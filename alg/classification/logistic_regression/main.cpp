// logistic_regression driver: ./prun.py -p 2 -w 3 -c config/logistic_regression.json
// build/bin/logistic_regression
#include "logistic_regression.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::logistic_regression, paracel::alg::lr_config>(
      argc, argv, "logistic_regression");
}

#include "lasso.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::lasso, paracel::alg::lasso_config>(argc, argv,
                                                                                      "lasso");
}

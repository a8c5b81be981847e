// similarity driver: ./prun.py -p 2 -w 3 -c config/similarity.json build/bin/similarity
#include "run_algorithm.hpp"
#include "similarity.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::similarity, paracel::alg::similarity_config>(
      argc, argv, "similarity");
}

// pagerank driver: ./prun.py -p 2 -w 3 -c config/pagerank.json build/bin/pagerank
#include "pagerank.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::pagerank, paracel::alg::pagerank_config>(
      argc, argv, "pagerank");
}

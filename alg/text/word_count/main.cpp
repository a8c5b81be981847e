// word_count driver: ./prun.py -p 2 -w 3 -c config/word_count.json build/bin/word_count
#include "run_algorithm.hpp"
#include "word_count.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::word_count, paracel::alg::word_count_config>(
      argc, argv, "word_count");
}

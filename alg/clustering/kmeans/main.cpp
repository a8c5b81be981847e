// kmeans driver: ./prun.py -p 2 -w 3 -c config/kmeans.json build/bin/kmeans
#include "kmeans.hpp"
#include "run_algorithm.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::kmeans, paracel::alg::kmeans_config>(argc, argv,
                                                                                        "kmeans");
}

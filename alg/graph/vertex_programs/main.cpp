// vertex_programs driver: ./prun.py -p 2 -w 3 -c config/vertex_programs.json
// build/bin/vertex_programs
#include "run_algorithm.hpp"
#include "vertex_job.hpp"

int main(int argc, char** argv) {
  return paracel::alg::run_algorithm<paracel::alg::vertex_job, paracel::alg::vertex_config>(
      argc, argv, "vertex_programs");
}

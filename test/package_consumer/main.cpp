// An algorithm written outside the Paracel tree against the installed package: each worker
// loads its share of the input's numbers, adds them with a built-in updater and their
// squares with its own plugin updater, and worker 0 writes "count sum sum_of_squares".
#include <cstdint>
#include <paracel/paralg.hpp>
#include <string>
#include <vector>

class sums : public paracel::paralg {
 public:
  sums(paracel::paralg_options options, std::string input, std::string plugin)
      : paralg(std::move(options)), input_(std::move(input)), plugin_(std::move(plugin)) {}

  void solve() override {
    // A missing key takes the first delta as its value, without the updater: start at 0.
    if (get_worker_id() == 0) paracel_write("squares", 0.0);
    paracel_sync();
    std::int64_t count = 0;
    paracel_load_handle(input_, [&](std::string_view line, const paracel::line_location& where) {
      const double x = paracel::parse_number(line, where, line);
      paracel_update("sum", x, paracel::builtin::add);
      paracel_update("squares", x, plugin_, "add_square");
      ++count;
    });
    count = get_comm().allreduce(count, paracel::reduce_op::sum);
    paracel_sync();
    std::vector<std::string> result;
    if (get_worker_id() == 0) {
      result.push_back(std::to_string(count) + " " + std::to_string(paracel_read<double>("sum")) +
                       " " + std::to_string(paracel_read<double>("squares")));
    }
    paracel_dump_vector(result, "sums");
  }

 private:
  std::string input_, plugin_;
};

int main(int argc, char** argv) {
  paracel::mpi_environment mpi(argc, argv);
  auto options = paracel::paralg_options::from_args(argc, argv);
  sums(options, argv[argc - 2], argv[argc - 1]).solve();
}

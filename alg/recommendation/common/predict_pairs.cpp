#include "predict_pairs.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <vector>

#include "paracel/load.hpp"

namespace paracel::alg {

void predict_pairs(
    paralg& alg, const std::string& input,
    const std::function<double(std::string_view user, std::string_view item)>& predict) {
  std::vector<std::string> predictions;
  double squared = 0;
  std::int64_t rated = 0;
  alg.paracel_load_handle(input, [&](std::string_view line, const line_location& where) {
    const auto fields = split_fields(line);
    if (fields.empty()) return;
    if (fields.size() != 2 && fields.size() != 3)
      throw_parse_error(where, line, "expected \"user item [rating]\"");
    const double predicted = predict(fields[0], fields[1]);
    std::ostringstream p;
    p << std::setprecision(17) << predicted;
    predictions.push_back(p.str());
    if (fields.size() == 3) {
      const double rating = parse_number(fields[2], where, line);
      squared += (rating - predicted) * (rating - predicted);
      ++rated;
    }
  });
  alg.paracel_dump_vector(predictions, "predictions");  // in input order
  squared = alg.get_comm().allreduce(squared, reduce_op::sum);
  rated = alg.get_comm().allreduce(rated, reduce_op::sum);
  metrics m;
  m.set("rated", rated);
  if (rated > 0) m.set("rmse", std::sqrt(squared / static_cast<double>(rated)));
  alg.paracel_dump_metrics(m);
}

}  // namespace paracel::alg

// The predict mode of the recommendation algorithms: "user item [rating]" lines in, one
// prediction per line out (`predictions`, in input order), and with ratings the RMSE in
// metrics.json.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "paracel/paralg.hpp"

namespace paracel::alg {

// Scores every line of `input` with predict(user, item). A malformed line is an error naming
// its file and line. Collective.
void predict_pairs(
    paralg& alg, const std::string& input,
    const std::function<double(std::string_view user, std::string_view item)>& predict);

}  // namespace paracel::alg

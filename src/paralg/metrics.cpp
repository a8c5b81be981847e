#include "paracel/metrics.hpp"

#include <nlohmann/json.hpp>

namespace paracel {

struct metrics::impl {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
};

metrics::metrics() : impl_(std::make_unique<impl>()) {}
metrics::~metrics() = default;
metrics::metrics(const metrics& other) : impl_(std::make_unique<impl>(*other.impl_)) {}
metrics& metrics::operator=(const metrics& other) {
  *impl_ = *other.impl_;
  return *this;
}

metrics& metrics::set(std::string_view key, double value) {
  impl_->values[std::string(key)] = value;
  return *this;
}
metrics& metrics::set(std::string_view key, std::int64_t value) {
  impl_->values[std::string(key)] = value;
  return *this;
}
metrics& metrics::set(std::string_view key, std::string_view value) {
  impl_->values[std::string(key)] = std::string(value);
  return *this;
}
metrics& metrics::set(std::string_view key, bool value) {
  impl_->values[std::string(key)] = value;
  return *this;
}
metrics& metrics::set(std::string_view key, const std::vector<std::vector<double>>& rows) {
  impl_->values[std::string(key)] = rows;
  return *this;
}

// NaN and infinities have no JSON spelling: nlohmann writes them as null, which readers
// take as "no value" rather than choking on the file.
std::string metrics::json() const { return impl_->values.dump(); }

}  // namespace paracel

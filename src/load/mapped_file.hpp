// A read-only memory map of a whole file (RAII). Empty files map to an empty view.
#pragma once

#include <string>
#include <string_view>

namespace paracel::load {

class mapped_file {
 public:
  explicit mapped_file(const std::string& path);  // throws paracel::error naming the path
  ~mapped_file();
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;

  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace paracel::load

// How the request fuzzer reads its input: a sequence of messages, each a count of frames
// (1-4, from one byte) and the frames, each a 16-bit little-endian length and its bytes; the
// last frame of the input may be cut short. The seed writer (fuzz_seeds.cpp) writes the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace paracel::fuzz {

using message = std::vector<std::string>;

inline std::vector<message> split_messages(const std::uint8_t* data, std::size_t size,
                                           std::size_t max_messages) {
  std::vector<message> out;
  std::size_t at = 0;
  while (at < size && out.size() < max_messages) {
    const std::size_t frames = 1 + data[at++] % 4;
    message m;
    for (std::size_t f = 0; f < frames && at < size; ++f) {
      std::size_t length = data[at++];
      if (at < size) length |= static_cast<std::size_t>(data[at++]) << 8;
      length = std::min(length, size - at);
      m.emplace_back(reinterpret_cast<const char*>(data + at), length);
      at += length;
    }
    out.push_back(std::move(m));
  }
  return out;
}

inline std::string join_messages(const std::vector<message>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out.push_back(static_cast<char>(m.size() - 1));
    for (const auto& frame : m) {
      out.push_back(static_cast<char>(frame.size() & 0xff));
      out.push_back(static_cast<char>(frame.size() >> 8));
      out += frame;
    }
  }
  return out;
}

}  // namespace paracel::fuzz

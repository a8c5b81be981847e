// Uses the installed headers and library: encodes a value and places a key.
#include <iostream>
#include <paracel/codec.hpp>
#include <paracel/ps_client.hpp>
#include <paracel/ring.hpp>

int main() {
  const auto bytes = paracel::encode(std::vector<double>{1, 2, 3});
  const auto back = paracel::decode<std::vector<double>>(bytes);
  paracel::hash_ring ring(4);
  std::cout << "decoded " << back.size() << " values; w_0 on server " << ring.server_of("w_0")
            << "\n";
  return back.size() == 3 && ring.server_of("w_0") == 1 ? 0 : 1;
}

#include <msgpack.hpp>

#include "paracel/checkpoint.hpp"

namespace paracel {

const std::string& worker_state::bytes_of(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    std::string saved;
    for (const auto& [k, v] : values_) saved += (saved.empty() ? "" : ", ") + k;
    throw error("checkpoint: the worker state has no value '" + name + "' (it has: " +
                (saved.empty() ? "nothing" : saved) + "); did save_state() put it?");
  }
  return it->second;
}

// A msgpack map of name (str) to encoded value (bin).
std::string worker_state::serialize() const {
  std::string out;
  detail::string_writer writer{out};
  msgpack::packer<detail::string_writer> pack(writer);
  pack.pack_map(static_cast<std::uint32_t>(values_.size()));
  for (const auto& [name, bytes] : values_) {
    pack.pack(name);
    pack.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    pack.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
  }
  return out;
}

worker_state worker_state::parse(std::string_view bytes, const std::string& where) {
  worker_state state;
  try {
    detail::check_msgpack_shape(bytes.data(), bytes.size());
    std::size_t offset = 0;
    const auto handle = msgpack::unpack(bytes.data(), bytes.size(), offset, detail::reference_bulk,
                                        nullptr, detail::limit_for(bytes.size()));
    if (offset != bytes.size()) throw msgpack::unpack_error("trailing bytes");
    const msgpack::object& o = handle.get();
    if (o.type != msgpack::type::MAP) throw msgpack::type_error();
    for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
      const auto& kv = o.via.map.ptr[i];
      if (kv.key.type != msgpack::type::STR || kv.val.type != msgpack::type::BIN)
        throw msgpack::type_error();
      state.values_.insert_or_assign(std::string(kv.key.via.str.ptr, kv.key.via.str.size),
                                     std::string(kv.val.via.bin.ptr, kv.val.via.bin.size));
    }
  } catch (const std::exception& e) {
    throw error("checkpoint: " + where + " is not a worker state (" + e.what() + ")");
  }
  return state;
}

}  // namespace paracel

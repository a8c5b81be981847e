// MPI for Paracel's workers: an RAII environment and a typed communicator.
//
//   paracel::mpi_environment env(argc, argv);   // MPI_Init_thread ... MPI_Finalize
//   paracel::comm world;                        // MPI_COMM_WORLD
//   double total = world.allreduce(local, paracel::reduce_op::sum);
//
// Values of arithmetic types, and vectors of them, travel as raw MPI data; anything else is
// serialised with paracel::encode (msgpack), so user structs with MSGPACK_DEFINE work too.
// Every member marked "collective" must be called by every rank of the communicator, in the
// same order. A comm is not thread-safe: use it from one thread (the environment asks MPI for
// MPI_THREAD_FUNNELED, since parameter-server traffic never goes through MPI).
// Works without mpirun too, as a single rank.
#pragma once

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "paracel/codec.hpp"
#include "paracel/error.hpp"
#include "paracel/export.hpp"

namespace paracel {

// Initialises MPI if nobody has yet, and finalises it on destruction if it initialised it.
class PARACEL_EXPORT mpi_environment {
 public:
  mpi_environment(int& argc, char**& argv);
  mpi_environment();
  ~mpi_environment();
  mpi_environment(const mpi_environment&) = delete;
  mpi_environment& operator=(const mpi_environment&) = delete;

 private:
  bool owns_ = false;
};

enum class reduce_op { sum, min, max };

namespace detail {
template <class T>
struct is_std_vector : std::false_type {};
template <class E, class A>
struct is_std_vector<std::vector<E, A>> : std::true_type {};

template <class T>
MPI_Datatype mpi_type() {
  if constexpr (std::is_same_v<T, double>)
    return MPI_DOUBLE;
  else if constexpr (std::is_same_v<T, float>)
    return MPI_FLOAT;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return MPI_INT32_T;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return MPI_INT64_T;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return MPI_UINT32_T;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return MPI_UINT64_T;
  else if constexpr (std::is_same_v<T, char>)
    return MPI_CHAR;
  else if constexpr (std::is_same_v<T, unsigned long long>)
    return MPI_UNSIGNED_LONG_LONG;
  else if constexpr (std::is_same_v<T, long long>)
    return MPI_LONG_LONG;
  else
    static_assert(sizeof(T) == 0, "no MPI datatype for this type");
}
template <class T>
constexpr bool has_mpi_type =
    std::is_same_v<T, double> || std::is_same_v<T, float> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint32_t> ||
    std::is_same_v<T, std::uint64_t> || std::is_same_v<T, long long> ||
    std::is_same_v<T, unsigned long long>;

PARACEL_EXPORT MPI_Op mpi_op(reduce_op op);
PARACEL_EXPORT void check_mpi(int code, const char* what);
}  // namespace detail

// A pending non-blocking send; waits for completion on destruction.
class PARACEL_EXPORT send_request {
 public:
  send_request() = default;
  send_request(std::string buffer, MPI_Comm comm, int dest, int tag);
  send_request(send_request&& other) noexcept;
  send_request& operator=(send_request&& other) noexcept;
  ~send_request();
  void wait();

 private:
  std::unique_ptr<std::string> buffer_;  // heap-held: its address must not move in flight
  MPI_Request request_ = MPI_REQUEST_NULL;
};

class PARACEL_EXPORT comm {
 public:
  // MPI_COMM_WORLD (the environment must be alive).
  comm();
  // Takes ownership of `handle` when `owned` (it is then freed on destruction).
  explicit comm(MPI_Comm handle, bool owned = false);
  comm(comm&& other) noexcept;
  comm& operator=(comm&& other) noexcept;
  comm(const comm&) = delete;
  comm& operator=(const comm&) = delete;
  ~comm();

  int rank() const { return rank_; }
  int size() const { return size_; }
  MPI_Comm handle() const { return handle_; }

  void barrier() const;  // collective

  // ---- point to point ------------------------------------------------------------------
  template <class T>
  void send(const T& value, int dest, int tag = 0) const {
    send_bytes(encode(value), dest, tag);
  }
  template <class T>
  send_request isend(const T& value, int dest, int tag = 0) const {
    return send_request(encode(value), handle_, dest, tag);
  }
  template <class T>
  T recv(int source, int tag = 0) const {
    return decode<T>(recv_bytes(source, tag));
  }

  // ---- collectives -------------------------------------------------------------------
  // Copies `value` from `root` to every rank. Collective.
  template <class T>
  void bcast(T& value, int root = 0) const {
    std::string bytes = rank_ == root ? encode(value) : std::string();
    bcast_bytes(bytes, root);
    if (rank_ != root) value = decode<T>(bytes);
  }

  // Element-wise reduction of a number or a vector of numbers over all ranks; every rank
  // gets the result. Vectors must have the same length everywhere. Collective.
  template <class T>
  T allreduce(const T& value, reduce_op op) const {
    T out = value;
    if constexpr (detail::is_std_vector<T>::value) {
      using E = typename T::value_type;
      detail::check_mpi(MPI_Allreduce(MPI_IN_PLACE, out.data(), static_cast<int>(out.size()),
                                      detail::mpi_type<E>(), detail::mpi_op(op), handle_),
                        "MPI_Allreduce");
    } else {
      detail::check_mpi(
          MPI_Allreduce(MPI_IN_PLACE, &out, 1, detail::mpi_type<T>(), detail::mpi_op(op), handle_),
          "MPI_Allreduce");
    }
    return out;
  }

  // Every rank's value, in rank order, on `root` (empty elsewhere). Collective.
  template <class T>
  std::vector<T> gather(const T& value, int root = 0) const {
    std::vector<T> out;
    for (auto& bytes : gather_bytes(encode(value), root, false)) out.push_back(decode<T>(bytes));
    return out;
  }
  // Every rank's value, in rank order, on every rank. Collective.
  template <class T>
  std::vector<T> allgather(const T& value) const {
    std::vector<T> out;
    for (auto& bytes : gather_bytes(encode(value), 0, true)) out.push_back(decode<T>(bytes));
    return out;
  }

  // outgoing[r] goes to rank r; returns incoming[r] from rank r. Collective.
  template <class T>
  std::vector<T> alltoall(const std::vector<T>& outgoing) const {
    if (outgoing.size() != static_cast<std::size_t>(size_)) {
      throw error("alltoall needs one value per rank (" + std::to_string(size_) + "), got " +
                  std::to_string(outgoing.size()));
    }
    std::vector<std::string> bytes;
    bytes.reserve(outgoing.size());
    for (const auto& v : outgoing) bytes.push_back(encode(v));
    std::vector<T> out;
    for (auto& b : alltoall_bytes(bytes)) out.push_back(decode<T>(b));
    return out;
  }

  // Combines every rank's value with `combine` along a binary tree (log2(size) rounds); the
  // result is on `root`, and on every rank when `everywhere`. `combine` must be associative.
  // Collective.
  template <class T, class F>
  T treereduce(T value, F combine, int root = 0, bool everywhere = false) const {
    // Ranks are renumbered so that the tree's root is `root`.
    const int me = (rank_ - root + size_) % size_;
    for (int step = 1; step < size_; step <<= 1) {
      if (me % (2 * step) == step) {
        send(value, (me - step + root) % size_, k_tree_tag);
        break;
      }
      if (me % (2 * step) == 0 && me + step < size_) {
        value = combine(value, recv<T>((me + step + root) % size_, k_tree_tag));
      }
    }
    if (everywhere) bcast(value, root);
    return value;
  }

  // Runs a local phase (e.g. parsing) that may throw on some ranks only, then makes every
  // rank throw if any failed, so that none is left waiting in the next collective. The error
  // names the first failing rank and its message. Collective.
  template <class F>
  void all_or_none(F&& local_phase) const {
    std::string failure;
    try {
      local_phase();
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = "unknown error";
    }
    const auto failures = allgather(failure);
    for (int r = 0; r < size_; ++r) {
      if (failures[r].empty()) continue;
      if (r == rank_) throw error(failures[r]);
      throw error("worker " + std::to_string(r) + " failed: " + failures[r]);
    }
  }

  // Ranks with the same color form a new communicator, ordered by key then rank. Collective.
  comm split(int color, int key = 0) const;

  // Byte-level forms of the calls above.
  void send_bytes(const std::string& bytes, int dest, int tag) const;
  std::string recv_bytes(int source, int tag) const;
  void bcast_bytes(std::string& bytes, int root) const;
  std::vector<std::string> gather_bytes(const std::string& bytes, int root, bool everywhere) const;
  std::vector<std::string> alltoall_bytes(const std::vector<std::string>& outgoing) const;

 private:
  static constexpr int k_tree_tag = 0x7ace;
  MPI_Comm handle_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace paracel

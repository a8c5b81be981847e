#include "paracel/comm.hpp"

#include <limits>
#include <numeric>

namespace paracel {

namespace detail {

MPI_Op mpi_op(reduce_op op) {
  switch (op) {
    case reduce_op::sum:
      return MPI_SUM;
    case reduce_op::min:
      return MPI_MIN;
    case reduce_op::max:
      return MPI_MAX;
  }
  return MPI_SUM;
}

void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw error(std::string(what) + " failed: " + std::string(text, length));
}

int checked_count(std::size_t bytes, const char* what) {
  if (bytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw error(std::string(what) + ": message of " + std::to_string(bytes) +
                " bytes exceeds MPI's 2 GiB count limit; send it in parts");
  }
  return static_cast<int>(bytes);
}

}  // namespace detail

using detail::check_mpi;
using detail::checked_count;

namespace {

bool mpi_initialized() {
  int flag = 0;
  MPI_Initialized(&flag);
  return flag != 0;
}

}  // namespace

namespace {

// An MPI error aborts the whole job (docs/errors.md): a rank that threw instead would leave
// the others blocked in their next collective. Set explicitly, whatever the MPI library's or
// the site's default; communicators made from the world inherit it.
void abort_on_mpi_errors() { MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL); }

}  // namespace

mpi_environment::mpi_environment(int& argc, char**& argv) {
  if (mpi_initialized()) return;
  int provided = 0;
  check_mpi(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  abort_on_mpi_errors();
  owns_ = true;
}

mpi_environment::mpi_environment() {
  if (mpi_initialized()) return;
  int provided = 0;
  check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  abort_on_mpi_errors();
  owns_ = true;
}

mpi_environment::~mpi_environment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_ && !finalized) MPI_Finalize();
}

send_request::send_request(std::string buffer, MPI_Comm comm, int dest, int tag)
    : buffer_(std::make_unique<std::string>(std::move(buffer))) {
  check_mpi(MPI_Isend(buffer_->data(), checked_count(buffer_->size(), "isend"), MPI_BYTE, dest, tag,
                      comm, &request_),
            "MPI_Isend");
}

send_request::send_request(send_request&& other) noexcept
    : buffer_(std::move(other.buffer_)), request_(other.request_) {
  other.request_ = MPI_REQUEST_NULL;
}

send_request& send_request::operator=(send_request&& other) noexcept {
  if (this != &other) {
    wait();
    buffer_ = std::move(other.buffer_);
    request_ = other.request_;
    other.request_ = MPI_REQUEST_NULL;
  }
  return *this;
}

send_request::~send_request() { wait(); }

void send_request::wait() {
  if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);
}

comm::comm() : comm(MPI_COMM_WORLD, false) {}

comm::comm(MPI_Comm handle, bool owned) : handle_(handle), owned_(owned) {
  check_mpi(MPI_Comm_rank(handle_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(handle_, &size_), "MPI_Comm_size");
}

comm::comm(comm&& other) noexcept
    : handle_(other.handle_), owned_(other.owned_), rank_(other.rank_), size_(other.size_) {
  other.handle_ = MPI_COMM_NULL;
  other.owned_ = false;
}

comm& comm::operator=(comm&& other) noexcept {
  if (this != &other) {
    if (owned_ && handle_ != MPI_COMM_NULL) MPI_Comm_free(&handle_);
    handle_ = other.handle_;
    owned_ = other.owned_;
    rank_ = other.rank_;
    size_ = other.size_;
    other.handle_ = MPI_COMM_NULL;
    other.owned_ = false;
  }
  return *this;
}

comm::~comm() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owned_ && handle_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&handle_);
}

void comm::barrier() const { check_mpi(MPI_Barrier(handle_), "MPI_Barrier"); }

void comm::send_bytes(const std::string& bytes, int dest, int tag) const {
  check_mpi(
      MPI_Send(bytes.data(), checked_count(bytes.size(), "send"), MPI_BYTE, dest, tag, handle_),
      "MPI_Send");
}

std::string comm::recv_bytes(int source, int tag) const {
  MPI_Status status;
  check_mpi(MPI_Probe(source, tag, handle_, &status), "MPI_Probe");
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  std::string bytes(static_cast<std::size_t>(count), '\0');
  check_mpi(MPI_Recv(bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, handle_,
                     MPI_STATUS_IGNORE),
            "MPI_Recv");
  return bytes;
}

void comm::bcast_bytes(std::string& bytes, int root) const {
  std::uint64_t size = bytes.size();
  check_mpi(MPI_Bcast(&size, 1, MPI_UINT64_T, root, handle_), "MPI_Bcast");
  if (rank_ != root) bytes.assign(size, '\0');
  check_mpi(MPI_Bcast(bytes.data(), checked_count(size, "bcast"), MPI_BYTE, root, handle_),
            "MPI_Bcast");
}

namespace {

// Displacements of concatenated blocks of the given sizes.
std::vector<int> offsets_of(const std::vector<int>& sizes, const char* what) {
  std::vector<int> offsets(sizes.size(), 0);
  std::size_t total = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    offsets[i] = checked_count(total, what);
    total += static_cast<std::size_t>(sizes[i]);
  }
  checked_count(total, what);
  return offsets;
}

std::vector<std::string> cut(const std::string& all, const std::vector<int>& sizes,
                             const std::vector<int>& offsets) {
  std::vector<std::string> out;
  out.reserve(sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) out.push_back(all.substr(offsets[i], sizes[i]));
  return out;
}

}  // namespace

std::vector<std::string> comm::gather_bytes(const std::string& bytes, int root,
                                            bool everywhere) const {
  const int mine = checked_count(bytes.size(), "gather");
  std::vector<int> sizes(size_, 0);
  if (everywhere) {
    check_mpi(MPI_Allgather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, handle_), "MPI_Allgather");
  } else {
    check_mpi(MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, root, handle_), "MPI_Gather");
  }
  if (!everywhere && rank_ != root) {
    check_mpi(MPI_Gatherv(bytes.data(), mine, MPI_BYTE, nullptr, nullptr, nullptr, MPI_BYTE, root,
                          handle_),
              "MPI_Gatherv");
    return {};
  }
  const auto offsets = offsets_of(sizes, "gather");
  std::string all(static_cast<std::size_t>(offsets.back()) + sizes.back(), '\0');
  if (everywhere) {
    check_mpi(MPI_Allgatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(),
                             MPI_BYTE, handle_),
              "MPI_Allgatherv");
  } else {
    check_mpi(MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(),
                          MPI_BYTE, root, handle_),
              "MPI_Gatherv");
  }
  return cut(all, sizes, offsets);
}

std::vector<std::string> comm::alltoall_bytes(const std::vector<std::string>& outgoing) const {
  std::vector<int> send_sizes(size_);
  std::string send_all;
  for (int r = 0; r < size_; ++r) {
    send_sizes[r] = checked_count(outgoing[r].size(), "alltoall");
    send_all += outgoing[r];
  }
  std::vector<int> recv_sizes(size_);
  check_mpi(MPI_Alltoall(send_sizes.data(), 1, MPI_INT, recv_sizes.data(), 1, MPI_INT, handle_),
            "MPI_Alltoall");
  const auto send_offsets = offsets_of(send_sizes, "alltoall");
  const auto recv_offsets = offsets_of(recv_sizes, "alltoall");
  std::string recv_all(static_cast<std::size_t>(recv_offsets.back()) + recv_sizes.back(), '\0');
  check_mpi(
      MPI_Alltoallv(send_all.data(), send_sizes.data(), send_offsets.data(), MPI_BYTE,
                    recv_all.data(), recv_sizes.data(), recv_offsets.data(), MPI_BYTE, handle_),
      "MPI_Alltoallv");
  return cut(recv_all, recv_sizes, recv_offsets);
}

comm comm::split(int color, int key) const {
  MPI_Comm out = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(handle_, color, key, &out), "MPI_Comm_split");
  return comm(out, true);
}

}  // namespace paracel

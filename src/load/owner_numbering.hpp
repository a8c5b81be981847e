// The step both dictionaries of the structured loader share (string names, and integer
// names in numbered_names.cpp): every worker sends its distinct names to their owners; each
// owner numbers the distinct names it received in ascending order, after all names of the
// lower ranks; the ids come back in the order asked. Collective.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "paracel/comm.hpp"

namespace paracel::detail {

struct owner_numbering {
  std::vector<std::vector<std::uint64_t>> ids;  // ids[r][i]: the id of asked[r][i]
  std::uint64_t total = 0;                      // names over all owners
};

// asked[r]: this worker's distinct names that worker r owns.
template <class Name>
owner_numbering number_by_owner(const comm& workers, const std::vector<std::vector<Name>>& asked) {
  const auto w = static_cast<std::size_t>(workers.size());
  const auto received = workers.alltoall(asked);
  std::vector<Name> owned;
  for (const auto& part : received) owned.insert(owned.end(), part.begin(), part.end());
  std::sort(owned.begin(), owned.end());
  owned.erase(std::unique(owned.begin(), owned.end()), owned.end());
  const auto counts = workers.allgather(static_cast<std::uint64_t>(owned.size()));
  owner_numbering out;
  std::uint64_t offset = 0;
  for (std::size_t r = 0; r < w; ++r) {
    if (static_cast<int>(r) < workers.rank()) offset += counts[r];
    out.total += counts[r];
  }
  std::vector<std::vector<std::uint64_t>> answers(w);
  for (std::size_t r = 0; r < w; ++r) {
    for (const auto& n : received[r]) {
      const auto at = std::lower_bound(owned.begin(), owned.end(), n) - owned.begin();
      answers[r].push_back(offset + static_cast<std::uint64_t>(at));
    }
  }
  out.ids = workers.alltoall(answers);
  return out;
}

}  // namespace paracel::detail

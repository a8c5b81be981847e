// PageRank of a directed graph, normalised (ranks sum to 1):
//   r'(v) = d * (sum over edges u->v of r(u) / outdeg(u) + D / N) + (1 - d) / N
// where D is the rank held by dangling vertices (no out-edges), spread over all N vertices
// (as networkx does). Iterates until the L1 change is below `tolerance` or `max_rounds`.
//
// Edges are partitioned by source (fmap): a worker pushes its sources' contributions. Ranks
// and the contributions being summed live on the servers in blocks of `block_size`
// vertices (one request per block, never per vertex); block b is finalised by worker
// b % W, which also names its vertices in the output. A barrier (all contributions are in)
// and a reduction (the L1 change and the next dangling mass; every write is in) order each
// iteration's phases; reads are therefore asynchronous (staleness -1) and never wait on the
// clock server. A worker's edges are kept by destination (CSR), so that summing a
// destination's in-edges writes one value and reads the sources' contributions. A worker
// neither reads the ranks of its own blocks nor pushes its sums into them: both stay local.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "pagerank_config.hpp"
#include "paracel/paralg.hpp"
#include "paracel/structured_load.hpp"

namespace paracel::alg {

class pagerank : public paralg {
 public:
  pagerank(paralg_options options, pagerank_config cfg);
  void solve() override;
  // Checkpoints (docs/checkpoints.md): the ranks are on the servers; a worker keeps the
  // last round's change, which decides whether to go on.
  void save_state(worker_state& state) const override;

 private:
  using blocks = std::map<std::uint64_t, std::vector<double>>;

  std::uint64_t block_of(std::uint64_t v) const { return v / cfg_.block_size; }
  std::size_t block_length(std::uint64_t b) const;
  std::string key(const char* kind, std::uint64_t block) const;
  blocks read(const char* kind, const std::vector<std::uint64_t>& ids);
  void write(const char* kind, const blocks& values);
  // This worker's edges, grouped by destination; the out-degrees of all vertices.
  void build_edges(const loaded_block& graph);
  // Rank held by the owned dangling vertices, summed over workers (collective).
  double dangling_mass();
  // One iteration; returns the L1 change (collective).
  double iterate();
  void write_ranks();

  pagerank_config cfg_;
  std::uint64_t vertices_ = 0;
  // This worker's edges by destination: vertex v's in-edges come from
  // sources_[in_start_[v] .. in_start_[v + 1]).
  std::vector<std::uint64_t> in_start_;
  std::vector<std::uint64_t> sources_;
  std::vector<std::int64_t> out_degree_;  // every vertex's, on every worker
  std::vector<double> inverse_degree_;    // 1 / out-degree (0 for dangling vertices)
  // Other workers' blocks holding this worker's sources, and its edges' destinations.
  std::vector<std::uint64_t> source_blocks_;
  std::vector<std::uint64_t> target_blocks_;
  std::vector<double> share_;                // per vertex: rank / out-degree (scratch)
  std::vector<double> sum_;                  // per vertex: contributions (scratch)
  std::vector<std::uint64_t> owned_blocks_;  // blocks this worker finalises
  blocks owned_ranks_;                       // their current ranks
  std::vector<std::pair<std::uint64_t, std::string>> owned_names_;
  int rounds_ = 0;
  double dangling_ = 0;  // the dangling mass of the current ranks
  double last_change_ = 0;
  double pending_change_ = 0;
  double load_seconds_ = 0;     // from the start to the first iteration
  double iterate_seconds_ = 0;  // the iterations of this run
  int iterations_run_ = 0;      // the change of the round being committed (for save_state)
};

}  // namespace paracel::alg

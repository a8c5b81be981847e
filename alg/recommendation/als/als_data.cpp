#include "als_data.hpp"

#include <algorithm>
#include <numeric>

#include "paracel/structured_load.hpp"
#include "rating_lines.hpp"

namespace paracel::alg {

std::uint64_t row_blocks::rows_in(std::uint64_t block) const {
  return std::min(block_rows, count - block * block_rows);
}

std::vector<std::uint64_t> row_blocks::blocks_of(int rank) const {
  std::vector<std::uint64_t> out;
  for (std::uint64_t b = static_cast<std::uint64_t>(rank); b < blocks();
       b += static_cast<std::uint64_t>(workers))
    out.push_back(b);
  return out;
}

namespace {

// Ratings with dense ids, as columns (what travels between workers): (row, other, value),
// the row of the side being grouped and the other side's id.
struct triples {
  std::vector<std::uint64_t> rows, others;
  std::vector<double> values;
};

// By user: rows are users, others items.
triples to_ids(const std::vector<named_rating>& share, const id_map& users, const id_map& items) {
  triples out;
  for (const auto& r : share) {
    out.rows.push_back(users.ids.at(r.user));
    out.others.push_back(items.ids.at(r.item));
    out.values.push_back(r.value);
  }
  return out;
}

// Each rating to the worker that solves its row; returns the triples this worker received.
triples route(const comm& workers, const row_blocks& layout, const triples& out) {
  const auto n = static_cast<std::size_t>(workers.size());
  std::vector<std::vector<std::uint64_t>> out_rows(n), out_others(n);
  std::vector<std::vector<double>> out_values(n);
  for (std::size_t i = 0; i < out.rows.size(); ++i) {
    const auto to = static_cast<std::size_t>(layout.owner(out.rows[i]));
    out_rows[to].push_back(out.rows[i]);
    out_others[to].push_back(out.others[i]);
    out_values[to].push_back(out.values[i]);
  }
  triples in;
  auto in_rows = workers.alltoall(out_rows);
  auto in_others = workers.alltoall(out_others);
  auto in_values = workers.alltoall(out_values);
  for (std::size_t from = 0; from < n; ++from) {
    in.rows.insert(in.rows.end(), in_rows[from].begin(), in_rows[from].end());
    in.others.insert(in.others.end(), in_others[from].begin(), in_others[from].end());
    in.values.insert(in.values.end(), in_values[from].begin(), in_values[from].end());
  }
  return in;
}

// Groups triples by local row, each row's ratings sorted by the other side's id; with
// `sum_repeats` a pair's repeated ratings become one, their sum.
rating_rows group(const als_side& side, const triples& in, bool sum_repeats) {
  std::vector<std::size_t> order(in.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(in.rows[a], in.others[a]) < std::pair(in.rows[b], in.others[b]);
  });
  rating_rows out;
  out.offsets.assign(side.rows + 1, 0);
  for (std::size_t at = 0; at < order.size(); ++at) {
    const auto i = order[at];
    if (sum_repeats && at > 0 && in.rows[i] == in.rows[order[at - 1]] &&
        in.others[i] == in.others[order[at - 1]]) {
      out.values.back() += in.values[i];
      continue;
    }
    ++out.offsets[side.layout.local_index(in.rows[i]) + 1];
    out.others.push_back(in.others[i]);
    out.values.push_back(in.values[i]);
  }
  std::partial_sum(out.offsets.begin(), out.offsets.end(), out.offsets.begin());
  return out;
}

als_side make_side(const comm& workers, const id_map& ids, std::uint64_t block_rows) {
  als_side side;
  side.layout = {ids.count, block_rows, workers.size()};
  side.blocks = side.layout.blocks_of(workers.rank());
  for (auto b : side.blocks) side.rows += side.layout.rows_in(b);
  side.names =
      names_of_owned_ids(workers, ids, [&](std::uint64_t id) { return side.layout.owner(id); });
  return side;
}

}  // namespace

als_data load_als_data(paralg& alg, const std::string& train, const std::string& test,
                       std::uint64_t block_rows, bool sum_repeats) {
  const comm& workers = alg.get_comm();
  const auto train_share = read_rating_lines(alg, train);
  const auto test_share = read_rating_lines(alg, test);

  std::vector<std::string> user_names, item_names;
  for (const auto* set : {&train_share, &test_share}) {
    for (const auto& r : *set) {
      user_names.push_back(r.user);
      item_names.push_back(r.item);
    }
  }
  const id_map user_ids = assign_dense_ids(workers, user_names);
  const id_map item_ids = assign_dense_ids(workers, item_names);

  als_data data;
  data.users = make_side(workers, user_ids, block_rows);
  data.items = make_side(workers, item_ids, block_rows);
  const triples train_by_user = to_ids(train_share, user_ids, item_ids);
  const triples test_by_user = to_ids(test_share, user_ids, item_ids);
  auto by_item = [](const triples& t) { return triples{t.others, t.rows, t.values}; };
  auto grouped = [&](const als_side& side, const triples& t, bool sum) {
    return group(side, route(workers, side.layout, t), sum);
  };
  // Held-out lines are scored one by one, after the item half-step: only items keep them.
  data.users.train = grouped(data.users, train_by_user, sum_repeats);
  data.items.train = grouped(data.items, by_item(train_by_user), sum_repeats);
  data.items.test = grouped(data.items, by_item(test_by_user), false);

  data.train_total =
      workers.allreduce(static_cast<std::int64_t>(train_share.size()), reduce_op::sum);
  data.test_total = workers.allreduce(static_cast<std::int64_t>(test_share.size()), reduce_op::sum);
  if (data.train_total == 0) throw error("als: no ratings in " + train);
  double sum = 0;
  for (double v : train_by_user.values) sum += v;
  data.global_mean = workers.allreduce(sum, reduce_op::sum) / static_cast<double>(data.train_total);
  return data;
}

}  // namespace paracel::alg

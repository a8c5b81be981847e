#include "mf_data.hpp"

#include <algorithm>
#include <unordered_map>

#include "paracel/ring.hpp"
#include "paracel/structured_load.hpp"
#include "rating_lines.hpp"

namespace paracel::alg {

namespace {

// Sends each rating to its user's owner; returns the ratings this worker owns.
struct routed {
  std::vector<std::string> users;
  std::vector<std::uint64_t> items;
  std::vector<double> values;
};

routed route_to_owners(const comm& workers, const std::vector<named_rating>& ratings,
                       const id_map& item_ids) {
  const int n = workers.size();
  std::vector<std::vector<std::string>> users(n);
  std::vector<std::vector<std::uint64_t>> items(n);
  std::vector<std::vector<double>> values(n);
  for (const auto& r : ratings) {
    const int to = user_owner(r.user, n);
    users[to].push_back(r.user);
    items[to].push_back(item_ids.ids.at(r.item));
    values[to].push_back(r.value);
  }
  routed out;
  auto in_users = workers.alltoall(users);
  auto in_items = workers.alltoall(items);
  auto in_values = workers.alltoall(values);
  for (int from = 0; from < n; ++from) {
    out.users.insert(out.users.end(), in_users[from].begin(), in_users[from].end());
    out.items.insert(out.items.end(), in_items[from].begin(), in_items[from].end());
    out.values.insert(out.values.end(), in_values[from].begin(), in_values[from].end());
  }
  return out;
}

}  // namespace

int user_owner(const std::string& user, int workers) {
  return static_cast<int>(stable_hash(user, 0x0a11ce) % static_cast<std::uint64_t>(workers));
}

mf_data load_mf_data(paralg& alg, const std::string& train, const std::string& test) {
  const comm& workers = alg.get_comm();
  std::vector<named_rating> train_share = read_rating_lines(alg, train);
  std::vector<named_rating> test_share = read_rating_lines(alg, test);

  // Dense item ids over the items of both sets.
  std::vector<std::string> names;
  for (const auto* set : {&train_share, &test_share})
    for (const auto& r : *set) names.push_back(r.item);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const id_map item_ids = assign_dense_ids(workers, names);

  mf_data data;
  data.items = item_ids.count;
  // Names of the items this worker dumps (id % workers == rank); someone knows each.
  data.owned_items = names_of_owned_ids(workers, item_ids, [&](std::uint64_t id) {
    return static_cast<int>(id % static_cast<std::uint64_t>(workers.size()));
  });

  std::unordered_map<std::string, std::uint32_t> user_index;
  auto local_user = [&](const std::string& name) {
    auto [it, added] = user_index.emplace(name, static_cast<std::uint32_t>(data.users.size()));
    if (added) {
      data.users.push_back(name);
      data.user_trained.push_back(0);
    }
    return it->second;
  };
  const routed mine = route_to_owners(workers, train_share, item_ids);
  std::vector<std::int64_t> item_trained(data.items, 0);
  double sum = 0;
  for (std::size_t i = 0; i < mine.users.size(); ++i) {
    const std::uint32_t u = local_user(mine.users[i]);
    data.user_trained[u] = 1;
    data.train.push_back({u, mine.items[i], mine.values[i]});
    item_trained[mine.items[i]] = 1;
    sum += mine.values[i];
  }
  const routed held_out = route_to_owners(workers, test_share, item_ids);
  for (std::size_t i = 0; i < held_out.users.size(); ++i)
    data.test.push_back({local_user(held_out.users[i]), held_out.items[i], held_out.values[i]});

  data.item_workers = workers.allreduce(item_trained, reduce_op::sum);
  data.train_total =
      workers.allreduce(static_cast<std::int64_t>(data.train.size()), reduce_op::sum);
  data.test_total = workers.allreduce(static_cast<std::int64_t>(data.test.size()), reduce_op::sum);
  if (data.train_total == 0) throw error("matrix_factorization: no ratings in " + train);
  data.global_mean = workers.allreduce(sum, reduce_op::sum) / static_cast<double>(data.train_total);
  return data;
}

}  // namespace paracel::alg

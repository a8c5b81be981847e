#include "mf_data.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "paracel/ring.hpp"
#include "paracel/structured_load.hpp"
#include "rating_lines.hpp"

namespace paracel::alg {

namespace {

// This worker's users, by name: data.users, data.user_trained and the index into them.
class user_table {
 public:
  explicit user_table(mf_data& data) : data_(data) {}
  std::uint32_t index_of(const std::string& name) {
    if (auto it = index_.find(name); it != index_.end()) return it->second;
    const auto at = static_cast<std::uint32_t>(data_.users.size());
    index_.emplace(name, at);
    data_.users.push_back(name);
    data_.user_trained.push_back(0);
    return at;
  }

 private:
  mf_data& data_;
  std::unordered_map<std::string, std::uint32_t> index_;
};

// Sends each rating to its user's owner; returns the ratings this worker owns, users as
// indexes of `users`. Each user's name travels once per sender, not once per rating: the
// ratings themselves go as numbers (a user's index in the names sent, the item's dense id,
// the value), which MPI moves as flat arrays.
std::vector<mf_rating> route_to_owners(const comm& workers,
                                       const std::vector<named_rating>& ratings,
                                       const id_map& item_ids, user_table& users) {
  const int n = workers.size();
  std::vector<std::vector<std::string>> names(n);
  std::vector<std::vector<std::uint32_t>> refs(n);
  std::vector<std::vector<std::uint64_t>> items(n);
  std::vector<std::vector<double>> values(n);
  struct sent_user {
    int owner;
    std::uint32_t ref;  // index in names[owner]
  };
  // Keys are copies (short names stay inside the table's nodes): keys viewing into `ratings`
  // would cost a cache miss into hundreds of megabytes per comparison.
  std::unordered_map<std::string, sent_user> sent;
  for (const auto& r : ratings) {
    auto it = sent.find(r.user);
    if (it == sent.end()) {
      const int owner = user_owner(r.user, n);
      it = sent.emplace(r.user, sent_user{owner, static_cast<std::uint32_t>(names[owner].size())})
               .first;
      names[owner].push_back(r.user);
    }
    const auto [owner, ref] = it->second;
    refs[owner].push_back(ref);
    items[owner].push_back(item_ids.ids.at(r.item));
    values[owner].push_back(r.value);
  }
  const auto in_names = workers.alltoall(names);
  const auto in_refs = workers.alltoall(refs);
  const auto in_items = workers.alltoall(items);
  const auto in_values = workers.alltoall(values);
  std::vector<mf_rating> out;
  for (int from = 0; from < n; ++from) {
    std::vector<std::uint32_t> local(in_names[from].size());
    for (std::size_t k = 0; k < local.size(); ++k) local[k] = users.index_of(in_names[from][k]);
    for (std::size_t i = 0; i < in_refs[from].size(); ++i) {
      if (in_refs[from][i] >= local.size())
        throw error("matrix_factorization: a worker sent a rating of an unknown user");
      out.push_back({local[in_refs[from][i]], in_items[from][i], in_values[from][i]});
    }
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

  // Dense item ids over the items of both sets: the distinct names first, then sorted.
  std::unordered_set<std::string> distinct;
  for (const auto* set : {&train_share, &test_share})
    for (const auto& r : *set) distinct.insert(r.item);
  std::vector<std::string> names(distinct.begin(), distinct.end());
  std::sort(names.begin(), names.end());
  const id_map item_ids = assign_dense_ids(workers, names);

  mf_data data;
  data.items = item_ids.count;
  // Names of the items this worker dumps (id % workers == rank); someone knows each.
  data.owned_items = names_of_owned_ids(workers, item_ids, [&](std::uint64_t id) {
    return static_cast<int>(id % static_cast<std::uint64_t>(workers.size()));
  });

  user_table users(data);
  data.train = route_to_owners(workers, train_share, item_ids, users);
  train_share = {};
  std::vector<std::int64_t> item_trained(data.items, 0);
  double sum = 0;
  for (const auto& r : data.train) {
    data.user_trained[r.user] = 1;
    item_trained[r.item] = 1;
    sum += r.value;
  }
  data.test = route_to_owners(workers, test_share, item_ids, users);

  data.item_workers = workers.allreduce(item_trained, reduce_op::sum);
  data.train_total =
      workers.allreduce(static_cast<std::int64_t>(data.train.size()), reduce_op::sum);
  data.test_total = workers.allreduce(static_cast<std::int64_t>(data.test.size()), reduce_op::sum);
  if (data.train_total == 0) throw error("matrix_factorization: no ratings in " + train);
  data.global_mean = workers.allreduce(sum, reduce_op::sum) / static_cast<double>(data.train_total);
  return data;
}

}  // namespace paracel::alg

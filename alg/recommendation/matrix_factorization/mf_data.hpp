// Ratings for matrix factorisation, partitioned by user: every rating of a user lands on
// the worker that owns the user (by hash), so that user factors never leave it. Items get
// dense ids agreed on by every worker; their factors live on the parameter servers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "paracel/paralg.hpp"

namespace paracel::alg {

struct mf_rating {
  std::uint32_t user = 0;  // index into mf_data::users
  std::uint64_t item = 0;  // global dense id
  double value = 0;
};

struct mf_data {
  std::vector<std::string> users;          // this worker's users (of training or test)
  std::vector<std::uint8_t> user_trained;  // per user: has training ratings
  std::vector<mf_rating> train;            // their training ratings
  std::vector<mf_rating> test;             // their held-out ratings
  std::uint64_t items = 0;                 // item ids are [0, items) on every worker
  // The items this worker names in dumps (id % workers == rank), with their names.
  std::vector<std::pair<std::uint64_t, std::string>> owned_items;
  // Per item id: how many workers hold training ratings of it (0: only in the test set).
  std::vector<std::int64_t> item_workers;
  double global_mean = 0;
  std::int64_t train_total = 0;
  std::int64_t test_total = 0;
};

// The worker that owns `user`.
int user_owner(const std::string& user, int workers);

// Loads "user item rating" lines (spaces, tabs or commas) of `train` and, when not empty,
// `test`. A malformed line is an error naming its file and line on every worker. Collective.
mf_data load_mf_data(paralg& alg, const std::string& train, const std::string& test);

}  // namespace paracel::alg

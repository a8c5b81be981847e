#include "word_count.hpp"

#include <algorithm>
#include <cctype>

namespace paracel::alg {

word_count_config word_count_config::from(const config& cfg) {
  word_count_config out;
  out.input = cfg.get<std::string>("input");
  out.output = cfg.get<std::string>("output");
  out.top_k = cfg.get<int>("top_k", out.top_k);
  out.lowercase = cfg.get<bool>("lowercase", out.lowercase);
  out.dump_all = cfg.get<bool>("dump_all", out.dump_all);
  out.batch_keys = cfg.get<int>("batch_keys", out.batch_keys);
  out.chunk_lines = cfg.get<std::int64_t>("chunk_lines", out.chunk_lines);
  cfg.check_no_unknown();
  cfg.require(out.top_k >= 0, "top_k must not be negative");
  cfg.require(out.batch_keys > 0, "batch_keys must be > 0");
  cfg.require(out.chunk_lines > 0, "chunk_lines must be > 0");
  return out;
}

void for_each_word(std::string_view line, bool lowercase,
                   const std::function<void(std::string_view)>& visit) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) visit(word);
    word.clear();
  };
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x80 || std::isalnum(c)) {
      word += lowercase && c < 0x80 ? static_cast<char>(std::tolower(c)) : ch;
    } else {
      flush();
    }
  }
  flush();
}

word_count::word_count(paralg_options options, word_count_config cfg)
    : paralg(std::move(options)), cfg_(std::move(cfg)) {}

void word_count::save_state(worker_state& state) const { state.put("lines_done", lines_done_); }

bool word_count::end_chunk(std::unordered_map<std::string, std::int64_t>& local, bool finished) {
  push(local);
  local.clear();
  iter_commit();  // may take a checkpoint: lines_done_ lines are on the servers
  return get_comm().allreduce(std::int64_t{finished ? 1 : 0}, reduce_op::min) == 1;
}

void word_count::count_and_push() {
  set_decomp_info("linesplit");
  const std::int64_t skip = resuming() ? resumed_state()->get<std::int64_t>("lines_done") : 0;
  lines_done_ = skip;
  std::int64_t seen = 0;
  std::int64_t in_chunk = 0;
  std::unordered_map<std::string, std::int64_t> local;
  for_each_line(expand_inputs(cfg_.input), get_worker_id(), get_worker_size(),
                [&](std::string_view line, const line_location&) {
                  if (seen++ < skip) return;  // counted before the checkpoint resumed from
                  for_each_word(line, cfg_.lowercase, [&](std::string_view w) {
                    auto it = local.find(std::string(w));
                    if (it == local.end()) {
                      local.emplace(std::string(w), 1);
                    } else {
                      ++it->second;
                    }
                  });
                  ++lines_done_;
                  if (++in_chunk == cfg_.chunk_lines) {
                    end_chunk(local, false);
                    in_chunk = 0;
                  }
                });
  while (!end_chunk(local, true)) {
  }
}

void word_count::push(const std::unordered_map<std::string, std::int64_t>& local) {
  std::vector<std::string> keys;
  std::vector<std::int64_t> counts;
  auto send = [&] {
    if (!keys.empty()) paracel_bupdate_multi(keys, counts, builtin::add);
    keys.clear();
    counts.clear();
  };
  for (const auto& [word, n] : local) {
    keys.push_back(std::string(k_prefix) + word);
    counts.push_back(n);
    if (static_cast<int>(keys.size()) >= cfg_.batch_keys) send();
  }
  send();
}

void word_count::solve() {
  count_and_push();
  paracel_sync();  // every worker's counts are on the servers

  std::vector<std::pair<std::string, std::int64_t>> top;
  if (get_worker_id() == 0) {
    top = paracel_read_topk_with_key_filter<std::int64_t>(static_cast<std::size_t>(cfg_.top_k),
                                                          prefix_filter(k_prefix));
    for (auto& [key, n] : top) key.erase(0, k_prefix.size());
  }
  std::vector<std::string> lines;
  for (const auto& [word, n] : top) lines.push_back(word + "\t" + std::to_string(n));
  paracel_dump_vector(lines, "top_words");

  if (cfg_.dump_all) {
    std::vector<std::string> all;
    if (get_worker_id() == 0) {
      paracel_read_special_handle<std::int64_t>(
          prefix_filter(k_prefix), [&](const std::string& key, std::int64_t n) {
            all.push_back(key.substr(k_prefix.size()) + "\t" + std::to_string(n));
          });
      std::sort(all.begin(), all.end());
    }
    paracel_dump_vector(all, "word_counts");
  }
}

}  // namespace paracel::alg

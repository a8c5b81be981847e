#include "vertex_job.hpp"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "programs.hpp"

namespace paracel::alg {

namespace {

bool is_integer(const std::string& name) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
  return ec == std::errc() && end == name.data() + name.size();
}

// Whether every vertex name, on every worker, is an integer. Collective.
template <class Program>
bool all_names_integers(Program& job) {
  std::int64_t bad = 0;
  for (std::size_t i = 0; i < job.local_vertices(); ++i) bad += is_integer(job.name_of(i)) ? 0 : 1;
  return job.get_comm().allreduce(bad, reduce_op::sum) == 0;
}

template <class Program, class Format>
void finish(Program& job, metrics& m, int supersteps, Format format) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < job.local_vertices(); ++i) {
    std::ostringstream line;
    line << std::setprecision(17) << job.name_of(i) << '\t';
    format(line, job.value_of(i));
    lines.push_back(line.str());
  }
  m.set("vertices", static_cast<std::int64_t>(job.vertex_count()))
      .set("edges", job.edge_count())
      .set("supersteps", supersteps)
      .set("messages", job.messages_sent())
      .set("workers", job.get_worker_size());
  job.paracel_dump_vector(lines, "values");
  job.paracel_dump_metrics(m, "vertex_programs");
}

}  // namespace

void vertex_job::solve() {
  metrics m;
  m.set("program", cfg_.program);
  auto plain = [](std::ostream& out, auto value) { out << value; };
  if (cfg_.program == "components" || cfg_.program == "max_value") {
    auto run = [&](auto& job, bool undirected) {
      job.load_edges(cfg_.input, undirected, cfg_.vertices);
      job.numeric_names = all_names_integers(job);
      if (!job.numeric_names && cfg_.program == "max_value")
        throw error("max_value takes each vertex's value from its name: every name in " +
                    cfg_.input + " must be an integer");
      const int supersteps = job.run(cfg_.max_supersteps);
      if (cfg_.program == "components") {
        // A component's label is its smallest member's number: count the members that are.
        std::int64_t labels = 0;
        for (std::size_t i = 0; i < job.local_vertices(); ++i)
          labels += job.value_of(i) == job.number(job.name_of(i), job.id_of(i)) ? 1 : 0;
        m.set("components", job.get_comm().allreduce(labels, reduce_op::sum));
      }
      m.set("numeric_names", job.numeric_names);
      finish(job, m, supersteps, plain);
    };
    if (cfg_.program == "components") {
      components job(options_);
      run(job, true);
    } else {
      max_value job(options_);
      run(job, false);
    }
    return;
  }
  shortest_paths job(options_);
  job.load_edges(cfg_.input, cfg_.undirected, cfg_.vertices);
  std::int64_t found = 0;
  job.get_comm().all_or_none([&] {
    for (std::size_t i = 0; i < job.local_vertices(); ++i) {
      if (job.name_of(i) == cfg_.source) {
        job.source = job.id_of(i);
        ++found;
      }
      for (const auto& e : job.out_edges_of(i)) {
        if (!(e.weight >= 0))
          throw error("sssp needs weights >= 0; an edge of '" + job.name_of(i) + "' has " +
                      std::to_string(e.weight));
      }
    }
  });
  const auto sources = job.get_comm().allgather(found ? job.source : ~std::uint64_t{0});
  job.source = *std::min_element(sources.begin(), sources.end());
  if (job.source == ~std::uint64_t{0})
    throw error("sssp: the source vertex '" + cfg_.source + "' is not in " + cfg_.input);
  const int supersteps = job.run(cfg_.max_supersteps);
  std::int64_t reached = 0;
  for (std::size_t i = 0; i < job.local_vertices(); ++i)
    reached += std::isfinite(job.value_of(i)) ? 1 : 0;
  m.set("source", cfg_.source).set("reached", job.get_comm().allreduce(reached, reduce_op::sum));
  finish(job, m, supersteps, [](std::ostream& out, double d) {
    if (std::isfinite(d)) {
      out << d;
    } else {
      out << "inf";
    }
  });
}

}  // namespace paracel::alg

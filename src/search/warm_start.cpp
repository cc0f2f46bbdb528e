// Zero-cost warm start: a random pool ranked by a scorer (nascpp/warm_start.h).
#include "nascpp/warm_start.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include <fmt/format.h>

#include <sstream>

#include "nascpp/core/csv.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"

namespace nascpp {

WarmStartOptions WarmStartOptions::from_config(ConfigNode& cfg) {
  WarmStartOptions o;
  o.pool(cfg.get<int64_t>("pool", o.pool()));
  o.top(cfg.get<int64_t>("top", o.top()));
  o.validate();
  return o;
}

void WarmStartOptions::validate() const {
  NASCPP_CHECK_CONFIG(pool_ >= 0 && pool_ <= 10'000'000,
                      "warm_start.pool must be in [0, 10000000] (0: no warm start), got {}", pool_);
  NASCPP_CHECK_CONFIG(top_ >= 0,
                      "warm_start.top must be >= 0 (0: the optimizer's initial size), "
                      "got {}",
                      top_);
  NASCPP_CHECK_CONFIG(pool_ == 0 || top_ <= pool_,
                      "warm_start.top ({}) must not exceed warm_start.pool ({})", top_, pool_);
}

std::vector<ScoredArchitecture> rank_random_pool(const SearchSpace& space, Evaluator& scorer,
                                                 int64_t pool, Rng& rng) {
  NASCPP_CHECK_CONFIG(pool >= 0, "warm start pool must be >= 0, got {}", pool);
  std::vector<ScoredArchitecture> scored;
  std::unordered_set<Architecture> seen;
  for (int64_t i = 0; i < pool; ++i) {
    Architecture arch = space.sample(rng);
    if (!seen.insert(arch).second) continue;
    Trial trial;
    trial.id = static_cast<int64_t>(scored.size());
    trial.arch = arch;
    // The scorer's own noise (a training seed of a table, ...) from the pool's generator.
    Rng eval_rng(rng.next_seed());
    const EvaluationResult r = scorer.evaluate(trial, eval_rng);
    ScoredArchitecture s;
    s.arch = std::move(arch);
    s.cost = r.cost;
    if (r.failed() || std::isnan(r.objective)) {
      s.failure = r.failed() ? r.failure : scorer.objective_name() + " is NaN";
      s.score = -std::numeric_limits<double>::infinity();
    } else {
      s.score = r.objective;
    }
    scored.push_back(std::move(s));
  }
  std::stable_sort(
      scored.begin(), scored.end(),
      [](const ScoredArchitecture& a, const ScoredArchitecture& b) { return a.score > b.score; });
  return scored;
}

void write_warm_start_csv(const std::string& path, const std::vector<ScoredArchitecture>& ranked,
                          const SearchSpace& space, const std::string& description) {
  std::ostringstream out;
  out << "# " << description << "\nrank,arch,score,cost,failure\n";
  for (size_t i = 0; i < ranked.size(); ++i) {
    const auto& r = ranked[i];
    out << i + 1 << ',' << csv_quote(space.format(r.arch)) << ','
        << (std::isinf(r.score) && r.score < 0 ? std::string("-inf")
                                               : fmt::format("{:.17g}", r.score))
        << ',' << fmt::format("{:.17g}", r.cost) << ',' << csv_quote(r.failure) << '\n';
  }
  write_file_atomic(path, out.str());
}

std::vector<ScoredArchitecture> read_warm_start_csv(const std::string& path,
                                                    const SearchSpace& space) {
  std::istringstream in(read_file(path));
  std::string line;
  int64_t number = 0;
  bool header = false;
  std::vector<ScoredArchitecture> ranked;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const std::string where = fmt::format("{}, line {}", path, number);
    const auto fields = split_csv_line(line, where);
    if (!header) {
      NASCPP_CHECK_DATA(line == "rank,arch,score,cost,failure",
                        "{}: the header is not rank,arch,score,cost,failure", where);
      header = true;
      continue;
    }
    NASCPP_CHECK_DATA(fields.size() == 5, "{}: {} fields, expected 5", where, fields.size());
    NASCPP_CHECK_DATA(fields[0] == std::to_string(ranked.size() + 1), "{}: rank '{}', expected {}",
                      where, fields[0], ranked.size() + 1);
    ScoredArchitecture s;
    try {
      s.arch = space.parse(fields[1]);
    } catch (const Error& e) {
      throw DataError(fmt::format("{}: {}", where, e.what()));
    }
    try {
      s.score =
          fields[2] == "-inf" ? -std::numeric_limits<double>::infinity() : std::stod(fields[2]);
      s.cost = std::stod(fields[3]);
    } catch (const std::exception&) {
      throw DataError(
          fmt::format("{}: score '{}' or cost '{}' is not a number", where, fields[2], fields[3]));
    }
    s.failure = fields[4];
    ranked.push_back(std::move(s));
  }
  NASCPP_CHECK_DATA(header, "'{}' has no header line (rank,arch,score,cost,failure)", path);
  return ranked;
}

std::vector<Architecture> best_architectures(const std::vector<ScoredArchitecture>& ranked,
                                             int64_t n) {
  std::vector<Architecture> out;
  for (size_t i = 0; i < ranked.size() && static_cast<int64_t>(out.size()) < n; ++i) {
    out.push_back(ranked[i].arch);
  }
  return out;
}

}  // namespace nascpp

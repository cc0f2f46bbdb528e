#pragma once
/// Zero-cost warm start (Abdelfattah et al. 2021, "zero-cost warmup"): draw a
/// large random pool of architectures, score each with a cheap scorer (any
/// `Evaluator`: a zero-cost proxy computed on the network, a table of
/// precomputed scores, a tabular metric such as the parameter count), and let
/// an optimizer evaluate the best of them first instead of its random
/// initial architectures (regularized evolution: its initial population;
/// BANANAS: its `num_init` initial design).
///
///     nascpp::ZeroCostEvaluator scorer(space, "synflow", {}, {});
///     nascpp::Rng pool_rng(seed);
///     auto ranked = nascpp::rank_random_pool(*space, scorer, 3000, pool_rng);
///     optimizer.attach(space, &rng);
///     optimizer.set_warm_start(nascpp::best_architectures(ranked, optimizer.warm_start_size()));
///
/// In a run config it is the optimizer's `warm_start:` section
/// (docs/configuration.md): the run scores the pool before the first
/// evaluation, writes the ranking to warm_start.csv in the run directory and
/// reads it back on `--resume`.

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"
#include "nascpp/evaluator.h"
#include "nascpp/search_space.h"

namespace nascpp {

struct WarmStartOptions {
  /// Random architectures drawn and scored (Abdelfattah et al.: 3000); 0: no
  /// warm start.
  NASCPP_ARG(int64_t, pool) = 0;
  /// How many of the best go first; 0: the optimizer's own initial size
  /// (`BlackBoxOptimizer::warm_start_size`).
  NASCPP_ARG(int64_t, top) = 0;

 public:
  /// Keys `pool` and `top` (the scorer, `evaluator:`, is read by the run).
  static WarmStartOptions from_config(ConfigNode& cfg);
  /// ConfigError naming the bad value.
  void validate() const;
};

/// One scored architecture of the pool.
struct ScoredArchitecture {
  Architecture arch;
  /// The scorer's objective; -infinity when its evaluation failed.
  double score = 0.0;
  /// The scorer's cost of this architecture (seconds).
  double cost = 0.0;
  /// Why the evaluation failed ("" when it did not).
  std::string failure;
};

/// Draws `pool` architectures with `rng` (`SearchSpace::sample`; a repeated
/// draw is scored once and kept once), scores each with `scorer` at its full
/// fidelity and returns them best first (ties: the earlier draw; failed
/// evaluations last, with score -infinity). A NaN score counts as failed.
std::vector<ScoredArchitecture> rank_random_pool(const SearchSpace& space, Evaluator& scorer,
                                                 int64_t pool, Rng& rng);

/// Writes a ranking as CSV (atomically): `rank,arch,score,cost,failure`, the
/// text form quoted, after a `#` comment line holding `description`. The
/// file is also a `score_table` evaluator's input (column `score`).
void write_warm_start_csv(const std::string& path, const std::vector<ScoredArchitecture>& ranked,
                          const SearchSpace& space, const std::string& description);
/// Reads a ranking `write_warm_start_csv` wrote, in its order; DataError
/// naming the file and line for anything malformed (an architecture not of
/// `space`, a bad number, ranks out of order).
std::vector<ScoredArchitecture> read_warm_start_csv(const std::string& path,
                                                    const SearchSpace& space);

/// The first `n` architectures of a ranking (all when it holds fewer).
std::vector<Architecture> best_architectures(const std::vector<ScoredArchitecture>& ranked,
                                             int64_t n);

}  // namespace nascpp

#pragma once
/// The predictor evaluation protocol of White et al. (2021), "How Powerful
/// are Performance Predictors in Neural Architecture Search?" (NASLib's
/// PredictorEvaluator): per trial, 200 test architectures and training sets
/// of 5, 8, 14, 24, 42, 71, 121 and 205 architectures drawn uniformly from
/// the space (test and training disjoint); the predictor is fitted on each
/// training set and ranks the test set; Kendall tau, Spearman, precision at
/// the top 10 and 20, and the fit and query times are averaged over 100
/// trials. The objective comes from any evaluator (a tabular benchmark's
/// validation accuracy at full fidelity, typically).
///
///     auto eval = nascpp::evaluator_registry().create("tabular", cfg, space);
///     auto rows = nascpp::evaluate_predictor(
///         [] { nascpp::ConfigNode c; return nascpp::predictor_registry().create("gp", c); },
///         *space, *eval, nascpp::PredictorEvaluationOptions().trials(10));
///
/// `nascpp predictors` runs it and writes the table and a plot.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/options.h"
#include "nascpp/evaluator.h"
#include "nascpp/predictor.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// A feature appended to each architecture's encoding: the objective of
/// another evaluator, e.g. a zero-cost proxy (a `score_table` or
/// `zero_cost` evaluator) or the accuracy after a few epochs (a `tabular`
/// evaluator at a low fidelity). Encoding plus such features in one model is
/// NASLib's "omni" predictor idea (White et al. 2021, section 6).
struct PredictorFeature {
  /// Its name in messages and tables, e.g. "synflow" or "valid_acc@12".
  std::string name;
  std::shared_ptr<Evaluator> evaluator;
  /// The fidelity it is evaluated at (full by default).
  Fidelity fidelity;
};

struct PredictorEvaluationOptions {
  NASCPP_ARG(std::vector<int64_t>, train_sizes) = std::vector<int64_t>{5,  8,  14,  24,
                                                                       42, 71, 121, 205};
  NASCPP_ARG(int64_t, test_size) = 200;
  NASCPP_ARG(int64_t, trials) = 100;
  /// Trial t draws its architectures and fits with Rng(seed + t).
  NASCPP_ARG(uint64_t, seed) = 0;
  /// The space's encoding the predictor sees (`SearchSpace::encodings()`).
  NASCPP_ARG(std::string, encoding) = "path";
  /// Features appended to the encoding, in this order. Each is standardised
  /// with the mean and standard deviation of the training set of every fit
  /// (a constant column: centred only), so that distance- and gradient-based
  /// predictors weigh it like an encoding bit. An architecture whose feature
  /// evaluation fails is redrawn, as one whose objective fails.
  NASCPP_ARG(std::vector<PredictorFeature>, features) = {};

 public:
  /// ConfigError naming a bad value (sizes >= 2 and ascending, test_size >=
  /// 20, trials >= 1).
  void validate() const;
};

/// One training size's results, over the trials: mean and standard
/// deviation (n - 1) of each statistic.
struct PredictorEvaluationRow {
  int64_t train_size = 0;
  double kendall_tau = 0.0, kendall_tau_std = 0.0;
  double spearman = 0.0, spearman_std = 0.0;
  /// Share of the true top 10 (20) test architectures among the predicted top 10 (20).
  double precision_at_10 = 0.0, precision_at_20 = 0.0;
  /// Seconds per fit, and per query of the whole test set.
  double fit_seconds = 0.0, query_seconds = 0.0;
  /// Trials whose predictions were not all finite (counted, excluded).
  int64_t failed_trials = 0;
  /// Trials whose predictions were one value for every test architecture
  /// (e.g. a forest that found no split in 5 points): such a ranking holds no
  /// information, so its Kendall tau and Spearman count as 0 (they are
  /// undefined; scipy, and so NASLib, would make the mean NaN).
  int64_t constant_trials = 0;
};

/// Runs the protocol for the predictor that `make_predictor` builds (a
/// fresh one per fit). Architectures are drawn with `space.sample` and
/// evaluated once each with `evaluator` at full fidelity (a failed
/// evaluation is redrawn). Throws ConfigError when the space cannot supply
/// enough distinct architectures.
std::vector<PredictorEvaluationRow> evaluate_predictor(
    const std::function<std::unique_ptr<Predictor>()>& make_predictor, const SearchSpace& space,
    Evaluator& evaluator, const PredictorEvaluationOptions& options);

}  // namespace nascpp

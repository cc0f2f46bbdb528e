#pragma once
/// BANANAS (White, Neiswanger, Savani: "BANANAS: Bayesian optimization with
/// neural architectures for neural architecture search", AAAI 2021), as in
/// NASLib: after `num_init` random architectures, every round fits a
/// predictor (default: an ensemble of 3 MLPs) to the encoded architectures
/// evaluated so far, generates candidates by mutating the
/// `num_arches_to_mutate` best ones, and proposes the `k` candidates with the
/// highest acquisition value:
///
/// - `its`: independent Thompson sampling, one draw from N(mean, std) per
///   candidate;
/// - `ucb`: mean + explore_factor * std;
/// - `ei`: expected improvement over the best objective so far, with the std
///   divided by `ei_calibration_factor`;
/// - `exploit_only`: the mean.
///
/// Deviations from NASLib, both to avoid wasted queries: candidates are
/// distinct and never already proposed, and a round with fewer than `k`
/// such candidates is filled with unseen random architectures.
///
/// The encoding is `encoding` when set, else "path" when the space offers it
/// (BANANAS's path encoding), else the space's first encoding.

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct BananasOptions {
  /// Random architectures before the first model-based round.
  NASCPP_ARG(int64_t, num_init) = 10;
  /// Architectures proposed per round (one predictor fit each round).
  NASCPP_ARG(int64_t, k) = 10;
  /// Candidates generated per round.
  NASCPP_ARG(int64_t, num_candidates) = 100;
  /// How many of the best evaluated architectures are mutated.
  NASCPP_ARG(int64_t, num_arches_to_mutate) = 2;
  /// Mutations applied to make one candidate.
  NASCPP_ARG(int64_t, max_mutations) = 1;
  /// its | ucb | ei | exploit_only.
  NASCPP_ARG(std::string, acquisition) = "its";
  /// UCB's weight of the standard deviation.
  NASCPP_ARG(double, explore_factor) = 0.5;
  /// EI's divisor of the standard deviation.
  NASCPP_ARG(double, ei_calibration_factor) = 5.0;
  /// The space encoding fed to the predictor; "" = path if offered, else the first.
  NASCPP_ARG(std::string, encoding) = "";
  /// How a round's candidates are made: "mutation" (of the best evaluated
  /// ones, BANANAS and NPENAS) or "random" (unseen random architectures, the
  /// neural predictor of Wen et al. 2019, NASLib's `bp`).
  NASCPP_ARG(std::string, candidates) = "mutation";

 public:
  /// The acquisition function names.
  static const std::vector<std::string>& acquisitions();
  /// The candidate generation names.
  static const std::vector<std::string>& candidate_kinds();
  /// Keys as the setters' names (the `predictor:` section is read by
  /// `Bananas::from_config`).
  static BananasOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class Bananas : public BlackBoxOptimizer {
 public:
  static constexpr const char* kName = "bananas";
  /// `predictor` null: the default MlpEnsemble. `name`: the registry name it
  /// answers to (the presets below share this class).
  explicit Bananas(BananasOptions options = {}, std::unique_ptr<Predictor> predictor = nullptr,
                   std::string name = kName);
  ~Bananas() override;
  /// Registry factory; section `predictor:` with key `name` (predictor
  /// registry, default "mlp_ensemble") and the predictor's own keys.
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  /// NPENAS (Wei et al. 2022, NASLib's `npenas`): BANANAS's loop with the
  /// predictor's mean as the acquisition (`exploit_only`): a predictor-guided
  /// local search around the best architectures. The bananas keys, with that
  /// default.
  static std::unique_ptr<Optimizer> npenas_from_config(ConfigNode& config);
  /// The neural predictor of Wen et al. (2019), NASLib's `bp`: for a search
  /// of `budget` queries (key, default 100), `budget - k` random
  /// architectures, then one predictor fit ranks `2 x budget` random
  /// candidates and the best k = floor(20/172 x budget) (at least 1) are
  /// evaluated; past `budget` it goes on in such rounds. The bananas keys
  /// override these defaults.
  static std::unique_ptr<Optimizer> bp_from_config(ConfigNode& config);
  std::string name() const override { return name_; }
  /// A warm start replaces the `num_init` random initial architectures.
  int64_t warm_start_size() const override { return options_.num_init(); }

  const BananasOptions& options() const { return options_; }
  /// The encoding in use (after attach).
  const std::string& encoding() const { return encoding_; }
  /// The predictor (fitted after the first model-based round).
  const Predictor& predictor() const { return *predictor_; }
  /// Number of predictor fits so far.
  int64_t rounds() const { return rounds_; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  Architecture next_architecture();
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  Architecture propose(Architecture arch);
  Architecture propose_random();
  void plan_round();
  double acquisition_value(const Prediction& p, double best_y);

  BananasOptions options_;
  std::unique_ptr<Predictor> predictor_;
  std::string name_;
  std::string encoding_;
  int64_t asked_ = 0;
  int64_t pending_ = 0;
  int64_t rounds_ = 0;
  std::vector<Architecture> told_archs_;
  std::vector<double> told_values_;
  FeatureMatrix told_features_;
  std::unordered_set<Architecture> proposed_;
  std::vector<Architecture> batch_;  // planned proposals, taken from the back
};

}  // namespace nascpp

#pragma once
/// BOHB (Falkner et al., ICML 2018): Hyperband whose new configurations come
/// from a TPE-style pair of kernel densities per budget, as in HpBandSter's
/// config generator:
///
/// - the observations of a budget are its evaluations' choice vectors and
///   losses (-objective; a failed evaluation counts as the worst); once a larger
///   budget has a model, smaller budgets stop collecting;
/// - a model is fitted for a budget with n observations once n >= d + 1
///   (`min_points_in_model`, d = number of choices) and both the good set (the
///   best max(d+1, 15% of n)) and the bad set (the next max(d+1, 85% of n))
///   hold more than d points: so from 2(d+1) observations on;
/// - a new configuration is random with probability 1/3 (and while no budget
///   has a model); otherwise 64 candidates are drawn around random members of
///   the good set of the largest budget with a model, and the one with the
///   largest l(x)/g(x) is taken.
///
/// The choices are categorical, with the Aitchison-Aitken kernel (weight
/// 1 - b on the same option, b / (c - 1) on each other of c options);
/// bandwidths follow statsmodels' normal reference rule 1.06 sigma
/// n^(-1/(4+d)) as HpBandSter uses it, clipped below at `min_bandwidth` and,
/// unlike statsmodels, above at (c - 1)/c, where the kernel is uniform (the
/// rule exceeds 1 for spread-out categorical data, where statsmodels' kernel
/// weights turn negative). A candidate keeps a datum's option with probability
/// 1 - b and draws uniformly otherwise. HpBandSter widens only continuous
/// dimensions by `bandwidth_factor` when it samples candidates; architecture
/// choices are categorical, so the factor (an option, default 3) changes
/// nothing here.

#include <map>
#include <memory>
#include <vector>

#include "optimizers/multi_fidelity/brackets.h"

namespace nascpp {

struct BohbOptions {
  NASCPP_ARG(BracketOptions, brackets) = BracketOptions();
  /// Observations a budget needs before its model (0: d + 1).
  NASCPP_ARG(int64_t, min_points_in_model) = 0;
  NASCPP_ARG(double, top_n_percent) = 15.0;
  NASCPP_ARG(int64_t, num_samples) = 64;
  NASCPP_ARG(double, random_fraction) = 1.0 / 3.0;
  NASCPP_ARG(double, bandwidth_factor) = 3.0;
  NASCPP_ARG(double, min_bandwidth) = 1e-3;

 public:
  static BohbOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class Bohb : public BracketOptimizer {
 public:
  static constexpr const char* kName = "bohb";
  explicit Bohb(BohbOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

  /// Configurations proposed from a model / at random so far.
  int64_t model_based_picks() const { return model_picks_; }
  int64_t random_picks() const { return random_picks_; }
  /// The budgets with a fitted model, and the observation count at which
  /// each budget's first model was fitted.
  const std::map<int64_t, int64_t>& first_model_at() const { return first_model_at_; }

 protected:
  Architecture new_configuration(const Slot& slot) override;
  void observe(const Trial& trial, int64_t epochs, const EvaluationResult& result) override;
  std::string save_extra() const override;
  void load_extra(const std::string& text) override;

 private:
  struct Density {
    std::vector<std::vector<int32_t>> data;
    std::vector<double> bandwidth;
    double pdf(const std::vector<int32_t>& x, const std::vector<int32_t>& cards) const;
  };
  struct Model {
    Density good, bad;
  };
  void fit(int64_t epochs);
  int64_t min_points() const;

  BohbOptions options_;
  std::vector<int32_t> cards_;
  // Per budget: observations (choices, loss) in arrival order.
  std::map<int64_t, std::vector<std::pair<std::vector<int32_t>, double>>> observations_;
  std::map<int64_t, Model> models_;
  std::map<int64_t, int64_t> first_model_at_;
  int64_t model_picks_ = 0;
  int64_t random_picks_ = 0;
};

}  // namespace nascpp

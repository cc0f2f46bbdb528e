#pragma once
/// Gradient-boosted regression trees through XGBoost's C API (Debian's
/// libxgboost-dev), as NASLib's XGBoost predictor sets them up: squared
/// error, gbtree, max depth 6, min child weight 1, learning rate 0.3, no
/// column subsampling, 500 boosting rounds, targets standardised (mean 0,
/// standard deviation 1) for the fit and mapped back for the predictions.
/// Trees give no uncertainty: every `stddev` is 0.
///
///     nascpp::XgBoost xgb(nascpp::XgBoostOptions().rounds(100));
///     xgb.fit(x, y, rng);  // the booster's seed comes from rng
///     std::vector<nascpp::Prediction> p = xgb.predict(x_new);
///
/// The same class is the random forest "rf": XGBoost's random-forest mode
/// (one round of `num_parallel_tree` trees, learning rate 1, whose
/// predictions XGBoost averages) set up as NASLib's random forest predictor
/// (scikit-learn's RandomForestRegressor with the NAS-Bench-301 settings):
/// 116 trees, 17.06% of the features tried at each split, at least 2
/// architectures per leaf, no depth limit, no bootstrap (every tree sees
/// every architecture), leaves at the mean of their targets (no L2 penalty).
///
/// Built when CMake finds XGBoost (NASCPP_HAVE_XGBOOST); the registry entries
/// are "xgb" and "rf".

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct XgBoostOptions {
  NASCPP_ARG(int64_t, rounds) = 500;
  /// 0: no limit (XGBoost's histogram method, trees grown leaf by leaf).
  NASCPP_ARG(int64_t, max_depth) = 6;
  NASCPP_ARG(double, min_child_weight) = 1.0;
  NASCPP_ARG(double, learning_rate) = 0.3;
  NASCPP_ARG(double, colsample_bytree) = 1.0;
  NASCPP_ARG(double, colsample_bylevel) = 1.0;
  /// Share of the features tried at each split (scikit-learn's max_features).
  NASCPP_ARG(double, colsample_bynode) = 1.0;
  /// Trees grown in each round; their predictions are averaged (a forest).
  NASCPP_ARG(int64_t, num_parallel_tree) = 1;
  /// Share of the training rows each tree sees, drawn without replacement.
  NASCPP_ARG(double, subsample) = 1.0;
  /// L2 penalty on leaf weights (XGBoost's `lambda`).
  NASCPP_ARG(double, reg_lambda) = 1.0;
  /// Standardise the targets for the fit (NASLib does).
  NASCPP_ARG(bool, standardize) = true;
  /// Initial prediction on the (standardised) scale, XGBoost's base_score.
  NASCPP_ARG(double, base_score) = 0.5;

 public:
  /// NASLib's random forest (see above): 1 round of 116 trees, learning
  /// rate 1, colsample_bynode 0.17056, min_child_weight 2 (squared error: 2
  /// rows), max_depth 0, reg_lambda 0, base_score 0.
  static XgBoostOptions random_forest();

  /// Keys as the setters' names; absent keys keep `defaults`' values (the
  /// first form: xgb's).
  static XgBoostOptions from_config(ConfigNode& cfg);
  static XgBoostOptions from_config(ConfigNode& cfg, const XgBoostOptions& defaults);
  /// ConfigError naming the bad value, its key prefixed with `who`.
  void validate(const std::string& who = "xgb") const;
};

class XgBoost : public Predictor {
 public:
  static constexpr const char* kName = "xgb";
  static constexpr const char* kRandomForestName = "rf";
  /// `name` is what name() reports (the registry entry).
  explicit XgBoost(XgBoostOptions options = {}, std::string name = kName);
  ~XgBoost() override;
  XgBoost(const XgBoost&) = delete;
  XgBoost& operator=(const XgBoost&) = delete;
  /// Registry factories: "xgb" and "rf" (XgBoostOptions::random_forest()).
  static std::unique_ptr<Predictor> from_config(ConfigNode& config);
  static std::unique_ptr<Predictor> random_forest_from_config(ConfigNode& config);

  std::string name() const override { return name_; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) override;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override;

 private:
  struct Booster;
  XgBoostOptions options_;
  std::string name_;
  std::unique_ptr<Booster> booster_;
  double mean_ = 0.0;
  double scale_ = 1.0;
  size_t cols_ = 0;
};

}  // namespace nascpp

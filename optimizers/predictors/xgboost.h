#pragma once
/// Gradient-boosted regression trees through XGBoost's C API (Debian's
/// libxgboost-dev), as NASLib's XGBoost predictor sets them up: squared
/// error, gbtree, max depth 6, min child weight 1, learning rate 0.3, no
/// column subsampling, 500 boosting rounds, targets standardised (mean 0,
/// standard deviation 1) for the fit and mapped back for the predictions.
/// Trees give no uncertainty: every `stddev` is 0.
///
///     XgBoost xgb(XgBoostOptions().rounds(100));
///     xgb.fit(x, y, rng);  // the booster's seed comes from rng
///     std::vector<Prediction> p = xgb.predict(x_new);
///
/// Built when CMake finds XGBoost (NASCPP_HAVE_XGBOOST); the registry entry
/// is "xgb".

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct XgBoostOptions {
  NASCPP_ARG(int64_t, rounds) = 500;
  NASCPP_ARG(int64_t, max_depth) = 6;
  NASCPP_ARG(double, min_child_weight) = 1.0;
  NASCPP_ARG(double, learning_rate) = 0.3;
  NASCPP_ARG(double, colsample_bytree) = 1.0;
  NASCPP_ARG(double, colsample_bylevel) = 1.0;
  /// L2 penalty on leaf weights (XGBoost's `lambda`).
  NASCPP_ARG(double, reg_lambda) = 1.0;
  /// Standardise the targets for the fit (NASLib does).
  NASCPP_ARG(bool, standardize) = true;
  /// Initial prediction on the (standardised) scale, XGBoost's base_score.
  NASCPP_ARG(double, base_score) = 0.5;

 public:
  /// Keys as the setters' names.
  static XgBoostOptions from_config(ConfigNode& cfg);
  /// ConfigError naming the bad value.
  void validate() const;
};

class XgBoost : public Predictor {
 public:
  static constexpr const char* kName = "xgb";
  explicit XgBoost(XgBoostOptions options = {});
  ~XgBoost() override;
  XgBoost(const XgBoost&) = delete;
  XgBoost& operator=(const XgBoost&) = delete;
  /// Registry factory.
  static std::unique_ptr<Predictor> from_config(ConfigNode& config);

  std::string name() const override { return kName; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) override;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override;

 private:
  struct Booster;
  XgBoostOptions options_;
  std::unique_ptr<Booster> booster_;
  double mean_ = 0.0;
  double scale_ = 1.0;
  size_t cols_ = 0;
};

}  // namespace nascpp

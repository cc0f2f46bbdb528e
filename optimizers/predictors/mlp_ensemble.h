#pragma once
/// An ensemble of independently initialised feed-forward networks (BANANAS's
/// "meta neural network", White et al., AAAI 2021; NASLib's
/// FeedforwardPredictor): each member is `num_layers` fully connected ReLU
/// layers of `layer_width` units and a linear output, trained with Adam on
/// the mean absolute error plus an L1 penalty on the output weights. The
/// prediction is the members' mean, the uncertainty their standard deviation.
///
/// Defaults are NASLib's: 3 members, 20 layers of width 20, 500 epochs,
/// batch 32, lr 1e-3, Adam betas (0.9, 0.99), L1 weight 0.2, Xavier-uniform
/// weights and zero biases. Written on Eigen (float) for speed: one BANANAS
/// round trains 3 networks on up to a few hundred encodings.
///
/// A member whose training diverged (non-finite weights, or non-finite
/// outputs on its training data, e.g. with a learning rate far too high) is
/// dropped; `fit_warning()` says how many. When every member diverged the
/// predictions are NaN.

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct MlpEnsembleOptions {
  NASCPP_ARG(int64_t, num_models) = 3;
  NASCPP_ARG(int64_t, num_layers) = 20;
  NASCPP_ARG(int64_t, layer_width) = 20;
  NASCPP_ARG(int64_t, epochs) = 500;
  NASCPP_ARG(int64_t, batch_size) = 32;
  NASCPP_ARG(double, learning_rate) = 1e-3;
  NASCPP_ARG(double, beta1) = 0.9;
  NASCPP_ARG(double, beta2) = 0.99;
  /// Weight of the L1 penalty on the output layer's weights.
  NASCPP_ARG(double, regularization) = 0.2;

 public:
  /// Keys as the setters' names.
  static MlpEnsembleOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class MlpEnsemble : public Predictor {
 public:
  static constexpr const char* kName = "mlp_ensemble";
  explicit MlpEnsemble(MlpEnsembleOptions options = {});
  ~MlpEnsemble() override;
  /// Registry factory.
  static std::unique_ptr<Predictor> from_config(ConfigNode& config);

  std::string name() const override { return kName; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) override;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override;
  /// "" or, e.g., "2 of 3 ensemble members diverged in training ...".
  std::string fit_warning() const override { return fit_warning_; }
  /// Each member's predictions, [member][row] (the members that did not
  /// diverge).
  std::vector<std::vector<double>> predict_members(const FeatureMatrix& x) const;
  /// Members dropped by the last fit because their training diverged.
  int64_t diverged_members() const { return diverged_members_; }

  const MlpEnsembleOptions& options() const { return options_; }

 private:
  struct Net;
  MlpEnsembleOptions options_;
  std::vector<std::unique_ptr<Net>> members_;
  size_t input_dims_ = 0;
  bool fitted_ = false;
  int64_t diverged_members_ = 0;
  std::string fit_warning_;
};

}  // namespace nascpp

#pragma once
/// Exact Gaussian-process regression (Rasmussen & Williams, "Gaussian
/// Processes for Machine Learning", 2006, Algorithm 2.1) on the encodings as
/// given (one-hot, path, ...: any real features, compared by Euclidean
/// distance). The model is a zero-mean GP on standardised targets (y minus
/// its mean, divided by its population standard deviation; 1 when that is 0)
/// with one of two stationary kernels of the distance r:
///
///     rbf:      s2 * exp(-r^2 / (2 l^2))
///     matern52: s2 * (1 + sqrt(5) r / l + 5 r^2 / (3 l^2)) * exp(-sqrt(5) r / l)
///
/// and Gaussian observation noise of variance n (on the standardised scale).
/// Hyperparameters that the options leave at -1 are fitted: the pair (l, n)
/// that maximises the exact log marginal likelihood over a fixed grid, l in
/// {0.1, 0.2, 0.5, 1, 2, 5, 10} times the median pairwise distance of the
/// training rows (1 when that is 0), n in {1e-6, 1e-4, 1e-3, 1e-2, 0.1, 1};
/// s2 is then 1 (the standardised targets' variance). The fit is therefore
/// deterministic: it draws nothing from its `Rng`.
///
/// The prediction's `stddev` is the latent function's: sqrt(s2 - k*^T K^-1
/// k*) times the targets' standard deviation, without the observation
/// noise, so it vanishes at a training point when n = 0.
///
/// K is factorised by Cholesky with 1e-10 added to its diagonal; when that
/// fails the jitter grows tenfold up to 1e-4 (`fit_warning()` says so), and
/// beyond that the fit throws. A fit costs O(rows^3) per grid point (42 grid
/// points when both l and n are fitted), which is fine for BANANAS's few
/// hundred evaluated architectures.
///
///     nascpp::GaussianProcess gp(nascpp::GaussianProcessOptions().kernel("matern52").noise(0));
///     gp.fit(x, y, rng);  // length scale fitted, noise fixed at 0
///     std::vector<nascpp::Prediction> p = gp.predict(x_new);

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct GaussianProcessOptions {
  /// "rbf" or "matern52".
  NASCPP_ARG(std::string, kernel) = "rbf";
  /// Length scale l in feature units; > 0 fixes it, -1 fits it.
  NASCPP_ARG(double, length_scale) = -1.0;
  /// Observation noise variance n on the standardised scale; >= 0 fixes it
  /// (0: interpolate the training targets), -1 fits it.
  NASCPP_ARG(double, noise) = -1.0;
  /// Signal variance s2 on the standardised scale; > 0 fixes it, -1 means 1.
  NASCPP_ARG(double, signal_variance) = -1.0;

 public:
  /// The valid kernels, sorted.
  static const std::vector<std::string>& kernels();
  /// Keys as the setters' names.
  static GaussianProcessOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class GaussianProcess : public Predictor {
 public:
  static constexpr const char* kName = "gp";
  explicit GaussianProcess(GaussianProcessOptions options = {});
  ~GaussianProcess() override;
  /// Registry factory.
  static std::unique_ptr<Predictor> from_config(ConfigNode& config);

  std::string name() const override { return kName; }
  /// `rng` is unused: the fit is deterministic.
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) override;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override;
  /// "" or, e.g., "Cholesky of the 40x40 kernel matrix needed jitter 1e-08 ...".
  std::string fit_warning() const override { return fit_warning_; }

  /// The last fit's hyperparameters (fixed or fitted); an error before the first fit.
  double length_scale() const;
  double noise() const;
  double signal_variance() const;

  const GaussianProcessOptions& options() const { return options_; }

 private:
  struct Model;
  GaussianProcessOptions options_;
  std::unique_ptr<Model> model_;
  std::string fit_warning_;
};

}  // namespace nascpp

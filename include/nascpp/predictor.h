#pragma once
/// `Predictor`: a surrogate model of the objective over encoded
/// architectures, with an uncertainty estimate; BANANAS's acquisition
/// functions use it. The built-in one is an ensemble of MLPs
/// (optimizers/predictors/mlp_ensemble.h); a user plugs another (a GP,
/// boosted trees) into BANANAS by implementing this interface and either
/// passing it to `Bananas`'s constructor or registering it:
///
///     nascpp::predictor_registry().add("my_gp", "GP with a WL kernel",
///         [](nascpp::ConfigNode& cfg) { return std::make_unique<MyGp>(cfg); });
///     // bananas config: predictor: {name: my_gp, ...}

#include <cstddef>
#include <string>
#include <vector>

#include "nascpp/core/random.h"

namespace nascpp {

/// Row-major features: `rows` encodings of `cols` values each.
struct FeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;
  std::vector<float> data;

  FeatureMatrix() = default;
  FeatureMatrix(size_t r, size_t c) : rows(r), cols(c), data(r * c, 0.0f) {}
  const float* row(size_t i) const { return data.data() + i * cols; }
  float* row(size_t i) { return data.data() + i * cols; }
  /// Appends one row; its length must equal `cols` (or sets `cols` when empty).
  void append(const std::vector<float>& values);
};

/// A predicted objective and its uncertainty (standard deviation, >= 0).
struct Prediction {
  double mean = 0.0;
  double stddev = 0.0;
};

class Predictor {
 public:
  virtual ~Predictor() = default;
  /// Registry name.
  virtual std::string name() const = 0;
  /// Fits the model to features `x` (one row per architecture) and targets
  /// `y` (`y.size() == x.rows`, at least one row); `rng` draws everything
  /// random (initialisation, mini-batches), so a fit is reproducible.
  virtual void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) = 0;
  /// Predictions for every row of `x` (same `cols` as in `fit`); an error
  /// before the first `fit`. A model that diverged in its fit may predict
  /// NaN or infinite values: callers must not rank by them blindly.
  virtual std::vector<Prediction> predict(const FeatureMatrix& x) const = 0;
  /// What went wrong in the last `fit` that the model worked around (e.g.
  /// diverged ensemble members that were dropped), "" when nothing did. The
  /// predictor does not log: its caller knows what it is used for and warns.
  virtual std::string fit_warning() const { return {}; }
  /// The one encoding the predictor reads ("" for any): the graph predictor
  /// reads `adjacency`. BANANAS uses it when its `encoding` is unset and
  /// refuses another.
  virtual std::string required_encoding() const { return {}; }
};

}  // namespace nascpp

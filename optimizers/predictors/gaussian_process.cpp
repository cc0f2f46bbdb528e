#include "optimizers/predictors/gaussian_process.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

const std::vector<std::string>& GaussianProcessOptions::kernels() {
  static const std::vector<std::string> names = {"matern52", "rbf"};
  return names;
}

GaussianProcessOptions GaussianProcessOptions::from_config(ConfigNode& cfg) {
  GaussianProcessOptions o;
  o.kernel(cfg.get_choice("kernel", o.kernel(), kernels()));
  o.length_scale(cfg.get<double>("length_scale", o.length_scale()));
  o.noise(cfg.get<double>("noise", o.noise()));
  o.signal_variance(cfg.get<double>("signal_variance", o.signal_variance()));
  o.validate();
  return o;
}

void GaussianProcessOptions::validate() const {
  const auto& names = kernels();
  NASCPP_CHECK_CONFIG(std::find(names.begin(), names.end(), kernel_) != names.end(), "gp: {}",
                      unknown_choice_message("kernel", kernel_, names));
  // -1 is the one negative value allowed: "fit it".
  NASCPP_CHECK_CONFIG((length_scale_ > 0 && std::isfinite(length_scale_)) || length_scale_ == -1,
                      "gp length_scale must be a finite number > 0 (or -1 to fit it), got {}",
                      length_scale_);
  NASCPP_CHECK_CONFIG((noise_ >= 0 && std::isfinite(noise_)) || noise_ == -1,
                      "gp noise must be a finite number >= 0 (or -1 to fit it), got {}", noise_);
  NASCPP_CHECK_CONFIG(
      (signal_variance_ > 0 && std::isfinite(signal_variance_)) || signal_variance_ == -1,
      "gp signal_variance must be a finite number > 0 (or -1 for 1), got {}", signal_variance_);
}

namespace {

using Matrix = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Llt = Eigen::LLT<Matrix>;

constexpr double kPi = 3.14159265358979323846;
// Jitter on K's diagonal: 10^kFirstJitterExp, then tenfold up to 10^kLastJitterExp.
constexpr int kFirstJitterExp = -10;
constexpr int kLastJitterExp = -4;
// The hyperparameter grid of the marginal-likelihood fit (see the header).
constexpr double kLengthFactors[] = {0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0};
constexpr double kNoiseGrid[] = {1e-6, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};

// Squared Euclidean distances between the columns of `a` (d x n) and of
// `b` (d x m), n x m. Computed from the differences rather than as
// |a|^2 + |b|^2 - 2 a.b, so that equal encodings are exactly 0 apart.
Matrix squared_distances(const Matrix& a, const Matrix& b) {
  Matrix out(a.cols(), b.cols());
  for (Eigen::Index j = 0; j < b.cols(); ++j) {
    out.col(j) = (a.colwise() - b.col(j)).colwise().squaredNorm().transpose();
  }
  return out;
}

// The kernel applied elementwise to squared distances.
Matrix kernel_of(const Matrix& sq, const std::string& kernel, double length, double s2) {
  if (kernel == "rbf") {
    return s2 * (sq.array() * (-0.5 / (length * length))).exp().matrix();
  }
  const Eigen::ArrayXXd r = sq.array().sqrt() * (std::sqrt(5.0) / length);  // sqrt(5) d / l
  return s2 * ((1.0 + r + r.square() / 3.0) * (-r).exp()).matrix();
}

// Cholesky of k + (noise + jitter) I with the smallest jitter that works;
// false when none up to the largest does. A factor with a non-positive or
// non-finite pivot counts as failed: LLT only flags negative pivots.
bool factorise(const Matrix& k, double noise, Llt& llt, double& jitter) {
  for (int e = kFirstJitterExp; e <= kLastJitterExp; ++e) {
    jitter = std::pow(10.0, e);
    Matrix a = k;
    a.diagonal().array() += noise + jitter;
    llt.compute(a);
    if (llt.info() != Eigen::Success) continue;
    const Vector d = llt.matrixLLT().diagonal();
    if (d.allFinite() && d.minCoeff() > 0) return true;
  }
  return false;
}

}  // namespace

// The fitted model, in the standardised target scale.
struct GaussianProcess::Model {
  Matrix x;      // training features, d x n (one column per example)
  Llt llt;       // Cholesky of K + (noise + jitter) I
  Vector alpha;  // (K + (noise + jitter) I)^-1 (y - y_mean) / y_std
  double y_mean = 0.0;
  double y_std = 1.0;
  double length = 1.0;
  double noise = 0.0;
  double s2 = 1.0;
  double jitter = 0.0;
};

GaussianProcess::GaussianProcess(GaussianProcessOptions options) : options_(std::move(options)) {
  options_.validate();
}

GaussianProcess::~GaussianProcess() = default;

std::unique_ptr<Predictor> GaussianProcess::from_config(ConfigNode& config) {
  return std::make_unique<GaussianProcess>(GaussianProcessOptions::from_config(config));
}

void GaussianProcess::fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& /*rng*/) {
  // A failed fit leaves no model behind: predicting with the previous one
  // would silently ignore the new data.
  model_.reset();
  fit_warning_.clear();
  NASCPP_CHECK(x.rows >= 1 && y.size() == x.rows,
               "gp: fit needs as many targets as examples, at least one; got {} targets for {} "
               "examples",
               y.size(), x.rows);
  NASCPP_CHECK(x.cols >= 1, "gp: fit needs at least one feature, got {} examples of {}", x.rows,
               x.cols);
  const auto n = static_cast<Eigen::Index>(x.rows);
  const auto d = static_cast<Eigen::Index>(x.cols);
  for (size_t i = 0; i < x.rows; ++i) {
    NASCPP_CHECK(std::isfinite(y[i]), "gp: target of row {} is {}, not a finite number", i, y[i]);
    for (size_t c = 0; c < x.cols; ++c) {
      NASCPP_CHECK(std::isfinite(x.row(i)[c]), "gp: feature {} of row {} is {}, not finite", c, i,
                   x.row(i)[c]);
    }
  }

  auto model = std::make_unique<Model>();
  model->x = Eigen::Map<const Eigen::MatrixXf>(x.data.data(), d, n).cast<double>();
  double sum = 0.0;
  for (double v : y) sum += v;
  model->y_mean = sum / static_cast<double>(n);
  double sq_sum = 0.0;
  for (double v : y) sq_sum += (v - model->y_mean) * (v - model->y_mean);
  model->y_std = std::sqrt(sq_sum / static_cast<double>(n));
  // Constant targets: nothing to scale; the model then predicts their mean.
  if (!(model->y_std > 0)) model->y_std = 1.0;
  Vector ys(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    ys(i) = (y[static_cast<size_t>(i)] - model->y_mean) / model->y_std;
  }

  const Matrix sq = squared_distances(model->x, model->x);
  std::vector<double> lengths, noises;
  if (options_.length_scale() > 0) {
    lengths = {options_.length_scale()};
  } else {
    // The grid is relative to the typical distance between encodings, so it
    // fits one-hot and path encodings (and any scaling of them) alike.
    std::vector<double> dist;
    dist.reserve(static_cast<size_t>(n * (n - 1) / 2));
    for (Eigen::Index j = 1; j < n; ++j) {
      for (Eigen::Index i = 0; i < j; ++i) dist.push_back(std::sqrt(sq(i, j)));
    }
    double median = 0.0;
    if (!dist.empty()) {
      const size_t mid = dist.size() / 2;
      std::nth_element(dist.begin(), dist.begin() + static_cast<std::ptrdiff_t>(mid), dist.end());
      median = dist[mid];
      if (dist.size() % 2 == 0) {
        median =
            0.5 * (median + *std::max_element(dist.begin(),
                                              dist.begin() + static_cast<std::ptrdiff_t>(mid)));
      }
    }
    if (!(median > 0)) median = 1.0;
    for (double f : kLengthFactors) lengths.push_back(f * median);
  }
  if (options_.noise() >= 0) {
    noises = {options_.noise()};
  } else {
    noises.assign(std::begin(kNoiseGrid), std::end(kNoiseGrid));
  }
  const double s2 = options_.signal_variance() > 0 ? options_.signal_variance() : 1.0;

  // Rasmussen & Williams eq. 2.30: log p(y | X) = -y^T alpha / 2 - sum log L_ii
  // - n log(2 pi) / 2. Grid points whose factorisation fails are skipped;
  // ties keep the first (shortest length scale, smallest noise).
  double best = -std::numeric_limits<double>::infinity();
  bool found = false;
  Llt llt;
  for (double length : lengths) {
    const Matrix k = kernel_of(sq, options_.kernel(), length, s2);
    for (double noise : noises) {
      double jitter = 0.0;
      if (!factorise(k, noise, llt, jitter)) continue;
      Vector alpha = llt.solve(ys);
      const double lml = -0.5 * ys.dot(alpha) - llt.matrixLLT().diagonal().array().log().sum() -
                         0.5 * static_cast<double>(n) * std::log(2.0 * kPi);
      if (!std::isfinite(lml) || !alpha.allFinite()) continue;
      if (!found || lml > best) {
        found = true;
        best = lml;
        model->llt = llt;
        model->alpha = std::move(alpha);
        model->length = length;
        model->noise = noise;
        model->jitter = jitter;
      }
    }
  }
  NASCPP_CHECK(
      found,
      "gp: the {}x{} kernel matrix of {} examples with {} features is not positive "
      "definite even with jitter {} on its diagonal (kernel {}, length scale {}, noise {}); "
      "are the encodings finite and the length scale sensible?",
      n, n, n, d, std::pow(10.0, kLastJitterExp), options_.kernel(),
      lengths.size() == 1 ? fmt::format("{}", lengths[0]) : std::string("fitted"),
      noises.size() == 1 ? fmt::format("{}", noises[0]) : std::string("fitted"));
  model->s2 = s2;
  if (model->jitter > std::pow(10.0, kFirstJitterExp)) {
    fit_warning_ = fmt::format(
        "gp: the Cholesky factorisation of the {}x{} kernel matrix needed jitter {} on its "
        "diagonal instead of {} (near-duplicate encodings or a long length scale); fitted "
        "with kernel {}, length scale {}, noise {}, signal variance {}",
        n, n, model->jitter, std::pow(10.0, kFirstJitterExp), options_.kernel(), model->length,
        model->noise, model->s2);
  }
  model_ = std::move(model);
}

std::vector<Prediction> GaussianProcess::predict(const FeatureMatrix& x) const {
  NASCPP_CHECK(model_ != nullptr, "gp: predict before fit");
  NASCPP_CHECK(static_cast<Eigen::Index>(x.cols) == model_->x.rows(),
               "gp: predict with {} features, fitted with {}", x.cols, model_->x.rows());
  if (x.rows == 0) return {};
  const Matrix xs =
      Eigen::Map<const Eigen::MatrixXf>(x.data.data(), static_cast<Eigen::Index>(x.cols),
                                        static_cast<Eigen::Index>(x.rows))
          .cast<double>();
  const Matrix ks = kernel_of(squared_distances(model_->x, xs), options_.kernel(), model_->length,
                              model_->s2);  // n x m
  const Vector mean = ks.transpose() * model_->alpha;
  // k*^T K^-1 k* = |L^-1 k*|^2 (Rasmussen & Williams, Algorithm 2.1).
  const Matrix v = model_->llt.matrixL().solve(ks);
  const Eigen::RowVectorXd explained = v.colwise().squaredNorm();
  std::vector<Prediction> out(x.rows);
  for (size_t i = 0; i < x.rows; ++i) {
    const auto c = static_cast<Eigen::Index>(i);
    const double var = std::max(0.0, model_->s2 - explained(c));
    out[i] = {model_->y_mean + model_->y_std * mean(c), std::sqrt(var) * model_->y_std};
  }
  return out;
}

double GaussianProcess::length_scale() const {
  NASCPP_CHECK(model_ != nullptr, "gp: length_scale before fit");
  return model_->length;
}

double GaussianProcess::noise() const {
  NASCPP_CHECK(model_ != nullptr, "gp: noise before fit");
  return model_->noise;
}

double GaussianProcess::signal_variance() const {
  NASCPP_CHECK(model_ != nullptr, "gp: signal_variance before fit");
  return model_->s2;
}

}  // namespace nascpp

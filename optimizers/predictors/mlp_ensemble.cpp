#include "optimizers/predictors/mlp_ensemble.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "nascpp/core/error.h"

namespace nascpp {

MlpEnsembleOptions MlpEnsembleOptions::from_config(ConfigNode& cfg) {
  MlpEnsembleOptions o;
  o.num_models(cfg.get<int64_t>("num_models", o.num_models()));
  o.num_layers(cfg.get<int64_t>("num_layers", o.num_layers()));
  o.layer_width(cfg.get<int64_t>("layer_width", o.layer_width()));
  o.epochs(cfg.get<int64_t>("epochs", o.epochs()));
  o.batch_size(cfg.get<int64_t>("batch_size", o.batch_size()));
  o.learning_rate(cfg.get<double>("learning_rate", o.learning_rate()));
  o.beta1(cfg.get<double>("beta1", o.beta1()));
  o.beta2(cfg.get<double>("beta2", o.beta2()));
  o.regularization(cfg.get<double>("regularization", o.regularization()));
  o.validate();
  return o;
}

void MlpEnsembleOptions::validate() const {
  NASCPP_CHECK_CONFIG(num_models_ >= 1, "mlp_ensemble num_models must be >= 1, got {}",
                      num_models_);
  NASCPP_CHECK_CONFIG(num_layers_ >= 1, "mlp_ensemble num_layers must be >= 1, got {}",
                      num_layers_);
  NASCPP_CHECK_CONFIG(layer_width_ >= 1, "mlp_ensemble layer_width must be >= 1, got {}",
                      layer_width_);
  NASCPP_CHECK_CONFIG(epochs_ >= 1, "mlp_ensemble epochs must be >= 1, got {}", epochs_);
  NASCPP_CHECK_CONFIG(batch_size_ >= 1, "mlp_ensemble batch_size must be >= 1, got {}",
                      batch_size_);
  NASCPP_CHECK_CONFIG(learning_rate_ > 0 && std::isfinite(learning_rate_),
                      "mlp_ensemble learning_rate must be positive, got {}", learning_rate_);
  NASCPP_CHECK_CONFIG(beta1_ >= 0 && beta1_ < 1, "mlp_ensemble beta1 must be in [0, 1), got {}",
                      beta1_);
  NASCPP_CHECK_CONFIG(beta2_ >= 0 && beta2_ < 1, "mlp_ensemble beta2 must be in [0, 1), got {}",
                      beta2_);
  NASCPP_CHECK_CONFIG(regularization_ >= 0 && std::isfinite(regularization_),
                      "mlp_ensemble regularization must be a finite number >= 0, got {}",
                      regularization_);
}

namespace {

using Matrix = Eigen::MatrixXf;  // column-major: one column per example
using Vector = Eigen::VectorXf;
using RowVector = Eigen::RowVectorXf;

// Adam (Kingma & Ba 2015) as torch.optim.Adam computes it, eps = 1e-8.
struct Adam {
  float lr, beta1, beta2;
  int64_t step = 0;
  float step_size = 0.0f, bias2_sqrt = 1.0f;

  void begin_step() {
    ++step;
    const double bc1 = 1.0 - std::pow(static_cast<double>(beta1), static_cast<double>(step));
    const double bc2 = 1.0 - std::pow(static_cast<double>(beta2), static_cast<double>(step));
    step_size = static_cast<float>(lr / bc1);
    bias2_sqrt = static_cast<float>(std::sqrt(bc2));
  }
  template <class P, class G>
  void update(P& param, const G& grad, P& m, P& v) const {
    m.array() = beta1 * m.array() + (1.0f - beta1) * grad.array();
    v.array() = beta2 * v.array() + (1.0f - beta2) * grad.array().square();
    param.array() -= step_size * m.array() / (v.array().sqrt() / bias2_sqrt + 1e-8f);
  }
};

float sign(float v) { return static_cast<float>((v > 0.0f) - (v < 0.0f)); }

}  // namespace

struct MlpEnsemble::Net {
  std::vector<Matrix> w;  // hidden layers, [out, in]
  std::vector<Vector> b;
  RowVector w_out;
  float b_out = 0.0f;

  // Forward pass of `x` (one column per example); returns the outputs.
  RowVector forward(const Matrix& x) const {
    Matrix a = x;
    for (size_t l = 0; l < w.size(); ++l) {
      Matrix z = w[l] * a;
      z.colwise() += b[l];
      a = z.cwiseMax(0.0f);
    }
    RowVector y = w_out * a;
    y.array() += b_out;
    return y;
  }

  bool weights_finite() const {
    for (size_t l = 0; l < w.size(); ++l) {
      if (!w[l].allFinite() || !b[l].allFinite()) return false;
    }
    return w_out.allFinite() && std::isfinite(b_out);
  }
};

MlpEnsemble::MlpEnsemble(MlpEnsembleOptions options) : options_(std::move(options)) {
  options_.validate();
}

MlpEnsemble::~MlpEnsemble() = default;

std::unique_ptr<Predictor> MlpEnsemble::from_config(ConfigNode& config) {
  return std::make_unique<MlpEnsemble>(MlpEnsembleOptions::from_config(config));
}

void MlpEnsemble::fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) {
  NASCPP_CHECK(x.rows >= 1 && x.cols >= 1,
               "mlp_ensemble: fit needs at least one example, got {}x{}", x.rows, x.cols);
  NASCPP_CHECK(y.size() == x.rows, "mlp_ensemble: {} targets for {} examples", y.size(), x.rows);
  const auto n = static_cast<Eigen::Index>(x.rows);
  const auto in = static_cast<Eigen::Index>(x.cols);
  const auto width = static_cast<Eigen::Index>(options_.layer_width());
  const auto layers = static_cast<size_t>(options_.num_layers());
  const Eigen::Index max_batch = std::min<Eigen::Index>(n, options_.batch_size());
  const float reg = static_cast<float>(options_.regularization());
  input_dims_ = x.cols;

  const Eigen::Map<const Matrix> x_all(x.data.data(), in, n);
  RowVector t_all(n);
  for (Eigen::Index i = 0; i < n; ++i) t_all(i) = static_cast<float>(y[static_cast<size_t>(i)]);

  // Workspace shared by the members, sized for the largest batch once.
  Matrix xb(in, max_batch);
  RowVector tb(max_batch), out(max_batch), dy(max_batch);
  std::vector<Matrix> z(layers, Matrix(width, max_batch)), a(layers, Matrix(width, max_batch));
  Matrix da(width, max_batch), dz(width, max_batch);
  std::vector<Matrix> gw(layers);
  std::vector<Vector> gb(layers);
  RowVector gw_out(width);
  std::vector<Eigen::Index> order(static_cast<size_t>(n));

  members_.clear();
  fitted_ = false;
  diverged_members_ = 0;
  fit_warning_.clear();
  std::string why;
  for (int64_t model = 0; model < options_.num_models(); ++model) {
    auto net = std::make_unique<Net>();
    // Xavier-uniform weights, zero biases (NASLib's initialisation).
    auto xavier = [&rng](Eigen::Index rows, Eigen::Index cols) {
      const double bound = std::sqrt(6.0 / static_cast<double>(rows + cols));
      Matrix m(rows, cols);
      for (Eigen::Index j = 0; j < cols; ++j) {
        for (Eigen::Index i = 0; i < rows; ++i)
          m(i, j) = static_cast<float>(rng.uniform(-bound, bound));
      }
      return m;
    };
    for (size_t l = 0; l < layers; ++l) {
      net->w.push_back(xavier(width, l == 0 ? in : width));
      net->b.push_back(Vector::Zero(width));
    }
    net->w_out = xavier(1, width);
    net->b_out = 0.0f;

    std::vector<Matrix> mw, vw;
    std::vector<Vector> mb, vb;
    for (size_t l = 0; l < layers; ++l) {
      mw.push_back(Matrix::Zero(net->w[l].rows(), net->w[l].cols()));
      vw.push_back(mw.back());
      mb.push_back(Vector::Zero(width));
      vb.push_back(mb.back());
      gw[l].resize(net->w[l].rows(), net->w[l].cols());
      gb[l].resize(width);
    }
    RowVector mw_out = RowVector::Zero(width), vw_out = RowVector::Zero(width);
    Eigen::Matrix<float, 1, 1> b_out, mb_out = Eigen::Matrix<float, 1, 1>::Zero(),
                                      vb_out = Eigen::Matrix<float, 1, 1>::Zero(), gb_out;
    Adam adam{static_cast<float>(options_.learning_rate()), static_cast<float>(options_.beta1()),
              static_cast<float>(options_.beta2())};

    std::iota(order.begin(), order.end(), 0);
    for (int64_t epoch = 0; epoch < options_.epochs(); ++epoch) {
      std::shuffle(order.begin(), order.end(), rng.engine());
      for (Eigen::Index start = 0; start < n; start += max_batch) {
        const Eigen::Index bs = std::min(max_batch, n - start);
        for (Eigen::Index j = 0; j < bs; ++j) {
          const Eigen::Index src = order[static_cast<size_t>(start + j)];
          xb.col(j) = x_all.col(src);
          tb(j) = t_all(src);
        }
        // Forward.
        for (size_t l = 0; l < layers; ++l) {
          auto zl = z[l].leftCols(bs);
          if (l == 0) {
            zl.noalias() = net->w[l] * xb.leftCols(bs);
          } else {
            zl.noalias() = net->w[l] * a[l - 1].leftCols(bs);
          }
          zl.colwise() += net->b[l];
          a[l].leftCols(bs) = zl.cwiseMax(0.0f);
        }
        out.leftCols(bs).noalias() = net->w_out * a[layers - 1].leftCols(bs);
        out.leftCols(bs).array() += net->b_out;
        // Backward of mean |out - t| + reg * |w_out|_1 (sign(0) = 0, as torch).
        const float inv = 1.0f / static_cast<float>(bs);
        for (Eigen::Index j = 0; j < bs; ++j) dy(j) = sign(out(j) - tb(j)) * inv;
        gw_out.noalias() = dy.leftCols(bs) * a[layers - 1].leftCols(bs).transpose();
        for (Eigen::Index i = 0; i < width; ++i) gw_out(i) += reg * sign(net->w_out(i));
        gb_out(0) = dy.leftCols(bs).sum();
        da.leftCols(bs).noalias() = net->w_out.transpose() * dy.leftCols(bs);
        for (size_t l = layers; l-- > 0;) {
          auto dzl = dz.leftCols(bs);
          dzl.array() = (z[l].leftCols(bs).array() > 0.0f).select(da.leftCols(bs).array(), 0.0f);
          if (l == 0) {
            gw[l].noalias() = dzl * xb.leftCols(bs).transpose();
          } else {
            gw[l].noalias() = dzl * a[l - 1].leftCols(bs).transpose();
          }
          gb[l] = dzl.rowwise().sum();
          if (l > 0) da.leftCols(bs).noalias() = net->w[l].transpose() * dzl;
        }
        // Adam step.
        adam.begin_step();
        for (size_t l = 0; l < layers; ++l) {
          adam.update(net->w[l], gw[l], mw[l], vw[l]);
          adam.update(net->b[l], gb[l], mb[l], vb[l]);
        }
        adam.update(net->w_out, gw_out, mw_out, vw_out);
        b_out(0) = net->b_out;
        adam.update(b_out, gb_out, mb_out, vb_out);
        net->b_out = b_out(0);
      }
    }
    // A member whose training diverged would make every prediction NaN (or
    // its outputs meaningless): drop it. The check draws nothing from `rng`,
    // so fits that do not diverge are unchanged.
    if (!net->weights_finite()) {
      ++diverged_members_;
      if (why.empty()) why = "non-finite weights";
      continue;
    }
    if (!net->forward(x_all).allFinite()) {
      ++diverged_members_;
      if (why.empty()) why = "non-finite outputs on the training data";
      continue;
    }
    members_.push_back(std::move(net));
  }
  fitted_ = true;
  if (diverged_members_ > 0) {
    fit_warning_ = fmt::format(
        "{} of {} ensemble members diverged in training ({}; learning_rate {}) and were dropped; "
        "{}",
        diverged_members_, options_.num_models(), why, options_.learning_rate(),
        members_.empty() ? std::string("no member is left, the predictions are NaN")
                         : fmt::format("predicting with the remaining {}", members_.size()));
  }
}

std::vector<std::vector<double>> MlpEnsemble::predict_members(const FeatureMatrix& x) const {
  NASCPP_CHECK(fitted_, "mlp_ensemble: predict before fit");
  NASCPP_CHECK(x.cols == input_dims_, "mlp_ensemble: predict with {} features, fitted with {}",
               x.cols, input_dims_);
  std::vector<std::vector<double>> out;
  if (x.rows == 0) return std::vector<std::vector<double>>(members_.size());
  const Eigen::Map<const Matrix> xs(x.data.data(), static_cast<Eigen::Index>(x.cols),
                                    static_cast<Eigen::Index>(x.rows));
  const Matrix dense = xs;
  for (const auto& net : members_) {
    const RowVector y = net->forward(dense);
    out.emplace_back(y.data(), y.data() + y.size());
  }
  return out;
}

std::vector<Prediction> MlpEnsemble::predict(const FeatureMatrix& x) const {
  const auto members = predict_members(x);
  if (members.empty()) {
    // Every member diverged (fit_warning says so): nothing to predict with.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return std::vector<Prediction>(x.rows, Prediction{nan, nan});
  }
  std::vector<Prediction> out(x.rows);
  const double m = static_cast<double>(members.size());
  for (size_t i = 0; i < x.rows; ++i) {
    double sum = 0.0;
    for (const auto& p : members) sum += p[i];
    const double mean = sum / m;
    double sq = 0.0;
    for (const auto& p : members) sq += (p[i] - mean) * (p[i] - mean);
    out[i] = {mean, std::sqrt(sq / m)};  // population std, as numpy's default
  }
  return out;
}

}  // namespace nascpp

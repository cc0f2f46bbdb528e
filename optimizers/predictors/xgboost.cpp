#include "optimizers/predictors/xgboost.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include <cmath>
#include <numeric>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {

/// Throws Error with XGBoost's own message when a C API call failed.
void check(int status, const char* what) {
  if (status != 0) throw Error(fmt::format("xgboost: {} failed: {}", what, XGBGetLastError()));
}

/// A DMatrix of `x` (float rows), optionally with labels; freed on scope exit.
struct Matrix {
  DMatrixHandle handle = nullptr;
  Matrix(const FeatureMatrix& x, const std::vector<float>* labels) {
    check(XGDMatrixCreateFromMat(x.data.data(), static_cast<bst_ulong>(x.rows),
                                 static_cast<bst_ulong>(x.cols), std::nanf(""), &handle),
          "XGDMatrixCreateFromMat");
    if (labels != nullptr) {
      check(XGDMatrixSetFloatInfo(handle, "label", labels->data(),
                                  static_cast<bst_ulong>(labels->size())),
            "XGDMatrixSetFloatInfo(label)");
    }
  }
  ~Matrix() {
    if (handle != nullptr) XGDMatrixFree(handle);
  }
  Matrix(const Matrix&) = delete;
  Matrix& operator=(const Matrix&) = delete;
};

}  // namespace

struct XgBoost::Booster {
  BoosterHandle handle = nullptr;
  ~Booster() {
    if (handle != nullptr) XGBoosterFree(handle);
  }
};

XgBoostOptions XgBoostOptions::random_forest() {
  return XgBoostOptions()
      .rounds(1)
      .num_parallel_tree(116)
      .learning_rate(1.0)
      .colsample_bynode(0.17055852159745608)
      .subsample(1.0)
      .min_child_weight(2.0)
      .max_depth(0)
      .reg_lambda(0.0)
      .base_score(0.0);
}

XgBoostOptions XgBoostOptions::from_config(ConfigNode& cfg) {
  return from_config(cfg, XgBoostOptions());
}

XgBoostOptions XgBoostOptions::from_config(ConfigNode& cfg, const XgBoostOptions& defaults) {
  XgBoostOptions o = defaults;
  o.rounds(cfg.get<int64_t>("rounds", o.rounds()));
  o.max_depth(cfg.get<int64_t>("max_depth", o.max_depth()));
  o.min_child_weight(cfg.get<double>("min_child_weight", o.min_child_weight()));
  o.learning_rate(cfg.get<double>("learning_rate", o.learning_rate()));
  o.colsample_bytree(cfg.get<double>("colsample_bytree", o.colsample_bytree()));
  o.colsample_bylevel(cfg.get<double>("colsample_bylevel", o.colsample_bylevel()));
  o.colsample_bynode(cfg.get<double>("colsample_bynode", o.colsample_bynode()));
  o.num_parallel_tree(cfg.get<int64_t>("num_parallel_tree", o.num_parallel_tree()));
  o.subsample(cfg.get<double>("subsample", o.subsample()));
  o.reg_lambda(cfg.get<double>("reg_lambda", o.reg_lambda()));
  o.standardize(cfg.get<bool>("standardize", o.standardize()));
  o.base_score(cfg.get<double>("base_score", o.base_score()));
  return o;
}

void XgBoostOptions::validate(const std::string& who) const {
  const auto share = [&who](double v, const char* key) {
    NASCPP_CHECK_CONFIG(v > 0.0 && v <= 1.0, "{} {} must be in (0, 1], got {}", who, key, v);
  };
  NASCPP_CHECK_CONFIG(rounds_ >= 1, "{} rounds must be >= 1, got {}", who, rounds_);
  NASCPP_CHECK_CONFIG(max_depth_ >= 0, "{} max_depth must be >= 0 (0: no limit), got {}", who,
                      max_depth_);
  NASCPP_CHECK_CONFIG(min_child_weight_ >= 0.0 && std::isfinite(min_child_weight_),
                      "{} min_child_weight must be a finite number >= 0, got {}", who,
                      min_child_weight_);
  share(learning_rate_, "learning_rate");
  share(colsample_bytree_, "colsample_bytree");
  share(colsample_bylevel_, "colsample_bylevel");
  share(colsample_bynode_, "colsample_bynode");
  share(subsample_, "subsample");
  NASCPP_CHECK_CONFIG(num_parallel_tree_ >= 1, "{} num_parallel_tree must be >= 1, got {}", who,
                      num_parallel_tree_);
  NASCPP_CHECK_CONFIG(reg_lambda_ >= 0.0 && std::isfinite(reg_lambda_),
                      "{} reg_lambda must be a finite number >= 0, got {}", who, reg_lambda_);
  NASCPP_CHECK_CONFIG(std::isfinite(base_score_), "{} base_score must be finite, got {}", who,
                      base_score_);
}

XgBoost::XgBoost(XgBoostOptions options, std::string name)
    : options_(std::move(options)), name_(std::move(name)) {
  options_.validate(name_);
}

XgBoost::~XgBoost() = default;

std::unique_ptr<Predictor> XgBoost::from_config(ConfigNode& config) {
  return std::make_unique<XgBoost>(XgBoostOptions::from_config(config), kName);
}

std::unique_ptr<Predictor> XgBoost::random_forest_from_config(ConfigNode& config) {
  return std::make_unique<XgBoost>(
      XgBoostOptions::from_config(config, XgBoostOptions::random_forest()), kRandomForestName);
}

void XgBoost::fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) {
  NASCPP_CHECK(x.rows >= 1 && x.rows == y.size(),
               "{}: fit on {} feature rows with {} targets (need the same count, at least 1)",
               name_, x.rows, y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    NASCPP_CHECK(std::isfinite(y[i]), "{}: target {} is {}", name_, i, y[i]);
  }
  booster_.reset();
  mean_ = 0.0;
  scale_ = 1.0;
  if (options_.standardize()) {
    mean_ = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
    double var = 0.0;
    for (double v : y) var += (v - mean_) * (v - mean_);
    var /= static_cast<double>(y.size());
    scale_ = var > 0.0 ? std::sqrt(var) : 1.0;
  }
  std::vector<float> labels(y.size());
  for (size_t i = 0; i < y.size(); ++i) labels[i] = static_cast<float>((y[i] - mean_) / scale_);
  Matrix train(x, &labels);
  auto booster = std::make_unique<Booster>();
  check(XGBoosterCreate(&train.handle, 1, &booster->handle), "XGBoosterCreate");
  const auto set = [&](const char* key, const std::string& value) {
    check(XGBoosterSetParam(booster->handle, key, value.c_str()), key);
  };
  set("objective", "reg:squarederror");
  set("booster", "gbtree");
  set("max_depth", std::to_string(options_.max_depth()));
  if (options_.max_depth() == 0) {
    // No depth limit: only the histogram method grows such trees (leaf by
    // leaf, no leaf-count limit); binning loses nothing on encodings with a
    // few distinct values per feature.
    set("tree_method", "hist");
    set("grow_policy", "lossguide");
    set("max_leaves", "0");
  }
  set("min_child_weight", fmt::format("{}", options_.min_child_weight()));
  set("eta", fmt::format("{}", options_.learning_rate()));
  set("colsample_bytree", fmt::format("{}", options_.colsample_bytree()));
  set("colsample_bylevel", fmt::format("{}", options_.colsample_bylevel()));
  set("colsample_bynode", fmt::format("{}", options_.colsample_bynode()));
  set("num_parallel_tree", std::to_string(options_.num_parallel_tree()));
  set("subsample", fmt::format("{}", options_.subsample()));
  set("lambda", fmt::format("{}", options_.reg_lambda()));
  set("base_score", fmt::format("{}", options_.base_score()));
  // One thread: the caller decides parallelism, and the fit is then
  // deterministic for its seed.
  set("nthread", "1");
  set("seed", std::to_string(rng.next_seed() % 2147483647u));
  set("verbosity", "0");
  for (int64_t round = 0; round < options_.rounds(); ++round) {
    check(XGBoosterUpdateOneIter(booster->handle, static_cast<int>(round), train.handle),
          "XGBoosterUpdateOneIter");
  }
  cols_ = x.cols;
  booster_ = std::move(booster);
}

std::vector<Prediction> XgBoost::predict(const FeatureMatrix& x) const {
  NASCPP_CHECK(booster_ != nullptr, "{}: predict before fit", name_);
  NASCPP_CHECK(x.cols == cols_, "{}: predict on {} features, fitted on {}", name_, x.cols, cols_);
  std::vector<Prediction> out(x.rows);
  if (x.rows == 0) return out;
  Matrix data(x, nullptr);
  bst_ulong length = 0;
  const float* values = nullptr;
  check(XGBoosterPredict(booster_->handle, data.handle, 0, 0, 0, &length, &values),
        "XGBoosterPredict");
  NASCPP_CHECK(length == x.rows, "{}: {} predictions for {} rows", name_, length, x.rows);
  for (size_t i = 0; i < x.rows; ++i) {
    out[i].mean = static_cast<double>(values[i]) * scale_ + mean_;
    out[i].stddev = 0.0;
  }
  return out;
}

}  // namespace nascpp

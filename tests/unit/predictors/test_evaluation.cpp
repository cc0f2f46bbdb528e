// The predictor evaluation protocol on the toy space, whose objective is
// linear in its one-hot encoding: least squares predicts it exactly, its
// negation exactly backwards, and a NaN predictor is counted as failed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "nascpp/predictor_evaluation.h"
#include "tests/support/test_support.h"
#include "tests/support/toy_space.h"

namespace nascpp {
namespace {

/// Ridge regression with a tiny penalty (exact for linear objectives once
/// the training set spans the features); `sign` -1 predicts backwards.
class LeastSquares : public Predictor {
 public:
  explicit LeastSquares(double sign = 1.0, bool nan = false) : sign_(sign), nan_(nan) {}
  std::string name() const override { return "least_squares"; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng&) override {
    const auto X = design(x);
    const auto Y = torch::tensor(y, torch::kDouble).unsqueeze(1);
    const auto gram = X.t().matmul(X) + 1e-9 * torch::eye(X.size(1), torch::kDouble);
    w_ = torch::linalg_solve(gram, X.t().matmul(Y));
  }
  std::vector<Prediction> predict(const FeatureMatrix& x) const override {
    const auto p = design(x).matmul(w_).squeeze(1);
    std::vector<Prediction> out(x.rows);
    for (size_t i = 0; i < x.rows; ++i) {
      // Rounded so that equal objectives (the toy space has many) get equal
      // predictions, not ones a rounding error apart.
      const double v = std::round(p[static_cast<int64_t>(i)].item<double>() * 1e6) / 1e6;
      out[i].mean = nan_ ? std::nan("") : sign_ * v;
    }
    return out;
  }

 private:
  static torch::Tensor design(const FeatureMatrix& x) {
    std::vector<double> d(x.data.begin(), x.data.end());
    auto t = torch::tensor(d, torch::kDouble)
                 .reshape({static_cast<int64_t>(x.rows), static_cast<int64_t>(x.cols)});
    return torch::cat({t, torch::ones({t.size(0), 1}, torch::kDouble)}, 1);
  }
  double sign_;
  bool nan_;
  torch::Tensor w_;
};

const auto kOptions = PredictorEvaluationOptions()
                          .train_sizes({5, 42, 121})
                          .test_size(100)
                          .trials(3)
                          .seed(7)
                          .encoding("onehot");

TEST(PredictorEvaluation, ExactPredictorRanksPerfectlyAndItsNegationBackwards) {
  test::ToySpace space;
  test::ToyEvaluator evaluator;
  const auto rows = evaluate_predictor([] { return std::make_unique<LeastSquares>(); }, space,
                                       evaluator, kOptions);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].train_size, 5);
  // Five points cannot pin 21 coefficients; 42 and 121 do.
  EXPECT_LT(rows[0].kendall_tau, 0.99);
  for (size_t s = 1; s < rows.size(); ++s) {
    EXPECT_GT(rows[s].kendall_tau, 0.999) << rows[s].train_size;
    EXPECT_GT(rows[s].spearman, 0.999) << rows[s].train_size;
    EXPECT_GE(rows[s].precision_at_10, 0.8) << rows[s].train_size;  // ties at the boundary
    EXPECT_GE(rows[s].precision_at_20, 0.8) << rows[s].train_size;
    EXPECT_EQ(rows[s].failed_trials, 0);
    EXPECT_GE(rows[s].fit_seconds, 0.0);
  }
  const auto backwards = evaluate_predictor([] { return std::make_unique<LeastSquares>(-1.0); },
                                            space, evaluator, kOptions);
  EXPECT_LT(backwards[2].kendall_tau, -0.999);
  EXPECT_LE(backwards[2].precision_at_10, 0.2);
}

// Predicts the last feature column; records the training matrices it saw.
class LastColumn : public Predictor {
 public:
  explicit LastColumn(std::vector<FeatureMatrix>* seen) : seen_(seen) {}
  std::string name() const override { return "last_column"; }
  void fit(const FeatureMatrix& x, const std::vector<double>&, Rng&) override {
    seen_->push_back(x);
  }
  std::vector<Prediction> predict(const FeatureMatrix& x) const override {
    std::vector<Prediction> out(x.rows);
    for (size_t i = 0; i < x.rows; ++i) out[i].mean = x.row(i)[x.cols - 1];
    return out;
  }

 private:
  std::vector<FeatureMatrix>* seen_;
};

// The toy objective as a feature, failing where the first position is 0.
class FailingToyFeature : public test::ToyEvaluator {
 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t, Rng&) override {
    EvaluationResult r;
    if (trial.arch.encoding()[0] == 0) {
      r.failure = "no feature here";
      return r;
    }
    r.objective = score(trial.arch);
    return r;
  }
};

TEST(PredictorEvaluation, FeaturesAreAppendedStandardisedAndRequired) {
  test::ToySpace space;
  test::ToyEvaluator evaluator;
  std::vector<FeatureMatrix> seen;
  auto options = kOptions;
  options.features({{"toy", std::make_shared<FailingToyFeature>(), Fidelity()}});
  const auto rows = evaluate_predictor([&] { return std::make_unique<LastColumn>(&seen); }, space,
                                       evaluator, options);
  // The feature is the objective itself: a perfect ranking from 5 points.
  for (const auto& r : rows) EXPECT_GT(r.kendall_tau, 0.999) << r.train_size;
  ASSERT_EQ(seen.size(), 9u);  // 3 trials x 3 sizes
  const size_t onehot = test::ToySpace::kPositions * test::ToySpace::kValues;
  for (const auto& x : seen) {
    ASSERT_EQ(x.cols, onehot + 1);
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < x.rows; ++i) mean += x.row(i)[onehot] / static_cast<double>(x.rows);
    for (size_t i = 0; i < x.rows; ++i) {
      var += std::pow(x.row(i)[onehot] - mean, 2) / static_cast<double>(x.rows);
      // Architectures whose feature failed were redrawn: position 0 is never 0.
      EXPECT_EQ(x.row(i)[0], 0.0f);
    }
    EXPECT_NEAR(mean, 0.0, 1e-5);
    EXPECT_NEAR(var, 1.0, 1e-4);
  }
  // A feature at a fidelity its evaluator lacks fails before any trial.
  auto bad = kOptions;
  Fidelity twelve;
  twelve.epochs = 12;
  bad.features({{"toy@12", std::make_shared<test::ToyEvaluator>(), twelve}});
  EXPECT_THROW(bad.validate(), ConfigError);
}

TEST(PredictorEvaluation, NonFinitePredictionsAreCountedNotAveraged) {
  test::ToySpace space;
  test::ToyEvaluator evaluator;
  const auto rows = evaluate_predictor(
      [] { return std::make_unique<LeastSquares>(1.0, /*nan=*/true); }, space, evaluator, kOptions);
  for (const auto& r : rows) {
    EXPECT_EQ(r.failed_trials, 3);
    EXPECT_TRUE(std::isnan(r.kendall_tau));
  }
}

/// Predicts one value for everything: a ranking with no information.
class Constant : public Predictor {
 public:
  std::string name() const override { return "constant"; }
  void fit(const FeatureMatrix&, const std::vector<double>&, Rng&) override {}
  std::vector<Prediction> predict(const FeatureMatrix& x) const override {
    return std::vector<Prediction>(x.rows, Prediction{0.5, 0.0});
  }
};

TEST(PredictorEvaluation, ConstantPredictionsAreCountedAsNoRanking) {
  test::ToySpace space;
  test::ToyEvaluator evaluator;
  const auto rows =
      evaluate_predictor([] { return std::make_unique<Constant>(); }, space, evaluator, kOptions);
  for (const auto& r : rows) {
    EXPECT_EQ(r.constant_trials, 3);
    EXPECT_EQ(r.failed_trials, 0);
    EXPECT_EQ(r.kendall_tau, 0.0);
    EXPECT_EQ(r.spearman, 0.0);
  }
  const auto exact = evaluate_predictor([] { return std::make_unique<LeastSquares>(); }, space,
                                        evaluator, kOptions);
  for (const auto& r : exact) EXPECT_EQ(r.constant_trials, 0);
}

TEST(PredictorEvaluation, BadOptionsNameTheValue) {
  test::ToySpace space;
  test::ToyEvaluator evaluator;
  const auto make = [] { return std::make_unique<LeastSquares>(); };
  NASCPP_EXPECT_THROW_WITH(
      evaluate_predictor(make, space, evaluator,
                         PredictorEvaluationOptions(kOptions).train_sizes({8, 5})),
      ConfigError, "must ascend, got 5 after 8");
  NASCPP_EXPECT_THROW_WITH(evaluate_predictor(make, space, evaluator,
                                              PredictorEvaluationOptions(kOptions).test_size(10)),
                           ConfigError, "test_size must be at least 20");
  NASCPP_EXPECT_THROW_WITH(
      evaluate_predictor(make, space, evaluator,
                         PredictorEvaluationOptions(kOptions).test_size(505)),
      ConfigError,
      "626 distinct architectures are needed (505 test + 121 training) but 'toy' has 625");
  NASCPP_EXPECT_THROW_WITH(
      evaluate_predictor(make, space, evaluator,
                         PredictorEvaluationOptions(kOptions).encoding("path")),
      ConfigError, "known: onehot");
}

}  // namespace
}  // namespace nascpp

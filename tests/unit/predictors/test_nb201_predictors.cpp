// The registered predictors on NAS-Bench-201 by the protocol of White et al.
// (2021), at the largest training size (205): each ranks 200 test cells far
// better than chance. A random ranking of 200 cells has Kendall tau 0 with a
// standard deviation of about 0.05, so a mean over 5 trials above 0.3 cannot
// come from chance; over 100 trials we measure 0.51 (gp, onehot), 0.48
// (mlp_ensemble, path), 0.55 (xgb, onehot) and 0.556 (rf, onehot)
// (docs/predictors.md). xgb and rf are skipped in builds without XGBoost.
#include <gtest/gtest.h>

#include "nascpp/predictor_evaluation.h"
#include "nascpp/registries.h"
#include "tests/support/test_support.h"

namespace nascpp {
namespace {

double kendall_at_205(const std::string& predictor, const std::string& encoding) {
  ConfigNode eval_cfg = ConfigNode::parse("data_dir: " + test::data_dir() + "\n");
  auto evaluator = evaluator_registry().create("tabular", eval_cfg, nullptr);
  ConfigNode space_cfg;
  auto space = search_space_registry().create("nasbench201", space_cfg);
  const auto rows = evaluate_predictor(
      [&] {
        ConfigNode cfg;
        return predictor_registry().create(predictor, cfg);
      },
      *space, *evaluator,
      PredictorEvaluationOptions().train_sizes({205}).trials(5).seed(3).encoding(encoding));
  EXPECT_EQ(rows.at(0).failed_trials, 0);
  return rows.at(0).kendall_tau;
}

TEST(Nb201Predictors, GaussianProcessRanksFarAboveChance) {
  NASCPP_REQUIRE_DATA_DIR();
  EXPECT_GT(kendall_at_205("gp", "onehot"), 0.3);
}

TEST(Nb201Predictors, MlpEnsembleRanksFarAboveChance) {
  NASCPP_REQUIRE_DATA_DIR();
  EXPECT_GT(kendall_at_205("mlp_ensemble", "path"), 0.3);
}

TEST(Nb201Predictors, GraphConvolutionalNetworkRanksFarAboveChance) {
  NASCPP_REQUIRE_DATA_DIR();
  // 100 epochs instead of 300 keep it at 25 s (3 fits); 3 trials measured
  // 0.46 with them, 10 trials 0.53 with the default (docs/predictors.md).
  ConfigNode eval_cfg = ConfigNode::parse("data_dir: " + test::data_dir() + "\n");
  auto evaluator = evaluator_registry().create("tabular", eval_cfg, nullptr);
  ConfigNode space_cfg;
  auto space = search_space_registry().create("nasbench201", space_cfg);
  const auto rows = evaluate_predictor(
      [] {
        ConfigNode cfg = ConfigNode::parse("epochs: 100\n");
        return predictor_registry().create("gcn", cfg);
      },
      *space, *evaluator,
      PredictorEvaluationOptions().train_sizes({205}).trials(3).seed(3).encoding("adjacency"));
  EXPECT_EQ(rows.at(0).failed_trials, 0);
  EXPECT_GT(rows.at(0).kendall_tau, 0.3);
}

TEST(Nb201Predictors, XgBoostRanksFarAboveChance) {
  if (!predictor_registry().contains("xgb")) {
    GTEST_SKIP() << "built without XGBoost (Debian: libxgboost-dev; scripts/setup.sh)";
  }
  NASCPP_REQUIRE_DATA_DIR();
  EXPECT_GT(kendall_at_205("xgb", "onehot"), 0.3);
}

TEST(Nb201Predictors, RandomForestRanksFarAboveChance) {
  if (!predictor_registry().contains("rf")) {
    GTEST_SKIP() << "built without XGBoost (Debian: libxgboost-dev; scripts/setup.sh)";
  }
  NASCPP_REQUIRE_DATA_DIR();
  EXPECT_GT(kendall_at_205("rf", "onehot"), 0.3);
}

// NASLib's "omni" idea: the 12-epoch validation accuracy as a feature beside
// the encoding. Over 20 trials xgb's Kendall tau at 71 cells is 0.38 on the
// one-hot encoding and 0.70 with the feature (docs/predictors.md); a feature
// that did not reach the model would leave it at 0.38 (per-trial std 0.06,
// so 10 trials put the mean within about 0.04 of it).
TEST(Nb201Predictors, ALowFidelityFeatureLiftsXgBoostsRanking) {
  if (!predictor_registry().contains("xgb")) {
    GTEST_SKIP() << "built without XGBoost (Debian: libxgboost-dev; scripts/setup.sh)";
  }
  NASCPP_REQUIRE_DATA_DIR();
  ConfigNode eval_cfg = ConfigNode::parse("data_dir: " + test::data_dir() + "\n");
  auto evaluator = evaluator_registry().create("tabular", eval_cfg, nullptr);
  ConfigNode low_cfg = ConfigNode::parse("data_dir: " + test::data_dir() + "\n");
  std::shared_ptr<Evaluator> low = evaluator_registry().create("tabular", low_cfg, nullptr);
  ConfigNode space_cfg;
  auto space = search_space_registry().create("nasbench201", space_cfg);
  Fidelity twelve;
  twelve.epochs = 12;
  const auto options =
      PredictorEvaluationOptions().train_sizes({71}).trials(10).seed(3).encoding("onehot");
  const auto make = [] {
    ConfigNode cfg;
    return predictor_registry().create("xgb", cfg);
  };
  const double plain = evaluate_predictor(make, *space, *evaluator, options).at(0).kendall_tau;
  auto with = options;
  with.features({{"valid_acc@12", low, twelve}});
  const double omni = evaluate_predictor(make, *space, *evaluator, with).at(0).kendall_tau;
  EXPECT_GT(omni, plain + 0.15) << "plain " << plain << ", with the feature " << omni;
}

}  // namespace
}  // namespace nascpp

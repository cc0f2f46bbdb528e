// The xgb and rf predictors through XGBoost's C API: regressions whose answer
// is known exactly, and their errors (their protocol on NAS-Bench-201:
// tests/unit/predictors/test_nb201_predictors.cpp). Skipped (with
// the reason) in builds without XGBoost; scripts/setup.sh installs it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "nascpp/registries.h"
#include "tests/support/test_support.h"

namespace nascpp {
namespace {

#define NASCPP_REQUIRE_XGB()                                                              \
  do {                                                                                    \
    if (!predictor_registry().contains("xgb"))                                            \
      GTEST_SKIP() << "built without XGBoost (Debian: libxgboost-dev; scripts/setup.sh)"; \
  } while (false)

std::unique_ptr<Predictor> make(const std::string& yaml, const std::string& name = "xgb") {
  ConfigNode cfg = ConfigNode::parse(yaml);
  auto p = predictor_registry().create(name, cfg);
  cfg.finish();
  return p;
}

TEST(XgBoost, OneStumpWithoutShrinkageFitsTwoGroupsExactly) {
  NASCPP_REQUIRE_XGB();
  // One tree of depth 1, learning rate 1, no L2 penalty, no standardisation,
  // base score 0: the split on the feature puts each group in its own leaf,
  // whose weight is the group's mean (the Newton step -G/H of squared error).
  auto xgb = make(
      "rounds: 1\nmax_depth: 1\nlearning_rate: 1\nreg_lambda: 0\nmin_child_weight: 0\n"
      "standardize: false\nbase_score: 0\n");
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 6; ++i) {
    x.append({i < 3 ? 0.0f : 1.0f});
    y.push_back(i < 3 ? 1.0 + i : 10.0 + i);  // means 2 and 14
  }
  Rng rng(0);
  xgb->fit(x, y, rng);
  const auto p = xgb->predict(x);
  for (int i = 0; i < 6; ++i) {
    EXPECT_NEAR(p[i].mean, i < 3 ? 2.0 : 14.0, 1e-5) << i;
    EXPECT_EQ(p[i].stddev, 0.0);
  }
}

TEST(XgBoost, ManyRoundsInterpolateTheTrainingSet) {
  NASCPP_REQUIRE_XGB();
  auto xgb = make("min_child_weight: 0\nreg_lambda: 0\n");
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 20; ++i) {
    x.append({static_cast<float>(i), static_cast<float>(i % 3)});
    y.push_back(std::sin(0.5 * i) * 10.0 + 90.0);
  }
  Rng rng(1);
  xgb->fit(x, y, rng);
  const auto p = xgb->predict(x);
  // float32 inside XGBoost: within 0.05 on a range of 20.
  for (int i = 0; i < 20; ++i) EXPECT_NEAR(p[i].mean, y[i], 0.05) << i;
}

TEST(XgBoost, BadOptionsAndInputNameTheValue) {
  NASCPP_REQUIRE_XGB();
  NASCPP_EXPECT_THROW_WITH(make("rounds: 0\n"), ConfigError, "rounds must be >= 1, got 0");
  NASCPP_EXPECT_THROW_WITH(make("learning_rate: 2\n"), ConfigError,
                           "learning_rate must be in (0, 1], got 2");
  auto xgb = make("{}");
  FeatureMatrix x;
  x.append({1.0f});
  NASCPP_EXPECT_THROW_WITH(xgb->predict(x), Error, "predict before fit");
  Rng rng(0);
  NASCPP_EXPECT_THROW_WITH(xgb->fit(x, {1.0, 2.0}, rng), Error, "1 feature rows with 2 targets");
  NASCPP_EXPECT_THROW_WITH(xgb->fit(x, {std::nan("")}, rng), Error, "target 0 is nan");
}

TEST(RandomForest, LeavesOfTwoRowsAtLeastPredictTheirMeans) {
  NASCPP_REQUIRE_XGB();
  // One binary feature: every tree can split once, into the two groups;
  // a leaf needs 2 rows, so no tree splits a group further, and every
  // tree's leaf is its group's mean (no L2 penalty): the forest's average
  // is the mean too. Targets standardised and mapped back.
  auto rf = make("{}", "rf");
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 8; ++i) {
    x.append({i < 4 ? 0.0f : 1.0f});
    y.push_back(i < 4 ? 1.0 + i : 20.0 + 2 * i);  // means 2.5 and 31
  }
  Rng rng(4);
  rf->fit(x, y, rng);
  const auto p = rf->predict(x);
  for (int i = 0; i < 8; ++i) {
    EXPECT_NEAR(p[i].mean, i < 4 ? 2.5 : 31.0, 1e-3) << i;
    EXPECT_EQ(p[i].stddev, 0.0);
  }
}

TEST(RandomForest, UnlimitedDepthSeparatesEveryPairOfRows) {
  NASCPP_REQUIRE_XGB();
  // Distinct feature values, every feature at every split, leaves of 2 rows:
  // the trees split until each leaf holds 2 or 3 neighbouring rows, so a
  // prediction is near its row's target (within the spread of 3 neighbours).
  // A tree of depth 6 (xgb's) has at most 64 leaves: on 512 rows some leaf
  // holds 8 rows or more and misses by 3.5 or more.
  auto rf = make("colsample_bynode: 1\n", "rf");
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 512; ++i) {
    x.append({static_cast<float>(i)});
    y.push_back(static_cast<double>(i));
  }
  Rng rng(5);
  rf->fit(x, y, rng);
  const auto p = rf->predict(x);
  for (int i = 0; i < 512; ++i) EXPECT_NEAR(p[i].mean, y[i], 1.01) << i;
  // The same forest held to depth 6 cannot.
  auto shallow = make("colsample_bynode: 1\nmax_depth: 6\n", "rf");
  shallow->fit(x, y, rng);
  const auto q = shallow->predict(x);
  double worst = 0.0;
  for (int i = 0; i < 512; ++i) worst = std::max(worst, std::abs(q[i].mean - y[i]));
  EXPECT_GT(worst, 3.0);
}

TEST(RandomForest, BadOptionsNameTheEntry) {
  NASCPP_REQUIRE_XGB();
  NASCPP_EXPECT_THROW_WITH(make("subsample: 0\n", "rf"), ConfigError,
                           "rf subsample must be in (0, 1], got 0");
  NASCPP_EXPECT_THROW_WITH(make("num_parallel_tree: 0\n", "rf"), ConfigError,
                           "rf num_parallel_tree must be >= 1, got 0");
  NASCPP_EXPECT_THROW_WITH(make("max_depth: -1\n"), ConfigError,
                           "xgb max_depth must be >= 0 (0: no limit), got -1");
}

}  // namespace
}  // namespace nascpp

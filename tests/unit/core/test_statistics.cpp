// Mean and standard deviation, and Spearman and Kendall, against values worked out by hand (and
// equal to scipy.stats.spearmanr / kendalltau, whose tie handling they follow).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nascpp/core/statistics.h"
#include "tests/support/test_support.h"

namespace nascpp {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(Statistics, MeanAndSampleStandardDeviation) {
  const auto [m, s] = mean_std({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(m, 5.0);
  EXPECT_DOUBLE_EQ(s, std::sqrt(32.0 / 7.0));
  EXPECT_EQ(mean_std({3}).second, 0.0);
  EXPECT_TRUE(std::isnan(mean_std({}).first));
}

TEST(RankCorrelation, AverageRanksShareTies) {
  EXPECT_EQ(average_ranks({10, 30, 20, 30, 5}), (std::vector<double>{2, 4.5, 3, 4.5, 1}));
}

TEST(RankCorrelation, SpearmanWithATie) {
  // Ranks of y: 1, 2, 3.5, 5, 3.5; Pearson of the ranks: 8 / sqrt(10 * 9.5).
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 8.0 / std::sqrt(95.0), 1e-12);
  EXPECT_DOUBLE_EQ(spearman({1, 2, 3}, {30, 20, 10}), -1.0);
}

TEST(RankCorrelation, KendallTauB) {
  // 8 concordant, 1 discordant and 1 pair tied in y only: 7 / sqrt(10 * 9).
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 7.0 / std::sqrt(90.0), 1e-12);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {1, 2, 3, 4}), 1.0);
}

TEST(RankCorrelation, NaNPairsDroppedAndDegenerateInputsNaN) {
  EXPECT_DOUBLE_EQ(spearman({1, kNaN, 2, 3}, {1, 5, 2, 3}), 1.0);
  EXPECT_TRUE(std::isnan(spearman({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(kendall_tau({1}, {2})));
  NASCPP_EXPECT_THROW_WITH(spearman({1, 2}, {1}), Error, "2 values with 1");
}

}  // namespace
}  // namespace nascpp

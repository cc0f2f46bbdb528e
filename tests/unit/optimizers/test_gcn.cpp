// The graph convolutional predictor (optimizers/predictors/gcn.h): the
// adjacency layouts it reads, a function of the graph it learns, seeded
// fits, and errors that name the bad input.
#include "optimizers/predictors/gcn.h"

#include <gtest/gtest.h>

#include "nascpp/core/statistics.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Gcn, ReadsTheAdjacencyLayoutsOfTheBuiltInSpaces) {
  NasBench201Space nb201;
  NasBench101Space nb101;
  Rng rng(0);
  const auto a201 = nb201.encode(nb201.sample(rng), "adjacency");
  const auto a101 = nb101.encode(nb101.sample(rng), "adjacency");
  // NASLib's GCN input: 8 nodes x (5 operations + input + output) for
  // NAS-Bench-201, 7 x (3 + 2) for NAS-Bench-101.
  EXPECT_EQ(gcn_graph_layout(a201.size(), 0), (std::pair<int64_t, int64_t>{8, 5}));
  EXPECT_EQ(gcn_graph_layout(a101.size(), 0), (std::pair<int64_t, int64_t>{7, 3}));
  EXPECT_EQ(gcn_graph_layout(a201.size(), 8), (std::pair<int64_t, int64_t>{8, 5}));
  NASCPP_EXPECT_THROW_WITH(gcn_graph_layout(a201.size(), 7), ConfigError,
                           "58 features are not an adjacency encoding of 7 nodes");
  // A one-hot encoding has a length some graph could have, but not its values.
  FeatureMatrix onehot;
  for (int i = 0; i < 10; ++i) onehot.append(nb201.encode(nb201.sample(rng), "onehot"));
  GcnPredictor gcn(GcnOptions().epochs(1));
  NASCPP_EXPECT_THROW_WITH(gcn.fit(onehot, std::vector<double>(10, 1.0), rng), ConfigError,
                           "not an adjacency encoding");
  NASCPP_EXPECT_THROW_WITH(gcn.predict(onehot), Error, "predict before fit");
}

// The number of 3x3 convolutions of a cell: a function of its node features.
double convs(const Architecture& arch) {
  double n = 0;
  for (int32_t op : arch.encoding()) n += op == 3 ? 1 : 0;
  return n;
}

TEST(Gcn, LearnsAFunctionOfTheGraphAndIsSeeded) {
  NasBench201Space space;
  Rng draw(4);
  FeatureMatrix train, test;
  std::vector<double> y, truth;
  for (int i = 0; i < 120; ++i) {
    const auto a = space.sample(draw);
    train.append(space.encode(a, "adjacency"));
    y.push_back(convs(a) + 0.01 * i / 120.0);
  }
  for (int i = 0; i < 100; ++i) {
    const auto a = space.sample(draw);
    test.append(space.encode(a, "adjacency"));
    truth.push_back(convs(a));
  }
  const auto options = GcnOptions().epochs(60).learning_rate(1e-3);
  GcnPredictor gcn(options);
  Rng rng(1);
  gcn.fit(train, y, rng);
  EXPECT_EQ(gcn.fit_warning(), "");
  const auto p = gcn.predict(test);
  std::vector<double> mean;
  for (const auto& q : p) {
    mean.push_back(q.mean);
    EXPECT_EQ(q.stddev, 0.0);
  }
  EXPECT_GT(spearman(truth, mean), 0.9);
  // The same generator state, the same network: equal predictions.
  GcnPredictor again(options);
  Rng rng2(1);
  again.fit(train, y, rng2);
  const auto p2 = again.predict(test);
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p2[i].mean, p[i].mean) << i;
  // Five architectures (smaller than a batch of 7) are one batch: it trains.
  FeatureMatrix five;
  for (int i = 0; i < 5; ++i) five.append(space.encode(space.sample(draw), "adjacency"));
  GcnPredictor small(GcnOptions().epochs(5));
  EXPECT_NO_THROW(small.fit(five, {1, 2, 3, 4, 5}, rng));
  EXPECT_EQ(small.predict(five).size(), 5u);
}

TEST(Gcn, OptionErrorsNameTheKey) {
  auto cfg = ConfigNode::parse("dropout: 1.5\n");
  NASCPP_EXPECT_THROW_WITH(GcnPredictor::from_config(cfg), ConfigError,
                           "gcn dropout must be in [0, 1), got 1.5");
  auto layers = ConfigNode::parse("gcn_layers: 0\n");
  NASCPP_EXPECT_THROW_WITH(predictor_registry().create("gcn", layers), ConfigError,
                           "gcn gcn_layers must be in [1, 64], got 0");
  auto nodes = ConfigNode::parse("nodes: 2\n");
  NASCPP_EXPECT_THROW_WITH(GcnPredictor::from_config(nodes), ConfigError,
                           "gcn nodes must be 0 (inferred) or in [3, 256], got 2");
}

}  // namespace
}  // namespace nascpp

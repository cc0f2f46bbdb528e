// DARTS networks: exact parameter counts of the evaluation network
// (NetworkCIFAR) and the search supernet against the reference implementation
// (quark0/darts; the counts are the ones the DARTS code reports for DARTS_V1 /
// DARTS_V2 at C=36, 20 cells, and for its search network at C=16, 8 cells),
// shapes for CIFAR- and Fashion-MNIST-sized inputs, auxiliary head, drop path,
// the supernet's forward paths and the derivation rule.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/graph/cell.h"
#include "nascpp/registries.h"
#include "search_spaces/darts/darts.h"
#include "search_spaces/darts/network.h"
#include "support/darts_genotypes.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using test::kDartsV1;
using test::kDartsV2;

int64_t count_numel(const std::vector<torch::Tensor>& tensors) {
  int64_t n = 0;
  for (const auto& t : tensors) n += t.numel();
  return n;
}

TEST(DartsNetwork, ParameterCountsEqualTheDartsReference) {
  seed_torch(0);
  struct Case {
    const std::string* genotype;
    bool auxiliary;
    int64_t expected;
  };
  const Case cases[] = {{&kDartsV2, false, 3349342},
                        {&kDartsV2, true, 3825768},
                        {&kDartsV1, false, 3169414},
                        {&kDartsV1, true, 3645840}};
  for (const auto& c : cases) {
    DartsSpace space(DartsNetworkOptions().channels(36).layers(20).auxiliary(c.auxiliary),
                     DartsSupernetOptions());
    auto net = space.build_network(space.parse(*c.genotype), NetworkSpec());
    EXPECT_EQ(count_parameters(*net), c.expected) << *c.genotype << " auxiliary " << c.auxiliary;
    EXPECT_EQ(net->has_auxiliary_head(), c.auxiliary);
  }
}

TEST(DartsNetwork, TinyNetworkRunsOnCifarAndFashionMnistShapes) {
  seed_torch(1);
  DartsSpace space(DartsNetworkOptions().channels(8).layers(5).drop_path_prob(0.2),
                   DartsSupernetOptions());
  const Architecture arch = space.parse(kDartsV2);
  for (const auto& [in_channels, size] :
       std::vector<std::pair<int64_t, int64_t>>{{3, 32}, {1, 28}}) {
    const auto spec = NetworkSpec().in_channels(in_channels).image_size(size).num_classes(10);
    auto net = space.build_network(arch, spec);
    net->train();
    const auto x = torch::randn({2, in_channels, size, size});
    const auto logits = net->forward(x);
    EXPECT_EQ(logits.sizes(), torch::IntArrayRef({2, 10}));
    const auto aux = net->auxiliary_logits();
    ASSERT_TRUE(aux.defined());
    EXPECT_EQ(aux.sizes(), torch::IntArrayRef({2, 10}));
    (logits.sum() + 0.4 * aux.sum()).backward();
    int64_t with_grad = 0, total = 0;
    for (const auto& p : net->parameters()) {
      ++total;
      with_grad += p.grad().defined() ? 1 : 0;
    }
    EXPECT_EQ(with_grad, total);
    net->eval();
    torch::NoGradGuard guard;
    EXPECT_EQ(net->forward(x).sizes(), torch::IntArrayRef({2, 10}));
    EXPECT_FALSE(net->auxiliary_logits().defined());
  }
}

// A training batch of one image (an epoch's last, or batch_size 1) failed in
// the auxiliary head's batch norm with LibTorch's "Expected more than 1 value
// per channel when training"; it now trains without the auxiliary loss.
TEST(DartsNetwork, ABatchOfOneTrainsWithoutTheAuxiliaryHead) {
  seed_torch(3);
  DartsSpace space(DartsNetworkOptions().channels(4).layers(3).auxiliary(true),
                   DartsSupernetOptions());
  auto net = space.build_network(space.parse(kDartsV2), NetworkSpec().image_size(32));
  net->train();
  EXPECT_EQ(net->forward(torch::randn({1, 3, 32, 32})).sizes(), torch::IntArrayRef({1, 10}));
  EXPECT_FALSE(net->auxiliary_logits().defined());
  EXPECT_EQ(net->forward(torch::randn({2, 3, 32, 32})).sizes(), torch::IntArrayRef({2, 10}));
  EXPECT_TRUE(net->auxiliary_logits().defined());
}

TEST(DartsNetwork, DropPathScalesKeptSamplesAndDropsTheOthers) {
  seed_torch(2);
  const auto x = torch::ones({4000, 2, 1, 1});
  const auto y = drop_path(x, 0.25);
  const auto kept = (y != 0).to(torch::kDouble);
  // Whole samples are kept or dropped, the kept ones scaled by 1 / 0.75.
  EXPECT_TRUE(torch::equal(kept.select(1, 0), kept.select(1, 1)));
  EXPECT_NEAR(kept.mean().item<double>(), 0.75, 0.03);
  const auto scaled = y.masked_select(y != 0);
  EXPECT_TRUE(torch::allclose(scaled, torch::full_like(scaled, 1.0 / 0.75)));
  EXPECT_TRUE(torch::equal(drop_path(x, 0.0), x));
  NASCPP_EXPECT_THROW_WITH(drop_path(x, 1.0), Error, "[0, 1)");
}

// Drop path follows DARTS: training mode only, never on identity ops.
TEST(DartsNetwork, DropPathSkipsIdentityOpsAndEvalMode) {
  seed_torch(3);
  DartsSpace::CellGenes skips{};
  DartsSpace::CellGenes convs{};
  for (int p = 0; p < 8; ++p) {
    skips[p] = {p % 2, 2};  // skip_connect from inputs 0 and 1
    convs[p] = {p % 2, 3};  // sep_conv_3x3
  }
  const auto s0 = torch::randn({8, 4, 6, 6}), s1 = torch::randn({8, 4, 6, 6});
  Cell identity_cell(darts_cell_graph(skips), CellOptions(4));
  identity_cell->train();
  const auto reference = identity_cell->forward({s0, s1});
  identity_cell->set_drop_path_prob(0.5);
  EXPECT_TRUE(torch::equal(identity_cell->forward({s0, s1}), reference));

  Cell conv_cell(darts_cell_graph(convs), CellOptions(4));
  conv_cell->eval();
  const auto eval_reference = conv_cell->forward({s0, s1});
  conv_cell->set_drop_path_prob(0.5);
  EXPECT_TRUE(torch::equal(conv_cell->forward({s0, s1}), eval_reference));
  conv_cell->train();
  conv_cell->set_drop_path_prob(0.0);
  const auto train_reference = conv_cell->forward({s0, s1});
  conv_cell->set_drop_path_prob(0.5);
  EXPECT_FALSE(torch::allclose(conv_cell->forward({s0, s1}), train_reference));
  NASCPP_EXPECT_THROW_WITH(conv_cell->set_drop_path_prob(-0.1), Error, "[0, 1)");
}

TEST(DartsSupernet, ParameterCountAndArchitectureMatricesEqualTheDartsReference) {
  seed_torch(4);
  DartsSpace space;
  auto net = space.build_supernet(NetworkSpec());
  EXPECT_EQ(count_numel(net->weight_parameters()), 1930618);
  const auto alphas = net->arch_parameters();
  ASSERT_EQ(alphas.size(), 2u);
  for (const auto& a : alphas) {
    EXPECT_EQ(a.sizes(), torch::IntArrayRef({14, 8}));
    EXPECT_TRUE(a.requires_grad());
    EXPECT_LT(a.abs().max().item<double>(), 0.01);  // 1e-3 * N(0, 1)
  }
  EXPECT_EQ(count_parameters(*net), 1930618 + 2 * 14 * 8);
  EXPECT_EQ(net->cell_types(), (std::vector<std::string>{"normal", "reduce"}));
  EXPECT_EQ(
      net->candidate_ops(),
      (std::vector<std::string>{"none", "max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"}));
}

TEST(DartsNetwork, EveryImageSizeRunsAndSizesBeyondMemoryAreRefused) {
  seed_torch(5);
  // Stride-2 ops pad to "same" and FactorizedReduce pads odd sizes: any size
  // from 1 up runs (the auxiliary head pools adaptively where 5x5/3 would not
  // give 2x2), so no image-size check is needed.
  DartsSpace space(DartsNetworkOptions().channels(4).layers(3).auxiliary(true),
                   DartsSupernetOptions().channels(4).layers(3));
  const Architecture arch = space.parse(kDartsV2);
  for (int64_t size = 1; size <= 9; ++size) {
    const auto spec = NetworkSpec().image_size(size);
    auto net = space.build_network(arch, spec);
    net->train();
    EXPECT_EQ(net->forward(torch::zeros({2, 3, size, size})).sizes(), torch::IntArrayRef({2, 10}));
    EXPECT_EQ(net->auxiliary_logits().sizes(), torch::IntArrayRef({2, 10}));
    EXPECT_EQ(space.build_supernet(spec)->forward(torch::zeros({2, 3, size, size})).sizes(),
              torch::IntArrayRef({2, 10}));
  }
  NASCPP_EXPECT_THROW_WITH(
      DartsSpace(DartsNetworkOptions().channels(int64_t{1} << 30), DartsSupernetOptions())
          .build_network(arch, NetworkSpec()),
      ConfigError, "darts network with channels = 1073741824, layers = 20");
  // 2^40 layers: refused at once (the estimate adds runs of equal cells).
  NASCPP_EXPECT_THROW_WITH(
      DartsSpace(DartsNetworkOptions().layers(int64_t{1} << 40), DartsSupernetOptions())
          .build_network(arch, NetworkSpec()),
      ConfigError, "more than the memory available");
  NASCPP_EXPECT_THROW_WITH(
      DartsSpace(DartsNetworkOptions(), DartsSupernetOptions().channels(1000000))
          .build_supernet(NetworkSpec()),
      ConfigError, "darts supernet with supernet.channels = 1000000");
}

TEST(DartsNetwork, ParameterBoundCoversTheLargestNetworkAndTheSupernet) {
  seed_torch(6);
  const std::string sep5 =
      "Genotype(normal=[('sep_conv_5x5', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 0), "
      "('sep_conv_5x5', 1), ('sep_conv_5x5', 1), ('sep_conv_5x5', 0), ('sep_conv_5x5', 0), "
      "('sep_conv_5x5', 2)], normal_concat=[2, 3, 4, 5], reduce=[('sep_conv_5x5', 0), "
      "('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_5x5', 1), ('sep_conv_5x5', 0), "
      "('sep_conv_5x5', 2), ('sep_conv_5x5', 2), ('sep_conv_5x5', 1)], reduce_concat=[2, 3, 4, 5])";
  for (const bool auxiliary : {false, true}) {
    for (const int64_t layers : {3, 8, 20}) {
      const auto options = DartsNetworkOptions().channels(16).layers(layers).auxiliary(auxiliary);
      DartsSpace space(options, DartsSupernetOptions().channels(8).layers(layers));
      const NetworkSpec spec;
      const double bound = detail::darts_parameter_bound(spec, 16, layers, 3, false, auxiliary);
      const auto actual =
          static_cast<double>(count_parameters(*space.build_network(space.parse(sep5), spec)));
      EXPECT_GE(bound, actual) << layers;
      EXPECT_LE(bound, 1.01 * actual) << layers;
      const double supernet_bound = detail::darts_parameter_bound(spec, 8, layers, 3, true, false);
      const auto weights =
          static_cast<double>(count_numel(space.build_supernet(spec)->weight_parameters()));
      EXPECT_GE(supernet_bound, weights) << layers;
      EXPECT_LE(supernet_bound, 1.2 * weights) << layers;
    }
  }
}

std::shared_ptr<DartsSupernetImpl> tiny_supernet(const NetworkSpec& spec) {
  return std::make_shared<DartsSupernetImpl>(spec, DartsSupernetOptions().channels(4).layers(3));
}

TEST(DartsSupernet, SoftmaxForwardReachesEveryArchitectureParameter) {
  seed_torch(5);
  for (const auto& [in_channels, size] :
       std::vector<std::pair<int64_t, int64_t>>{{3, 16}, {1, 28}}) {
    auto net = tiny_supernet(NetworkSpec().in_channels(in_channels).image_size(size));
    const auto logits = net->forward(torch::randn({2, in_channels, size, size}));
    EXPECT_EQ(logits.sizes(), torch::IntArrayRef({2, 10}));
    torch::nn::functional::cross_entropy(logits, torch::tensor({1, 7}, torch::kLong)).backward();
    for (const auto& a : net->arch_parameters()) {
      ASSERT_TRUE(a.grad().defined());
      EXPECT_GT((a.grad() != 0).sum().item<int64_t>(), 14 * 6);
    }
  }
}

TEST(DartsSupernet, ForwardHardRunsOnlyTheChosenOps) {
  seed_torch(6);
  auto net = tiny_supernet(NetworkSpec().image_size(16));
  ASSERT_EQ(net->cells().size(), 3u);
  EXPECT_FALSE(net->is_reduction(0));
  EXPECT_TRUE(net->is_reduction(1));
  Rng rng(1);
  std::vector<std::vector<int64_t>> indices(2);
  std::vector<torch::Tensor> hard;
  for (int t = 0; t < 2; ++t) {
    auto h = torch::zeros({14, 8});
    for (int e = 0; e < 14; ++e) {
      indices[t].push_back(static_cast<int64_t>(rng.index(8)));
      h[e][indices[t].back()] = 1.0;
    }
    hard.push_back(h.requires_grad_());
  }
  for (auto& cell : net->cells()) {
    for (size_t k = 0; k < 14; ++k) cell->mixed_op(k)->reset_call_counts();
  }
  const auto logits = net->forward_hard(torch::randn({2, 3, 16, 16}), hard, indices);
  logits.sum().backward();
  auto cells = net->cells();
  for (size_t c = 0; c < cells.size(); ++c) {
    const int t = net->is_reduction(c) ? 1 : 0;
    for (size_t k = 0; k < 14; ++k) {
      const auto& counts = cells[c]->mixed_op(k)->call_counts();
      for (int64_t i = 0; i < 8; ++i) {
        EXPECT_EQ(counts[static_cast<size_t>(i)], i == indices[t][k] ? 1 : 0)
            << "cell " << c << " edge " << k << " op " << i;
      }
      // Unchosen candidates with weights get no gradient: they never ran.
      for (int64_t i = 0; i < 8; ++i) {
        for (const auto& p : cells[c]->mixed_op(k)->op(i).ptr()->parameters()) {
          EXPECT_EQ(p.grad().defined(), i == indices[t][k]);
        }
      }
    }
  }
  for (const auto& h : hard) ASSERT_TRUE(h.grad().defined());
  NASCPP_EXPECT_THROW_WITH(net->forward_hard(torch::randn({2, 3, 16, 16}), hard, {indices[0]}),
                           Error, "two lists (normal, reduce) of 14 indices");
  NASCPP_EXPECT_THROW_WITH(net->forward_weighted(torch::randn({2, 3, 16, 16}), {hard[0]}), Error,
                           "expected 2 tensors");
}

// DARTS' genotype(): per node the two inputs whose best non-none weight is
// largest, the stronger first, each with its best non-none op.
TEST(DartsSupernet, DeriveKeepsTheTwoStrongestEdgesWithoutNone) {
  auto w = torch::zeros({14, 8});
  auto set = [&](int64_t row, int64_t op, double v) { w[row][op] = v; };
  // Node 2 (rows 0, 1): row 0 best sep_conv_5x5 (0.5), row 1 best
  // avg_pool (0.6); `none` is larger on row 0 but never counts.
  set(0, 0, 0.9);
  set(0, 5, 0.5);
  set(1, 2, 0.6);
  // Node 3 (rows 2, 3, 4): inputs 2 (0.7, dil_conv_5x5) and 0 (0.3, skip);
  // input 1 only has `none`.
  set(2, 3, 0.3);
  set(3, 0, 0.95);
  set(4, 7, 0.7);
  // Node 4 (rows 5..8): a tie between inputs 1 and 3 (0.4, max_pool and
  // sep_conv_3x3): the earlier input first, as Python's stable sort.
  set(6, 1, 0.4);
  set(8, 4, 0.4);
  // Node 5 (rows 9..13): inputs 4 (0.8) and 0 (0.2); within row 13 a tie
  // between avg_pool and dil_conv_3x3 keeps the earlier op.
  set(9, 6, 0.2);
  set(13, 2, 0.8);
  set(13, 6, 0.8);
  const auto genes = derive_darts_cell(w);
  const std::vector<std::pair<int32_t, int32_t>> expected = {
      {1, 1}, {0, 4},   // node 2: avg_pool from 1, sep_conv_5x5 from 0
      {2, 6}, {0, 2},   // node 3: dil_conv_5x5 from 2, skip from 0
      {1, 0}, {3, 3},   // node 4: max_pool from 1, sep_conv_3x3 from 3
      {4, 1}, {0, 5}};  // node 5: avg_pool from 4, dil_conv_3x3 from 0
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(genes[p].input, expected[p].first) << "pair " << p;
    EXPECT_EQ(genes[p].op, expected[p].second) << "pair " << p;
  }

  // The supernet applies the rule to softmax(alphas) of each cell type (the
  // ties of the matrix above are removed: softmax changes cross-row order).
  seed_torch(7);
  auto net = tiny_supernet(NetworkSpec().image_size(16));
  {
    torch::NoGradGuard guard;
    auto normal = net->arch_parameters()[0];
    normal.copy_(w * 10);
    normal[8][4] = 3.5;
    normal[13][6] = 0.0;
    net->arch_parameters()[1].zero_();
    net->arch_parameters()[1][13][3] = 5.0;  // node 5: skip_connect from node 4
  }
  const Architecture derived = net->derive();
  DartsSpace space;
  ASSERT_NO_THROW(space.validate(derived));
  const auto normal = DartsSpace::genes_of(derived, DartsSpace::CellType::kNormal);
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(normal[p].input, expected[p].first) << "pair " << p;
    EXPECT_EQ(normal[p].op, expected[p].second) << "pair " << p;
  }
  const auto reduce = DartsSpace::genes_of(derived, DartsSpace::CellType::kReduce);
  EXPECT_EQ(reduce[6].input, 4);
  EXPECT_EQ(reduce[6].op, 2);
  // Equal rows elsewhere: the earliest inputs, the first non-none op.
  EXPECT_EQ(reduce[7].input, 0);
  EXPECT_EQ(reduce[0].input, 0);
  EXPECT_EQ(reduce[1].input, 1);
  EXPECT_EQ(reduce[1].op, 0);
}

TEST(DartsSupernet, BuiltThroughTheRegistry) {
  seed_torch(8);
  auto cfg = ConfigNode::parse("channels: 8\nlayers: 5\nsupernet:\n  channels: 4\n  layers: 3\n");
  auto space = search_space_registry().create("darts", cfg);
  auto spec = NetworkSpec().in_channels(1).image_size(28);
  auto supernet = space->build_supernet(spec);
  EXPECT_EQ(supernet->forward(torch::randn({2, 1, 28, 28})).sizes(), torch::IntArrayRef({2, 10}));
  auto net = space->build_network(space->parse(kDartsV1), spec);
  EXPECT_EQ(net->forward(torch::randn({2, 1, 28, 28})).sizes(), torch::IntArrayRef({2, 10}));
}

}  // namespace
}  // namespace nascpp

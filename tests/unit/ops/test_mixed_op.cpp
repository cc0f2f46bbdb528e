// MixedOp: DARTS' weighted sum, single-candidate and GDAS' straight-through
// forwards, and what each of them computes.

#include "nascpp/ops/mixed_op.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nascpp/core/random.h"
#include "nascpp/network.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

const std::vector<std::string> kNb201 = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                         "avg_pool_3x3"};

MixedOp nb201_edge(int64_t stride = 1) {
  return MixedOp(kNb201, OpArgs(4, 4, stride).affine(false).conv_bias(true));
}

TEST(MixedOp, HoldsOneModulePerCandidate) {
  seed_torch(0);
  auto m = nb201_edge();
  EXPECT_EQ(m->size(), 5);
  EXPECT_EQ(m->candidates(), kNb201);
  // affine = false and conv_bias = true, as NB201's supernet: conv weights
  // and biases only (16 + 4 for the 1x1, 144 + 4 for the 3x3).
  EXPECT_EQ(count_parameters(*m), (16 + 4) + (144 + 4));
  EXPECT_TRUE(m->named_parameters().contains("ops.3.op.1.weight"));
}

TEST(MixedOp, WeightedSumEqualsTheManualSum) {
  seed_torch(1);
  auto m = nb201_edge(2);
  const auto x = torch::randn({2, 4, 8, 8});
  const auto w = torch::softmax(torch::randn({5}), 0);
  const auto y = m->forward(x, w);
  torch::Tensor manual = torch::zeros_like(y);
  for (int64_t i = 0; i < m->size(); ++i) manual = manual + w[i] * m->op(i).forward(x);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4, 4, 4}));
  EXPECT_TRUE(torch::allclose(y, manual, 1e-5, 1e-6));
  EXPECT_EQ(m->call_counts(), (std::vector<int64_t>{1, 1, 1, 1, 1}));
}

TEST(MixedOp, GradientReachesArchitectureWeightsAndEveryCandidate) {
  seed_torch(2);
  auto m = nb201_edge();
  auto alpha = (1e-3 * torch::randn({5})).requires_grad_(true);
  const auto y = m->forward(torch::randn({2, 4, 6, 6}), torch::softmax(alpha, 0));
  (y * torch::randn(y.sizes())).sum().backward();
  ASSERT_TRUE(alpha.grad().defined());
  EXPECT_GT(alpha.grad().abs().sum().item<double>(), 0.0);
  for (const auto& p : m->named_parameters()) {
    if (p.key().find("bias") != std::string::npos) continue;  // cancelled by BN, see test_ops
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
  }
}

TEST(MixedOp, ForwardIndexComputesOnlyThatCandidate) {
  seed_torch(3);
  auto m = nb201_edge();
  const auto x = torch::randn({2, 4, 6, 6});
  const auto y = m->forward_index(x, 3);
  EXPECT_EQ(m->call_counts(), (std::vector<int64_t>{0, 0, 0, 1, 0}));
  EXPECT_TRUE(torch::allclose(y, m->op(3).forward(x)));
  m->reset_call_counts();
  m->forward_index(x, 0);
  EXPECT_EQ(m->call_counts(), (std::vector<int64_t>{1, 0, 0, 0, 0}));
}

TEST(MixedOp, ForwardHardIsStraightThroughAndComputesOneCandidate) {
  seed_torch(4);
  auto m = nb201_edge();
  const auto x = torch::randn({2, 4, 6, 6});
  auto logits = torch::randn({5}).requires_grad_(true);
  const auto probs = torch::softmax(logits, 0);
  const int64_t index = 2;
  const auto one_hot = torch::zeros({5}).index_fill_(0, torch::tensor({index}), 1.0);
  auto hard = one_hot - probs.detach() + probs;  // GDAS: value one-hot, gradient of probs
  hard.retain_grad();

  const auto y = m->forward_hard(x, hard, index);
  EXPECT_EQ(m->call_counts(), (std::vector<int64_t>{0, 0, 1, 0, 0}));
  EXPECT_TRUE(torch::allclose(y, m->op(index).forward(x), 1e-6, 1e-6));

  const auto r = torch::randn(y.sizes());
  (y * r).sum().backward();
  ASSERT_TRUE(hard.grad().defined());
  // Chosen entry: <r, op(x)>; the others join as scalars: sum(r) each.
  const double chosen = hard.grad()[index].item<double>();
  EXPECT_NE(chosen, 0.0);
  EXPECT_NEAR(chosen, (r * m->op(index).forward(x)).sum().item<double>(), 1e-3);
  for (int64_t j = 0; j < 5; ++j) {
    if (j != index) {
      EXPECT_NEAR(hard.grad()[j].item<double>(), r.sum().item<double>(), 1e-4);
    }
  }
  ASSERT_TRUE(logits.grad().defined());
  EXPECT_GT(logits.grad().abs().sum().item<double>(), 0.0);
  // Only the chosen candidate's parameters were used.
  for (const auto& p : m->named_parameters()) {
    const bool in_chosen = p.key().rfind("ops.2.", 0) == 0;
    EXPECT_EQ(p.value().grad().defined(), in_chosen) << p.key();
  }
}

TEST(MixedOp, ErrorsNameTheProblem) {
  NASCPP_EXPECT_THROW_WITH(MixedOp(std::vector<std::string>{"none", "sep_conv_9x9"}, OpArgs(4, 4)),
                           ConfigError, "unknown operation 'sep_conv_9x9'");
  NASCPP_EXPECT_THROW_WITH(MixedOp(std::vector<std::string>{"none", "sep_conv_9x9"}, OpArgs(4, 4)),
                           ConfigError, "known: avg_pool_3x3");
  NASCPP_EXPECT_THROW_WITH(MixedOp(std::vector<std::string>{}, OpArgs(4, 4)), ConfigError,
                           "at least one candidate");
  NASCPP_EXPECT_THROW_WITH(MixedOp(std::vector<std::string>{"none", "none"}, OpArgs(4, 4)),
                           ConfigError, "candidate 'none' is listed twice");
  auto m = nb201_edge();
  const auto x = torch::randn({1, 4, 4, 4});
  NASCPP_EXPECT_THROW_WITH(m->forward(x, torch::ones({4})), Error,
                           "must be a 1-D tensor with 5 entries");
  NASCPP_EXPECT_THROW_WITH(m->forward_index(x, 5), Error, "index 5 is out of range");
  NASCPP_EXPECT_THROW_WITH(m->forward_hard(x, torch::ones({5}), -1), Error,
                           "index -1 is out of range");
}

TEST(MixedOp, CloneCopiesWeightsIntoNewModules) {
  seed_torch(5);
  auto m = nb201_edge();
  auto copy = std::dynamic_pointer_cast<MixedOpImpl>(m->clone());
  ASSERT_TRUE(copy);
  const auto x = torch::randn({2, 4, 6, 6});
  const auto w = torch::softmax(torch::randn({5}), 0);
  EXPECT_TRUE(torch::equal(m->forward(x, w), copy->forward(x, w)));
  EXPECT_NE(m->op(3).ptr().get(), copy->op(3).ptr().get());
}

}  // namespace
}  // namespace nascpp

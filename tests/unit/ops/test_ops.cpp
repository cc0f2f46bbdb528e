// Operations: parameter counts against closed-form formulas derived from the
// reference layer definitions (NAS-Bench-201's cell_operations.py, DARTS'
// operations.py, nasbench's base_ops.py), output shapes, gradients, errors.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nascpp/core/random.h"
#include "nascpp/network.h"
#include "nascpp/ops/head.h"
#include "nascpp/ops/op.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

struct Shape {
  int64_t c_in, c_out, stride;
  bool affine, conv_bias;
};

std::string describe(const std::string& op, const Shape& s) {
  return fmt::format("{}(c_in={}, c_out={}, stride={}, affine={}, conv_bias={})", op, s.c_in,
                     s.c_out, s.stride, s.affine, s.conv_bias);
}

OpArgs args_of(const Shape& s) {
  return OpArgs(s.c_in, s.c_out, s.stride).affine(s.affine).conv_bias(s.conv_bias);
}

// Closed-form parameter counts. bn(c): BatchNorm's scale and shift; b(c): the
// bias of a convolution that is followed by a BatchNorm.
int64_t expected_parameters(const std::string& op, const Shape& s) {
  const int64_t ci = s.c_in, co = s.c_out;
  auto bn = [&](int64_t c) { return s.affine ? 2 * c : 0; };
  auto b = [&](int64_t c) { return s.conv_bias ? c : 0; };
  auto relu_conv_bn = [&](int64_t k, int64_t in, int64_t out) {
    return k * k * in * out + b(out) + bn(out);
  };
  auto sep = [&](int64_t k) {
    return k * k * ci + ci * ci + b(ci) + bn(ci) + k * k * ci + ci * co + b(co) + bn(co);
  };
  auto dil = [&](int64_t k) { return k * k * ci + ci * co + b(co) + bn(co); };
  const int64_t factorized = ci * co + b(co) + bn(co);
  const int64_t pool = ci == co ? 0 : relu_conv_bn(1, ci, co);
  const std::map<std::string, int64_t> table = {
      {"avg_pool_3x3", pool},
      {"conv1x1-bn-relu", relu_conv_bn(1, ci, co)},
      {"conv3x3-bn-relu", relu_conv_bn(3, ci, co)},
      {"dil_conv_3x3", dil(3)},
      {"dil_conv_5x5", dil(5)},
      {"factorized_reduce", factorized},
      {"max_pool_3x3", pool},
      {"maxpool3x3", 0},
      {"none", 0},
      {"nor_conv_1x1", relu_conv_bn(1, ci, co)},
      {"nor_conv_3x3", relu_conv_bn(3, ci, co)},
      {"projection", relu_conv_bn(1, ci, co)},
      {"resnet_basic_block",
       relu_conv_bn(3, ci, co) + relu_conv_bn(3, co, co) +
           (s.stride == 2 ? ci * co : (ci != co ? relu_conv_bn(1, ci, co) : 0))},
      {"sep_conv_3x3", sep(3)},
      {"sep_conv_5x5", sep(5)},
      {"skip_connect", s.stride == 1 && ci == co ? 0 : factorized},
  };
  return table.at(op);
}

const std::vector<Shape> kShapes = {
    {4, 4, 1, true, false},  {4, 4, 2, true, false}, {4, 6, 1, true, false},
    {4, 6, 2, false, true},  {3, 8, 2, true, true},  {5, 5, 1, false, false},
    {6, 4, 2, false, false}, {5, 7, 2, true, false},
};

bool keeps_channels_only(const std::string& op) { return op == "maxpool3x3"; }

int64_t parameters_of(const torch::nn::AnyModule& op) { return count_parameters(*op.ptr()); }

// The built-in operations (the process-wide registry may also hold ones that
// other tests register, as user code does: test_user_op.cpp).
std::vector<std::string> builtin_names() {
  OpRegistry r("operation");
  register_builtin_ops(r);
  return r.names();
}

TEST(Ops, RegistryListsTheBuiltinOperations) {
  const std::vector<std::string> expected = {
      "avg_pool_3x3",      "conv1x1-bn-relu", "conv3x3-bn-relu",    "dil_conv_3x3", "dil_conv_5x5",
      "factorized_reduce", "max_pool_3x3",    "maxpool3x3",         "none",         "nor_conv_1x1",
      "nor_conv_3x3",      "projection",      "resnet_basic_block", "sep_conv_3x3", "sep_conv_5x5",
      "skip_connect"};
  EXPECT_EQ(builtin_names(), expected);
  // The core's list of builtin names (what the torch-free front end knows)
  // is the same list.
  std::vector<std::string> described;
  for (const auto& [name, description] : builtin_op_descriptions()) {
    described.push_back(name);
    EXPECT_FALSE(description.empty()) << name;
  }
  EXPECT_EQ(described, expected);
  for (const auto& name : expected) EXPECT_TRUE(op_registry().contains(name)) << name;
  EXPECT_EQ(op_registry().kind(), "operation");
  for (const auto& entry : op_registry().entries()) EXPECT_FALSE(entry.description.empty());
}

TEST(Ops, ParameterCountsMatchClosedForms) {
  seed_torch(0);
  for (const auto& name : builtin_names()) {
    for (const auto& s : kShapes) {
      if (keeps_channels_only(name) && s.c_in != s.c_out) continue;
      const auto op = make_op(name, args_of(s));
      EXPECT_EQ(parameters_of(op), expected_parameters(name, s)) << describe(name, s);
    }
  }
}

TEST(Ops, ParameterCountsOfKnownCells) {
  // Spelled-out numbers for C = 16 (affine, no bias), as in the papers' cells.
  const int64_t c = 16;
  auto count = [&](const std::string& name, int64_t stride = 1) {
    return parameters_of(make_op(name, OpArgs(c, c, stride)));
  };
  EXPECT_EQ(count("sep_conv_3x3"), 2 * (9 * c + c * c + 2 * c));
  EXPECT_EQ(count("sep_conv_5x5"), 2 * (25 * c + c * c + 2 * c));
  EXPECT_EQ(count("dil_conv_3x3"), 9 * c + c * c + 2 * c);
  EXPECT_EQ(count("nor_conv_3x3"), 2336);  // 9*16*16 + 32
  EXPECT_EQ(count("nor_conv_1x1"), 288);   // 16*16 + 32
  EXPECT_EQ(count("skip_connect"), 0);
  EXPECT_EQ(count("skip_connect", 2), 288);  // factorized reduce
  EXPECT_EQ(count("resnet_basic_block", 2), 2 * 2336 + 256);
}

TEST(Ops, OutputShapesForStrideOneAndTwo) {
  seed_torch(1);
  for (const auto& name : builtin_names()) {
    for (const auto& s : kShapes) {
      if (keeps_channels_only(name) && s.c_in != s.c_out) continue;
      auto op = make_op(name, args_of(s));
      // Odd sizes reduce to ceil(H / 2), except the ResNet block whose 2x2
      // average-pool shortcut needs an even size (as in NAS-Bench-201).
      const std::vector<int64_t> sizes =
          name == "resnet_basic_block" ? std::vector<int64_t>{8} : std::vector<int64_t>{8, 7};
      for (const int64_t h : sizes) {
        const auto y = op.forward(torch::randn({2, s.c_in, h, h}));
        const int64_t out = (h + s.stride - 1) / s.stride;
        EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, s.c_out, out, out}))
            << describe(name, s) << " on " << h << "x" << h;
      }
    }
  }
}

TEST(Ops, GradientsReachEveryParameter) {
  seed_torch(2);
  for (const auto& name : builtin_names()) {
    for (const auto& s : kShapes) {
      if (keeps_channels_only(name) && s.c_in != s.c_out) continue;
      auto op = make_op(name, args_of(s));
      if (parameters_of(op) == 0) continue;
      auto y = op.forward(torch::randn({2, s.c_in, 8, 8}));
      // A random projection: the plain sum of a BatchNorm's output has zero
      // gradient with respect to its scale.
      (y * torch::randn(y.sizes())).sum().backward();
      for (const auto& p : op.ptr()->named_parameters()) {
        ASSERT_TRUE(p.value().grad().defined()) << describe(name, s) << " " << p.key();
        // A training-mode BatchNorm removes the per-channel mean, so the bias
        // of the convolution before it gets a (numerically) zero gradient.
        if (s.conv_bias && p.key().size() > 4 && p.key().substr(p.key().size() - 4) == "bias") {
          continue;
        }
        EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0)
            << describe(name, s) << " " << p.key();
      }
    }
  }
}

TEST(Ops, SkipConnectIsIdentityOnlyWithoutShapeChange) {
  seed_torch(3);
  const auto x = torch::randn({2, 4, 6, 6});
  auto same = make_op("skip_connect", OpArgs(4, 4, 1));
  EXPECT_TRUE(torch::equal(same.forward(x), x));
  EXPECT_GT(parameters_of(make_op("skip_connect", OpArgs(4, 8, 1))), 0);
}

TEST(Ops, NoneIsZeroWithTheOutputShape) {
  const auto x = torch::randn({2, 4, 7, 7});
  auto y = make_op("none", OpArgs(4, 4, 2)).forward(x);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4, 4, 4}));
  EXPECT_EQ(y.abs().sum().item<double>(), 0.0);
  auto z = make_op("none", OpArgs(4, 6, 2)).forward(x);
  EXPECT_EQ(z.sizes(), torch::IntArrayRef({2, 6, 4, 4}));
  EXPECT_EQ(z.abs().sum().item<double>(), 0.0);
}

TEST(Ops, FactorizedReduceShiftsTheSecondBranchByOnePixel) {
  seed_torch(4);
  auto op = make_op("factorized_reduce", OpArgs(3, 6, 2));
  op.ptr()->eval();  // fresh running statistics: BN(x) = x / sqrt(1 + eps)
  const auto x = torch::randn({2, 3, 8, 8});
  const auto params = op.ptr()->named_parameters();
  const auto a = torch::relu(x);
  using torch::indexing::None;
  using torch::indexing::Slice;
  // DARTS' formulation for even sizes: conv_2 sees x[:, :, 1:, 1:].
  const auto expected =
      torch::cat({torch::conv2d(a, params["convs.0.weight"], {}, /*stride=*/{2, 2}),
                  torch::conv2d(a.index({Slice(), Slice(), Slice(1, None), Slice(1, None)}),
                                params["convs.1.weight"], {}, /*stride=*/{2, 2})},
                 1) /
      std::sqrt(1.0 + 1e-5);
  EXPECT_TRUE(torch::allclose(op.forward(x), expected, 1e-5, 1e-6));
}

TEST(Ops, AveragePoolExcludesPadding) {
  auto op = make_op("avg_pool_3x3", OpArgs(2, 2, 1));
  const auto y = op.forward(torch::ones({1, 2, 5, 5}));
  EXPECT_TRUE(torch::allclose(y, torch::ones_like(y)));
}

TEST(Ops, FlagsSelectTheReferenceVariants) {
  auto names = [](const torch::nn::AnyModule& op) {
    std::vector<std::string> out;
    for (const auto& p : op.ptr()->named_parameters()) out.push_back(p.key());
    return out;
  };
  // NB201 (bias = !affine) versus DARTS (no bias).
  EXPECT_EQ(names(make_op("nor_conv_3x3", OpArgs(4, 4).affine(false).conv_bias(true))),
            (std::vector<std::string>{"op.1.weight", "op.1.bias"}));
  EXPECT_EQ(names(make_op("nor_conv_3x3", OpArgs(4, 4).affine(false))),
            (std::vector<std::string>{"op.1.weight"}));
  // DARTS' search MixedOp: pools get a parameter-free BN with running stats.
  auto pool = make_op("max_pool_3x3", OpArgs(4, 4).pool_bn(true));
  EXPECT_EQ(parameters_of(pool), 0);
  EXPECT_TRUE(pool.ptr()->named_buffers().contains("bn.running_mean"));
  EXPECT_TRUE(make_op("max_pool_3x3", OpArgs(4, 4)).ptr()->named_buffers().is_empty());
  auto no_stats = make_op("nor_conv_1x1", OpArgs(4, 4).track_running_stats(false));
  EXPECT_FALSE(no_stats.ptr()->named_buffers().contains("op.2.running_mean"));
}

TEST(Ops, InvalidArgumentsNameTheOperationAndValue) {
  NASCPP_EXPECT_THROW_WITH(make_op("sep_conv_9x9", OpArgs(4, 4)), ConfigError,
                           "unknown operation 'sep_conv_9x9'; did you mean 'sep_conv_3x3'?");
  NASCPP_EXPECT_THROW_WITH(make_op("sep_conv_9x9", OpArgs(4, 4)), ConfigError,
                           "known: avg_pool_3x3, conv1x1-bn-relu");
  NASCPP_EXPECT_THROW_WITH(make_op("nor_conv_3x3", OpArgs(4, 4, 3)), ConfigError,
                           "operation 'nor_conv_3x3': stride must be 1 or 2, got 3");
  NASCPP_EXPECT_THROW_WITH(make_op("nor_conv_3x3", OpArgs(0, 4)), ConfigError,
                           "operation 'nor_conv_3x3': c_in must be positive, got 0");
  NASCPP_EXPECT_THROW_WITH(make_op("none", OpArgs(4, -1)), ConfigError,
                           "operation 'none': c_out must be positive, got -1");
  NASCPP_EXPECT_THROW_WITH(make_op("maxpool3x3", OpArgs(4, 8)), ConfigError,
                           "operation 'maxpool3x3' keeps its channels: c_in 4 != c_out 8");
  NASCPP_EXPECT_THROW_WITH(make_op("factorized_reduce", OpArgs(4, 1, 2)), ConfigError,
                           "needs c_out >= 2, got 1");
}

TEST(Ops, UserOperationsCanBeRegistered) {
  OpRegistry registry("operation");
  register_builtin_ops(registry);
  registry.add("my_identity", "returns its input",
               [](const OpArgs&) { return torch::nn::AnyModule(torch::nn::Identity()); });
  EXPECT_TRUE(registry.contains("my_identity"));
  EXPECT_FALSE(op_registry().contains("my_identity"));
}

TEST(Ops, ClassifierHeadPoolsAndClassifies) {
  seed_torch(5);
  ClassifierHead head(16, 10);
  EXPECT_EQ(count_parameters(*head), 2 * 16 + 16 * 10 + 10);
  const auto x = torch::randn({3, 16, 4, 4});
  const auto logits = head->forward(x);
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({3, 10}));
  (logits * torch::randn({3, 10})).sum().backward();
  for (const auto& p : head->parameters()) {
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }

  ClassifierHead plain(ClassifierHeadOptions(16, 10).bn_relu(false));
  EXPECT_EQ(count_parameters(*plain), 16 * 10 + 10);
  // Without BN + ReLU the head is Linear(mean over H and W).
  const auto params = plain->named_parameters();
  const auto expected =
      torch::linear(x.mean({2, 3}), params["classifier.weight"], params["classifier.bias"]);
  EXPECT_TRUE(torch::allclose(plain->forward(x), expected));
  NASCPP_EXPECT_THROW_WITH(ClassifierHead(16, 1), ConfigError,
                           "num_classes must be at least 2, got 1");
}

TEST(Ops, SameSeedGivesIdenticalModules) {
  for (const auto& name : {"sep_conv_5x5", "resnet_basic_block", "factorized_reduce"}) {
    seed_torch(7);
    auto a = make_op(name, OpArgs(4, 6, 2));
    const auto xa = torch::randn({2, 4, 8, 8});
    seed_torch(7);
    auto b = make_op(name, OpArgs(4, 6, 2));
    const auto xb = torch::randn({2, 4, 8, 8});
    EXPECT_TRUE(torch::equal(a.forward(xa), b.forward(xb))) << name;
  }
}

}  // namespace
}  // namespace nascpp

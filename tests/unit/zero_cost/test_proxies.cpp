// The zero-cost proxies against independent computations of their
// definitions on small networks whose answer is known in closed form or by a
// different route (finite differences, a weight mask), and the layer probe
// they rest on.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <thread>

#include "nascpp/core/random.h"
#include "nascpp/ops/probe.h"
#include "nascpp/registries.h"
#include "nascpp/search_space.h"
#include "nascpp/zero_cost.h"
#include "tests/support/test_support.h"

namespace nascpp {
namespace {

namespace nn = torch::nn;

/// images -> flatten -> Linear(in, hidden) [-> ReLU] -> Linear(hidden, classes),
/// its layers run through forward_layers so that probes see them.
class MlpImpl : public Network {
 public:
  MlpImpl(int64_t in, int64_t hidden, int64_t classes, bool relu) {
    nn::Sequential seq;
    seq->push_back(nn::Flatten());
    seq->push_back(nn::Linear(in, hidden));
    if (relu) seq->push_back(nn::ReLU());
    seq->push_back(nn::Linear(hidden, classes));
    layers = register_module("layers", seq);
  }
  torch::Tensor forward(torch::Tensor images) override { return forward_layers(*layers, images); }
  nn::LinearImpl& linear(size_t i) {
    size_t seen = 0;
    for (auto& m : *layers) {
      if (auto* l = m.ptr()->as<nn::LinearImpl>()) {
        if (seen++ == i) return *l;
      }
    }
    throw std::logic_error("no such layer");
  }
  nn::Sequential layers{nullptr};
};
TORCH_MODULE(Mlp);

struct MlpCase {
  int64_t batch = 12;
  int64_t classes = 5;
  int64_t hidden = 7;
  bool relu = true;
  torch::Dtype dtype = torch::kFloat;
  ProxyBatch data;
  NetworkSpec spec;

  explicit MlpCase(bool with_relu = true, int64_t n_classes = 5, torch::Dtype t = torch::kFloat)
      : classes(n_classes), relu(with_relu), dtype(t) {
    seed_torch(11);
    data.images = torch::randn({batch, 1, 3, 3}).to(dtype);
    data.labels = torch::arange(batch, torch::kLong).remainder(classes);
    data.num_classes = classes;
    spec = NetworkSpec().in_channels(1).image_size(3).num_classes(classes);
  }
  std::shared_ptr<MlpImpl> build() const {
    seed_torch(5);
    auto net = Mlp(9, hidden, classes, relu).ptr();
    net->to(dtype);
    net->train();
    return net;
  }
  double proxy(const std::string& name) const {
    ProxyInput in{[this] { return std::static_pointer_cast<Network>(build()); }, data, spec,
                  torch::kCPU, 3};
    return zero_cost_registry().create(name, in);
  }
};

TEST(LayerProbe, SeesEveryLayerOnceAndChangesNothing) {
  ConfigNode cfg;
  auto space = search_space_registry().create("nasbench201", cfg);
  const auto arch = space->parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|"
      "skip_connect~2|");
  seed_torch(0);
  auto net = space->build_network(arch, NetworkSpec());
  net->eval();
  const torch::Tensor x = torch::randn({2, 3, 32, 32});
  const torch::Tensor plain = net->forward(x);
  struct Count : LayerProbe {
    std::map<LayerKind, int> calls;
    torch::Tensor on_layer(const LayerCall& call) override {
      ++calls[call.kind];
      return call.output;
    }
  } count;
  torch::Tensor probed;
  {
    ScopedLayerProbe scope(count);
    probed = net->forward(x);
  }
  EXPECT_TRUE(torch::equal(plain, probed));
  std::map<LayerKind, int> modules;
  for (const auto& m : net->modules(/*include_self=*/false)) {
    const LayerKind k = layer_kind(*m);
    if (k != LayerKind::kOther) ++modules[k];
  }
  // Every module runs once in a NAS-Bench-201 network, and the head's global
  // pooling is reported without a module.
  EXPECT_EQ(count.calls[LayerKind::kConv2d], modules[LayerKind::kConv2d]);
  EXPECT_EQ(count.calls[LayerKind::kReLU], modules[LayerKind::kReLU]);
  EXPECT_EQ(count.calls[LayerKind::kBatchNorm], modules[LayerKind::kBatchNorm]);
  EXPECT_EQ(count.calls[LayerKind::kAvgPool], modules[LayerKind::kAvgPool]);
  EXPECT_EQ(count.calls[LayerKind::kLinear], 1);
  EXPECT_EQ(count.calls[LayerKind::kGlobalAvgPool], 1);
  // 5 cells x 3 conv edges + 2 ResNet blocks x 2 convs + their shortcut convs + the stem.
  EXPECT_EQ(count.calls[LayerKind::kConv2d], 15 * 3 + 2 * 3 + 1);
}

TEST(LayerProbe, ScopesNestAndStayOnTheirThread) {
  struct Tag : LayerProbe {
    torch::Tensor on_layer(const LayerCall& call) override { return call.output; }
  } outer, inner;
  EXPECT_EQ(active_layer_probe(), nullptr);
  {
    ScopedLayerProbe a(outer);
    EXPECT_EQ(active_layer_probe(), &outer);
    {
      ScopedLayerProbe b(inner);
      EXPECT_EQ(active_layer_probe(), &inner);
      LayerProbe* seen = &inner;
      std::thread([&seen] { seen = active_layer_probe(); }).join();
      EXPECT_EQ(seen, nullptr);
    }
    EXPECT_EQ(active_layer_probe(), &outer);
  }
  EXPECT_EQ(active_layer_probe(), nullptr);
}

TEST(ZeroCostProxies, ParamsAndFlopsOfAnMlp) {
  const MlpCase c;
  EXPECT_DOUBLE_EQ(c.proxy("params"), (9.0 * 7 + 7 + 7 * 5 + 5) / 1e6);
  // Linear 9x7 and 7x5 (no bias term in the count) and one per ReLU input.
  EXPECT_DOUBLE_EQ(c.proxy("flops"), (9.0 * 7 + 7 + 7 * 5) / 1e6);
}

TEST(ZeroCostProxies, JacovOfALinearNetworkIsClosedForm) {
  // Without a ReLU every image's input gradient is W1^T W2^T 1: all rows
  // equal, their correlation matrix all ones with eigenvalues N and 0 (N-1
  // times): score = -(log(N+k) + 1/(N+k)) - (N-1)(log k + 1/k).
  const MlpCase c(/*with_relu=*/false, 5, torch::kDouble);
  const double k = 1e-5;
  const double n = static_cast<double>(c.batch);
  const double expected = -(std::log(n + k) + 1.0 / (n + k)) - (n - 1.0) * (std::log(k) + 1.0 / k);
  EXPECT_NEAR(c.proxy("jacov") / expected, 1.0, 1e-6);
}

TEST(ZeroCostProxies, EpeNasOfALinearNetworkIsClosedForm) {
  // Identical gradient rows: each class's correlation matrix is all ones, so
  // s_c = n_c^2 log(1 + k); up to 100 classes the score is sum_c s_c.
  const double k = 1e-5;
  {
    const MlpCase c(/*with_relu=*/false, 5, torch::kDouble);
    // 12 images over 5 classes: 3, 3, 2, 2, 2.
    EXPECT_NEAR(c.proxy("epe_nas"), (9.0 + 9.0 + 4.0 + 4.0 + 4.0) * std::log(1.0 + k), 1e-9);
  }
  {
    // 120 classes, 12 images: one image per class, every class skipped.
    const MlpCase c(/*with_relu=*/false, 120, torch::kDouble);
    EXPECT_EQ(c.proxy("epe_nas"), 0.0);
  }
  {
    // More than 100 classes with repeated labels: s_c = n_c log(1 + k) for
    // classes with two images or more; score = sum |s_c - s_c'| / classes.
    MlpCase c(/*with_relu=*/false, 101, torch::kDouble);
    c.data.labels = torch::tensor({0, 0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 4}, torch::kLong);
    const double s[] = {3, 2, 4, 2};  // class 3 has one image: skipped
    double expected = 0.0;
    for (double a : s) {
      for (double b : s) expected += std::abs(a - b) * std::log(1.0 + k);
    }
    EXPECT_NEAR(c.proxy("epe_nas"), expected / 4.0, 1e-12);
  }
}

TEST(ZeroCostProxies, NwotCountsReluInputSigns) {
  MlpCase c;
  c.hidden = 40;  // enough units that the 12 images' codes differ: K is regular
  auto net = c.build();
  const torch::Tensor h = torch::addmm(net->linear(0).bias, c.data.images.reshape({c.batch, -1}),
                                       net->linear(0).weight.t());
  const torch::Tensor code = (h > 0).to(torch::kDouble);
  const torch::Tensor kernel = code.matmul(code.t()) + (1 - code).matmul((1 - code).t());
  const double expected = std::get<1>(torch::linalg_slogdet(kernel)).item<double>();
  ASSERT_TRUE(std::isfinite(expected));
  EXPECT_NEAR(c.proxy("nwot"), expected, 1e-9);
}

TEST(ZeroCostProxies, FisherFromActivationGradients) {
  const MlpCase c;
  auto net = c.build();
  // a1 = first linear output, a2 = logits: keep their gradients.
  const torch::Tensor x = c.data.images.reshape({c.batch, -1});
  torch::Tensor a1 = net->linear(0).forward(x);
  a1.retain_grad();
  torch::Tensor a2 = net->linear(1).forward(torch::relu(a1));
  a2.retain_grad();
  nn::functional::cross_entropy(a2, c.data.labels).backward();
  const auto channel_sum = [](const torch::Tensor& a, const torch::Tensor& g) {
    return (a * g).pow(2).mean(0).mul(0.5).sum().item<double>();
  };
  const double expected =
      9.0 * channel_sum(a1.detach(), a1.grad()) + 7.0 * channel_sum(a2.detach(), a2.grad());
  EXPECT_NEAR(c.proxy("fisher") / expected, 1.0, 1e-5);
}

TEST(ZeroCostProxies, SnipIsTheGradientOfAWeightMask) {
  const MlpCase c;
  auto net = c.build();
  auto& l0 = net->linear(0);
  auto& l1 = net->linear(1);
  torch::Tensor m0 = torch::ones_like(l0.weight).set_requires_grad(true);
  torch::Tensor m1 = torch::ones_like(l1.weight).set_requires_grad(true);
  const torch::Tensor x = c.data.images.reshape({c.batch, -1});
  const torch::Tensor h = torch::relu(nn::functional::linear(x, l0.weight.detach() * m0, l0.bias));
  const torch::Tensor y = nn::functional::linear(h, l1.weight.detach() * m1, l1.bias);
  nn::functional::cross_entropy(y, c.data.labels).backward();
  const double expected =
      m0.grad().abs().sum().item<double>() + m1.grad().abs().sum().item<double>();
  EXPECT_NEAR(c.proxy("snip") / expected, 1.0, 1e-5);
}

TEST(ZeroCostProxies, GraspMatchesAFiniteDifferenceHessianProduct) {
  const MlpCase c(/*with_relu=*/true, 5, torch::kDouble);
  auto net = c.build();
  std::vector<torch::Tensor> w = {net->linear(0).weight, net->linear(1).weight};
  const auto gradient = [&]() {
    net->zero_grad();
    nn::functional::cross_entropy(net->forward(c.data.images), c.data.labels).backward();
    return std::vector<torch::Tensor>{w[0].grad().clone(), w[1].grad().clone()};
  };
  const auto g = gradient();
  const double eps = 1e-6;
  const auto shifted = [&](double s) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < w.size(); ++i) w[i].add_(g[i], s * eps);
  };
  shifted(1.0);
  const auto gp = gradient();
  shifted(-2.0);
  const auto gm = gradient();
  shifted(1.0);
  double expected = 0.0;
  for (size_t i = 0; i < w.size(); ++i) {
    const torch::Tensor hg = (gp[i] - gm[i]) / (2.0 * eps);
    expected += (-w[i].detach() * hg).sum().item<double>();
  }
  EXPECT_NEAR(c.proxy("grasp"), expected, 1e-6 * std::max(1.0, std::abs(expected)));
}

TEST(ZeroCostProxies, SynflowIsClosedFormForAPositiveMlp) {
  // |weights| and |biases|, an all-ones image: every ReLU input is positive,
  // R = 1^T W2 (W1 1 + b1) + 1^T b2; dR/dW2[c][j] = h_j and dR/dW1[j][i] =
  // sum_c W2[c][j]. The score is log of sum |w * dR/dw|.
  const MlpCase c;
  auto net = c.build();
  const torch::Tensor w1 = net->linear(0).weight.detach().abs().to(torch::kDouble);
  const torch::Tensor b1 = net->linear(0).bias.detach().abs().to(torch::kDouble);
  const torch::Tensor w2 = net->linear(1).weight.detach().abs().to(torch::kDouble);
  const torch::Tensor h = w1.sum(1) + b1;  // [hidden]
  const double layer2 = (w2 * h.unsqueeze(0)).sum().item<double>();
  const double layer1 = (w1 * w2.sum(0).unsqueeze(1)).sum().item<double>();
  EXPECT_NEAR(c.proxy("synflow"), std::log(layer1 + layer2), 1e-9);
}

TEST(ZeroCostProxies, GradNormPlainAndL2NormSumOverLayers) {
  const MlpCase c;
  auto net = c.build();
  nn::functional::cross_entropy(net->forward(c.data.images), c.data.labels).backward();
  double grad_norm = 0.0, plain = 0.0, l2 = 0.0;
  for (size_t i = 0; i < 2; ++i) {
    const auto& w = net->linear(i).weight;
    grad_norm += w.grad().norm().item<double>();
    plain += (w.detach() * w.grad()).sum().item<double>();
    l2 += w.detach().norm().item<double>();
  }
  EXPECT_NEAR(c.proxy("grad_norm"), grad_norm, 1e-6 * grad_norm);
  EXPECT_NEAR(c.proxy("plain"), plain, 1e-6 * std::abs(plain) + 1e-9);
  EXPECT_NEAR(c.proxy("l2_norm"), l2, 1e-6 * l2);
}

TEST(ZeroCostProxies, ZenNeedsTheHeadsGlobalPooling) {
  const MlpCase c;
  NASCPP_EXPECT_THROW_WITH(c.proxy("zen"), Error, "global average pooling");
}

TEST(ZeroCostProxies, EveryBuiltinIsRegisteredAndFiniteOnANasBench201Cell) {
  ConfigNode cfg;
  auto space = search_space_registry().create("nasbench201", cfg);
  ZeroCostScorer scorer(space, ZeroCostOptions().data("random").batch_size(8).seed(1));
  const auto arch = space->parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "skip_connect~2|");
  const auto names = builtin_zero_cost_proxies();
  EXPECT_EQ(names, zero_cost_registry().names());
  const auto first = scorer.score(arch, names);
  const auto again = scorer.score(arch, names);
  ASSERT_EQ(first.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(first[i].proxy, names[i]);
    EXPECT_TRUE(std::isfinite(first[i].score)) << names[i];
    EXPECT_GE(first[i].seconds, 0.0);
    // Same weights and batch every call: the same score.
    EXPECT_EQ(first[i].score, again[i].score) << names[i];
  }
}

TEST(ZeroCostProxies, DropPathIsOffForScoring) {
  // DARTS' evaluation network starts with drop path 0.2; the proxies score the
  // whole network, so the space's setting does not matter.
  const std::string genotype =
      "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 0), "
      "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), "
      "('skip_connect', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), "
      "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', 0), "
      "('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], reduce_concat=[2, 3, 4, "
      "5])";
  double scores[2];
  for (int i = 0; i < 2; ++i) {
    ConfigNode cfg =
        ConfigNode::parse(std::string("channels: 4\nlayers: 3\nauxiliary: false\n") +
                          (i == 0 ? "drop_path_prob: 0.6\n" : "drop_path_prob: 0.0\n"));
    auto space = search_space_registry().create("darts", cfg);
    ZeroCostScorer scorer(space, ZeroCostOptions().data("random").batch_size(4).seed(2));
    scores[i] = scorer.score_one(space->parse(genotype), "grad_norm");
  }
  EXPECT_EQ(scores[0], scores[1]);
}

TEST(ZeroCostProxies, AUserProxyRegistersLikeABuiltinOne) {
  // The example of docs/extending.md ("A custom zero-cost proxy").
  if (!zero_cost_registry().contains("logit_std")) {
    nascpp::zero_cost_registry().add(
        "logit_std", "spread of the untrained logits", [](const nascpp::ProxyInput& in) {
          auto net = in.build_network();  // the same initial weights for every proxy
          torch::NoGradGuard no_grad;
          return net->forward(in.batch.images).std().item<double>();
        });
  }
  ConfigNode cfg;
  auto space = search_space_registry().create("nasbench201", cfg);
  ZeroCostScorer scorer(space, ZeroCostOptions().data("random").batch_size(4));
  const auto arch = space->parse(
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
      "skip_connect~2|");
  const double score = scorer.score_one(arch, "logit_std");
  EXPECT_GT(score, 0.0);
  EXPECT_EQ(score, scorer.score_one(arch, "logit_std"));
}

}  // namespace
}  // namespace nascpp

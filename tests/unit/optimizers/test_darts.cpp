// DARTS: options, the first- and second-order architecture gradients (the
// latter against an exact double-backward computation), derivation,
// checkpoints, and a Fashion-MNIST task whose data favours one op.

#include "optimizers/darts/darts.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <sstream>

#include "nascpp/core/random.h"
#include "nascpp/data/fashion_mnist.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "search_spaces/nasbench201/network.h"
#include "support/test_support.h"
#include "unit/optimizers/tiny_supernet.h"

namespace nascpp {
namespace {

using test::tiny_batch;
using test::TinySupernet;

torch::Tensor ce(const torch::Tensor& logits, const torch::Tensor& labels) {
  return torch::nn::functional::cross_entropy(logits, labels);
}

std::vector<torch::Tensor> softmaxes(const Supernet& net) {
  std::vector<torch::Tensor> out;
  for (const auto& a : net.arch_parameters()) out.push_back(torch::softmax(a, -1));
  return out;
}

TEST(DartsOptions, DefaultsAreThePapersAndEveryKeyIsRead) {
  const DartsOptions d;
  EXPECT_EQ(d.common().epochs(), 50);
  EXPECT_EQ(d.common().batch_size(), 64);
  EXPECT_DOUBLE_EQ(d.common().learning_rate(), 0.025);
  EXPECT_DOUBLE_EQ(d.common().min_learning_rate(), 0.001);
  EXPECT_DOUBLE_EQ(d.common().momentum(), 0.9);
  EXPECT_DOUBLE_EQ(d.common().weight_decay(), 3e-4);
  EXPECT_DOUBLE_EQ(d.common().grad_clip(), 5.0);
  EXPECT_DOUBLE_EQ(d.common().arch_learning_rate(), 3e-4);
  EXPECT_DOUBLE_EQ(d.common().arch_beta1(), 0.5);
  EXPECT_DOUBLE_EQ(d.common().arch_beta2(), 0.999);
  EXPECT_DOUBLE_EQ(d.common().arch_weight_decay(), 1e-3);
  EXPECT_FALSE(d.second_order());

  auto cfg = ConfigNode::parse(
      "epochs: 3\nbatch_size: 8\nsecond_order: true\narch_learning_rate: 0.01\n"
      "train_portion: 0.25\n");
  const auto o = DartsOptions::from_config(cfg);
  cfg.finish();
  EXPECT_EQ(o.common().epochs(), 3);
  EXPECT_EQ(o.common().batch_size(), 8);
  EXPECT_TRUE(o.second_order());
  EXPECT_DOUBLE_EQ(o.common().arch_learning_rate(), 0.01);
  EXPECT_DOUBLE_EQ(o.common().train_portion(), 0.25);

  auto typo = ConfigNode::parse("second_ordr: true\n");
  DartsOptions::from_config(typo);
  NASCPP_EXPECT_THROW_WITH(typo.finish(), ConfigError, "second_order");
  auto bad = ConfigNode::parse("min_learning_rate: 0.5\n");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(bad), ConfigError,
                           "min_learning_rate must lie in [0, learning_rate = 0.025], got 0.5");
  auto bad_portion = ConfigNode::parse("train_portion: 1.0\n");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(bad_portion), ConfigError,
                           "train_portion must lie in (0, 1), got 1");
}

// The manual one-shot loop of include/nascpp/one_shot.h's opening example,
// as written there (it once declared a function instead of an optimizer).
TEST(DartsOptimizer, TheHeaderExampleCompilesAndRuns) {
  seed_torch(11);
  auto space = std::make_shared<nascpp::NasBench201Space>(
      NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  auto net = space->build_supernet(nascpp::NetworkSpec().image_size(8));
  nascpp::DartsOptimizer darts{nascpp::DartsOptions()};
  darts.attach(net, torch::kCPU);
  const int64_t epochs = 2;
  const auto tx = torch::randn({4, 3, 8, 8}), vx = torch::randn({4, 3, 8, 8});
  const auto ty = torch::randint(10, {4}, torch::kLong), vy = torch::randint(10, {4}, torch::kLong);
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    darts.new_epoch(epoch, epochs);
    for (int i = 0; i < 2; ++i) darts.step(tx, ty, vx, vy);
    auto arch = darts.derive();
    EXPECT_NO_THROW(space->validate(arch));
  }
}

// Accuracies are percent everywhere (step metrics once were fractions).
struct ExposedOneShot : OneShotOptimizer {
  using OneShotOptimizer::loss_and_accuracy;
};
TEST(OneShotOptimizer, StepAccuraciesArePercent) {
  const auto logits = torch::tensor({{2.0f, 0.0f}, {0.0f, 2.0f}, {2.0f, 0.0f}, {2.0f, 0.0f}});
  const auto labels = torch::tensor({0, 1, 0, 1}, torch::kLong);
  EXPECT_DOUBLE_EQ(ExposedOneShot::loss_and_accuracy(logits, labels).second, 75.0);
}

TEST(DartsOptimizer, BuiltThroughTheRegistry) {
  ConfigNode cfg = ConfigNode::parse("second_order: true\n");
  const auto opt = optimizer_registry().create("darts", cfg);
  cfg.finish();
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->name(), "darts");
  EXPECT_EQ(opt->kind(), Optimizer::Kind::kOneShot);
  const auto* darts = dynamic_cast<const DartsOptimizer*>(opt.get());
  ASSERT_NE(darts, nullptr);
  EXPECT_TRUE(darts->darts_options().second_order());
}

TEST(DartsOptimizer, StateChecksNameTheMissingCall) {
  DartsOptimizer darts;
  const auto b = tiny_batch(4, 1, 8, 3);
  NASCPP_EXPECT_THROW_WITH(darts.step(b.images, b.labels, b.images, b.labels), Error,
                           "step() before attach()");
  NASCPP_EXPECT_THROW_WITH(darts.derive(), Error, "derive() before attach()");
  seed_torch(0);
  darts.attach(TinySupernet(1, 4, 3).ptr());
  NASCPP_EXPECT_THROW_WITH(darts.step(b.images, b.labels, b.images, b.labels), Error,
                           "before the first new_epoch()");
  darts.new_epoch(0, 2);
  NASCPP_EXPECT_THROW_WITH(darts.step(b.images, b.labels.slice(0, 0, 3), b.images, b.labels), Error,
                           "training batch needs images");
  NASCPP_EXPECT_THROW_WITH(darts.new_epoch(2, 2), Error, "epoch 2 is outside [0, 2)");
}

TEST(DartsOptimizer, CosineLearningRatePerEpoch) {
  seed_torch(0);
  DartsOptimizer darts;
  darts.attach(TinySupernet(1, 4, 3).ptr());
  darts.new_epoch(0, 4);
  EXPECT_DOUBLE_EQ(darts.learning_rate(), 0.025);
  darts.new_epoch(2, 4);  // cos(pi / 2) = 0: the midpoint
  EXPECT_NEAR(darts.learning_rate(), (0.025 + 0.001) / 2, 1e-12);
  darts.new_epoch(3, 4);
  EXPECT_NEAR(darts.learning_rate(), 0.001 + 0.024 * (1 + std::cos(3 * M_PI / 4)) / 2, 1e-12);
}

TEST(DartsOptimizer, FirstOrderGradientIsTheValidationLossGradient) {
  seed_torch(1);
  auto net = TinySupernet(1, 4, 3);
  DartsOptimizer darts;
  darts.attach(net.ptr());
  darts.new_epoch(0, 1);
  const auto train = tiny_batch(6, 1, 8, 3);
  const auto valid = tiny_batch(6, 1, 8, 3);
  const auto g =
      darts.architecture_gradient(train.images, train.labels, valid.images, valid.labels);
  const auto expected = torch::autograd::grad(
      {ce(net->forward_weighted(valid.images, softmaxes(*net)), valid.labels)},
      net->arch_parameters());
  ASSERT_EQ(g.size(), 2u);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_TRUE(torch::allclose(g[t], expected[t], 1e-5, 1e-7)) << g[t] << expected[t];
    EXPECT_GT(g[t].abs().sum().item<double>(), 0.0);
  }
}

// The exact second-order gradient of DARTS' unrolled objective at the current
// state: grad_alpha L_val(w', alpha) - xi * (d^2 L_train / d alpha d w) v,
// with v = grad_w' L_val(w', alpha), the mixed second derivative computed by
// double backward instead of finite differences.
std::vector<torch::Tensor> exact_second_order(Supernet& net, const std::vector<torch::Tensor>& mom,
                                              double xi, double momentum, double weight_decay,
                                              const test::TinyBatch& train,
                                              const test::TinyBatch& valid) {
  const auto w = net.weight_parameters();
  const auto a = net.arch_parameters();
  std::vector<torch::Tensor> saved;
  for (const auto& p : w) saved.push_back(p.detach().clone());
  std::vector<torch::Tensor> detached;
  for (const auto& s : softmaxes(net)) detached.push_back(s.detach());
  const auto dw = torch::autograd::grad(
      {ce(net.forward_weighted(train.images, detached), train.labels)}, w, {}, false, false, true);
  {
    torch::NoGradGuard guard;
    for (size_t i = 0; i < w.size(); ++i) {
      auto d = (dw[i].defined() ? dw[i] : torch::zeros_like(w[i])) + weight_decay * saved[i];
      if (mom[i].defined()) d = d + momentum * mom[i];
      w[i].sub_(xi * d);
    }
  }
  std::vector<torch::Tensor> inputs(a.begin(), a.end());
  inputs.insert(inputs.end(), w.begin(), w.end());
  auto g =
      torch::autograd::grad({ce(net.forward_weighted(valid.images, softmaxes(net)), valid.labels)},
                            inputs, {}, false, false, true);
  {
    torch::NoGradGuard guard;
    for (size_t i = 0; i < w.size(); ++i) w[i].copy_(saved[i]);
  }
  // Hessian-vector product: d/dalpha of <grad_w L_train(w, alpha), v>.
  const auto gw = torch::autograd::grad(
      {ce(net.forward_weighted(train.images, softmaxes(net)), train.labels)}, w, {},
      /*retain_graph=*/true, /*create_graph=*/true, /*allow_unused=*/true);
  torch::Tensor dot = torch::zeros({}, gw[0].options());
  for (size_t i = 0; i < w.size(); ++i) {
    if (gw[i].defined()) dot = dot + (gw[i] * g[a.size() + i].detach()).sum();
  }
  const auto hv = torch::autograd::grad({dot}, a, {}, false, false, true);
  std::vector<torch::Tensor> out;
  for (size_t t = 0; t < a.size(); ++t) out.push_back(g[t] - xi * hv[t]);
  return out;
}

void check_second_order(const std::shared_ptr<Supernet>& net, const test::TinyBatch& train,
                        const test::TinyBatch& valid, const test::TinyBatch& warmup,
                        double epsilon = 0.01) {
  const auto options =
      DartsOptions()
          .second_order(true)
          .finite_difference_epsilon(epsilon)
          .common(OneShotOptions().learning_rate(0.1).min_learning_rate(0.0));
  DartsOptimizer darts(options);
  darts.attach(net);
  darts.new_epoch(0, 1);
  // One step first, so that the momentum buffers take part.
  darts.step(warmup.images, warmup.labels, warmup.images, warmup.labels);
  const auto mom = darts.momentum_buffers();
  ASSERT_TRUE(mom[0].defined());

  const auto got =
      darts.architecture_gradient(train.images, train.labels, valid.images, valid.labels);
  const auto exact = exact_second_order(*net, mom, darts.learning_rate(), 0.9, 3e-4, train, valid);
  DartsOptimizer first(DartsOptions().common(options.common()));
  first.attach(net);
  first.new_epoch(0, 1);
  const auto first_order =
      first.architecture_gradient(train.images, train.labels, valid.images, valid.labels);
  for (size_t t = 0; t < exact.size(); ++t) {
    const double scale = exact[t].norm().item<double>();
    const double err = (got[t] - exact[t]).norm().item<double>();
    const double hessian_term = (exact[t] - first_order[t]).norm().item<double>();
    EXPECT_GT(scale, 0.0);
    EXPECT_LT(err, 1e-3 * scale) << "type " << t << "\n" << got[t] << "\n" << exact[t];
    // The Hessian term matters: dropping it would fail the comparison.
    EXPECT_GT(hessian_term, 10 * err) << "type " << t;
  }
}

TEST(DartsOptimizer, SecondOrderMatchesDoubleBackwardOnATinySupernet) {
  seed_torch(2);
  auto net = TinySupernet(1, 4, 3);
  net->to(torch::kFloat64);
  const auto train = tiny_batch(8, 1, 6, 3, torch::kFloat64);
  const auto valid = tiny_batch(8, 1, 6, 3, torch::kFloat64);
  const auto warm = tiny_batch(8, 1, 6, 3, torch::kFloat64);
  check_second_order(net.ptr(), train, valid, warm);
}

// On real supernets the ReLUs' kinks inside the finite difference's step
// (0.01 / ||v|| in the paper) make it differ from the exact product by more
// than 1e-3; with a small step in double precision the implementation's
// formula must agree with double backward.
// Double-precision batches of 1x8x8 images (3 classes) for `net`, and the
// comparison with a finite-difference step of 1e-6.
void check_supernet_second_order(const std::shared_ptr<Supernet>& net, int64_t batch) {
  net->to(torch::kFloat64);
  const auto train = tiny_batch(batch, 1, 8, 3, torch::kFloat64);
  const auto valid = tiny_batch(batch, 1, 8, 3, torch::kFloat64);
  const auto warm = tiny_batch(batch, 1, 8, 3, torch::kFloat64);
  check_second_order(net, train, valid, warm, 1e-6);
}

TEST(DartsOptimizer, SecondOrderMatchesDoubleBackwardOnNasBench201) {
  seed_torch(3);
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  check_supernet_second_order(
      space.build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(3)), 6);
}

TEST(DartsOptimizer, SecondOrderMatchesDoubleBackwardOnTheDartsSupernet) {
  seed_torch(6);
  auto cfg = ConfigNode::parse("{supernet: {channels: 2, layers: 3, stem_multiplier: 3}}");
  auto space = search_space_registry().create("darts", cfg);
  check_supernet_second_order(
      space->build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(3)), 4);
}

TEST(DartsOptimizer, FiniteDifferenceEpsilonIsValidated) {
  NASCPP_EXPECT_THROW_WITH(DartsOptimizer(DartsOptions().finite_difference_epsilon(0.0)),
                           ConfigError, "finite_difference_epsilon");
  auto cfg = ConfigNode::parse("finite_difference_epsilon: -1\n");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(cfg), ConfigError, "-1");
  // 1e-300 rounded away in the weights and the factor xi / (2 eps) overflowed:
  // 0 * inf made the architecture gradient NaN, silently.
  auto tiny = ConfigNode::parse("second_order: true\nfinite_difference_epsilon: 1e-300\n");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(tiny), ConfigError,
                           "finite_difference_epsilon must be a finite number >= 2.22");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(tiny), ConfigError, "got 1e-300");
  auto infinite = ConfigNode::parse("finite_difference_epsilon: .inf\n");
  NASCPP_EXPECT_THROW_WITH(DartsOptions::from_config(infinite), ConfigError,
                           "config key 'finite_difference_epsilon': expected a finite number, got "
                           "'.inf'");
  NASCPP_EXPECT_THROW_WITH(
      DartsOptions().finite_difference_epsilon(std::numeric_limits<double>::infinity()).validate(),
      ConfigError, "got inf");
  EXPECT_DOUBLE_EQ(DartsOptions::min_finite_difference_epsilon(torch::kFloat64),
                   10 * std::numeric_limits<double>::epsilon());
  EXPECT_DOUBLE_EQ(DartsOptions::min_finite_difference_epsilon(torch::kFloat32),
                   10 * double(std::numeric_limits<float>::epsilon()));
}

TEST(DartsOptimizer, FiniteDifferenceEpsilonIsCheckedAgainstTheSupernetsPrecision) {
  // 1e-7 resolves double weights (the exact-gradient tests use 1e-6) but is
  // below float's rounding unit: attaching a float supernet is a ConfigError.
  const auto options = DartsOptions().second_order(true).finite_difference_epsilon(1e-7);
  seed_torch(12);
  auto float_net = TinySupernet(1, 4, 3);
  DartsOptimizer darts(options);
  NASCPP_EXPECT_THROW_WITH(darts.attach(float_net.ptr()), ConfigError,
                           "finite_difference_epsilon 1e-07 is too small for the supernet's Float "
                           "weights: the second-order finite difference needs at least 1.19");
  auto double_net = TinySupernet(1, 4, 3);
  double_net->to(torch::kFloat64);
  DartsOptimizer ok(options);
  EXPECT_NO_THROW(ok.attach(double_net.ptr()));
  // First order does not use it.
  DartsOptimizer first(DartsOptions().finite_difference_epsilon(1e-7));
  EXPECT_NO_THROW(first.attach(float_net.ptr()));
}

TEST(DartsOptimizer, ANanArchitectureParameterStopsTheNextStep) {
  for (const bool second_order : {false, true}) {
    seed_torch(13);
    auto net = TinySupernet(1, 4, 3);
    DartsOptimizer darts(DartsOptions().second_order(second_order));
    darts.attach(net.ptr());
    darts.new_epoch(2, 4);
    const auto b = tiny_batch(6, 1, 8, 3);
    darts.step(b.images, b.labels, b.images, b.labels);
    std::vector<torch::Tensor> weights;
    for (const auto& w : net->weight_parameters()) weights.push_back(w.detach().clone());
    {
      torch::NoGradGuard no_grad;
      net->arch_parameters()[1][0][0].fill_(std::numeric_limits<float>::quiet_NaN());
    }
    const std::string m = test::step_until_divergence(darts, b, 1).message;
    EXPECT_NE(m.find("optimizer 'darts' diverged at epoch 3, step 2: the validation loss"),
              std::string::npos)
        << m;
    EXPECT_EQ(m.find("second order") != std::string::npos, second_order) << m;
    if (second_order) {
      // The unrolled step's weights were restored before the throw.
      const auto after = net->weight_parameters();
      for (size_t i = 0; i < weights.size(); ++i) EXPECT_TRUE(torch::equal(after[i], weights[i]));
    }
    NASCPP_EXPECT_THROW_WITH(darts.derive(), DivergenceError,
                             "cannot derive an architecture from non-finite architecture");
    EXPECT_EQ(darts.non_finite_state(), "architecture parameters");
  }
}

TEST(DartsOptimizer, HugeLearningRateStopsAtTheFirstNonFiniteQuantity) {
  seed_torch(14);
  auto net = TinySupernet(1, 4, 3);
  DartsOptimizer darts(DartsOptions().common(OneShotOptions().learning_rate(1e30)));
  darts.attach(net.ptr());
  darts.new_epoch(0, 1);
  EXPECT_EQ(darts.non_finite_state(), "");
  const auto b = tiny_batch(8, 1, 8, 3);
  const auto d = test::step_until_divergence(darts, b, 20);
  if (d.step == 0) return;  // reported by the helper
  // The step and the first non-finite quantity, in the order the step
  // computes them.
  const std::string& m = d.message;
  const std::string where = fmt::format("optimizer 'darts' diverged at epoch 1, step {}: ", d.step);
  ASSERT_NE(m.find(where), std::string::npos) << m;
  const std::vector<std::string> quantities = {
      "the validation loss is",
      "the architecture gradient is not finite",
      "the updated architecture parameters are not finite",
      "the training loss is",
      "the weight gradient is not finite",
      "the updated weights are not finite"};
  const std::string what = m.substr(m.find(where) + where.size());
  EXPECT_TRUE(std::any_of(quantities.begin(), quantities.end(), [&what](const std::string& q) {
    return what.rfind(q, 0) == 0;
  })) << m;
  EXPECT_NE(m.find("weight learning rate 1e+30"), std::string::npos) << m;
  EXPECT_NE(m.find("lower the learning rates"), std::string::npos) << m;
}

TEST(DartsOptimizer, ArchitectureGradientLeavesTheStateUntouched) {
  seed_torch(4);
  auto net = TinySupernet(1, 4, 3);
  DartsOptimizer darts(DartsOptions().second_order(true));
  darts.attach(net.ptr());
  darts.new_epoch(0, 1);
  const auto b = tiny_batch(6, 1, 8, 3);
  darts.step(b.images, b.labels, b.images, b.labels);
  std::vector<torch::Tensor> before;
  for (const auto& p : net->parameters()) before.push_back(p.detach().clone());
  for (const auto& p : net->buffers()) before.push_back(p.clone());
  darts.architecture_gradient(b.images, b.labels, b.images, b.labels);
  size_t i = 0;
  for (const auto& p : net->parameters()) EXPECT_TRUE(torch::equal(p, before[i++]));
  for (const auto& p : net->buffers()) EXPECT_TRUE(torch::equal(p, before[i++]));
}

TEST(DartsOptimizer, StepUpdatesWeightsAndAlphasAndDerivesThroughTheSupernet) {
  seed_torch(5);
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  auto net = space.build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(3));
  DartsOptimizer darts;
  darts.attach(net);
  darts.new_epoch(0, 1);
  const auto alpha0 = net->arch_parameters()[0].detach().clone();
  const auto w0 = net->weight_parameters()[0].detach().clone();
  const auto b = tiny_batch(6, 1, 8, 3);
  const auto m = darts.step(b.images, b.labels, b.images, b.labels);
  EXPECT_GT(m.train_loss, 0.0);
  EXPECT_GE(m.valid_accuracy, 0.0);
  EXPECT_LE(m.valid_accuracy, 100.0);  // percent
  EXPECT_FALSE(torch::equal(alpha0, net->arch_parameters()[0]));
  EXPECT_FALSE(torch::equal(w0, net->weight_parameters()[0]));

  // Derivation follows the space's rule: the strongest op per edge.
  {
    torch::NoGradGuard guard;
    auto a = net->arch_parameters()[0];
    a.zero_();
    const int best[6] = {3, 1, 2, 0, 4, 3};
    for (int e = 0; e < 6; ++e) a[e][best[e]] = 2.0;
    a[3][1] = 1.9;  // a close second does not win
  }
  EXPECT_EQ(space.format(darts.derive()),
            "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|"
            "nor_conv_3x3~2|");
}

TEST(DartsOptimizer, CheckpointRoundTripRestoresEverything) {
  const auto b = tiny_batch(6, 1, 8, 3);
  seed_torch(6);
  auto net = TinySupernet(1, 4, 3);
  DartsOptimizer darts;
  darts.attach(net.ptr());
  darts.new_epoch(1, 3);
  darts.step(b.images, b.labels, b.images, b.labels);
  darts.step(b.images, b.labels, b.images, b.labels);
  std::stringstream stream;
  {
    torch::serialize::OutputArchive archive;
    darts.save(archive);
    archive.save_to(stream);
  }
  seed_torch(7);  // a differently initialised copy
  auto other = TinySupernet(1, 4, 3);
  DartsOptimizer restored;
  restored.attach(other.ptr());
  {
    torch::serialize::InputArchive archive;
    archive.load_from(stream);
    restored.load(archive);
  }
  EXPECT_EQ(restored.epoch(), 1);
  EXPECT_DOUBLE_EQ(restored.learning_rate(), darts.learning_rate());
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_TRUE(torch::equal(net->arch_parameters()[t], other->arch_parameters()[t]));
  }
  const auto pa = net->named_parameters();
  const auto pb = other->named_parameters();
  for (const auto& p : pa) EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  const auto ba = net->named_buffers();
  const auto bb = other->named_buffers();
  for (const auto& p : ba) EXPECT_TRUE(torch::equal(p.value(), bb[p.key()])) << p.key();
  const auto ma = darts.momentum_buffers();
  const auto mb = restored.momentum_buffers();
  for (size_t i = 0; i < ma.size(); ++i) EXPECT_TRUE(torch::equal(ma[i], mb[i]));
  // The optimizers' states (momentum, Adam moments and step count) agree:
  // one more step gives identical parameters.
  darts.step(b.images, b.labels, b.images, b.labels);
  restored.step(b.images, b.labels, b.images, b.labels);
  for (const auto& p : net->named_parameters()) {
    EXPECT_TRUE(torch::equal(p.value(), other->named_parameters()[p.key()])) << p.key();
  }

  // A checkpoint of another method is refused.
  torch::serialize::OutputArchive foreign;
  foreign.write("optimizer", c10::IValue(std::string("gdas")));
  std::stringstream foreign_stream;
  foreign.save_to(foreign_stream);
  torch::serialize::InputArchive in;
  in.load_from(foreign_stream);
  NASCPP_EXPECT_THROW_WITH(restored.load(in), DataError,
                           "written by optimizer 'gdas', not 'darts'");
}

// Per-image standardised Fashion-MNIST: the mean of every image is 0, so the
// tiny supernet's classifier sees nothing through "none", "skip_connect" or
// "avg_pool_3x3" (the pooled linear stem output is 0); only "nor_conv_3x3"
// extracts features. DARTS must raise that op's architecture weight in both
// cell types.
TEST(DartsOptimizer, ArchitectureWeightsFollowTheDataOnFashionMnist) {
  if (!std::filesystem::is_directory(kFashionMnistDefaultRoot)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const auto data = FashionMnist::load();
  const int64_t n = 512;
  auto images = data->train().images.slice(0, 0, n).to(torch::kFloat32);
  images = torch::avg_pool2d(images, 2);  // 14x14 keeps the test fast
  const auto mean = images.mean({1, 2, 3}, true);
  const auto sd = images.std({1, 2, 3}, true, true) + 1e-6;
  images = (images - mean) / sd;
  const auto labels = data->train().labels.slice(0, 0, n);

  seed_torch(8);
  auto net = TinySupernet(1, 8, 10);
  DartsOptimizer darts(DartsOptions().common(OneShotOptions().arch_learning_rate(0.02)));
  darts.attach(net.ptr());
  const int64_t half = n / 2;
  const int64_t batch = 32;
  for (int64_t epoch = 0; epoch < 6; ++epoch) {
    darts.new_epoch(epoch, 6);
    for (int64_t s = 0; s + batch <= half; s += batch) {
      darts.step(images.slice(0, s, s + batch), labels.slice(0, s, s + batch),
                 images.slice(0, half + s, half + s + batch),
                 labels.slice(0, half + s, half + s + batch));
    }
  }
  const int64_t conv = 3;
  for (size_t t = 0; t < 2; ++t) {
    const auto p = torch::softmax(net->arch_parameters()[t][0].detach(), 0);
    for (int64_t i = 0; i < 4; ++i) {
      if (i != conv) {
        EXPECT_GT(p[conv].item<double>(), p[i].item<double>() + 0.05)
            << "cell type " << t << ": " << p;
      }
    }
  }
  EXPECT_EQ(darts.derive(), Architecture("tiny", {3, 3}));
}

}  // namespace
}  // namespace nascpp

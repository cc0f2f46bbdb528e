// GDAS: the Gumbel-softmax sample (distribution, hard value, straight-through
// gradient), the tau schedule, that only sampled candidates run, and
// checkpoints of its own state.

#include "optimizers/gdas/gdas.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <sstream>

#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "search_spaces/darts/network.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "search_spaces/nasbench201/network.h"
#include "support/test_support.h"
#include "unit/optimizers/tiny_supernet.h"

namespace nascpp {
namespace {

using test::tiny_batch;
using test::TinySupernet;

TEST(GdasOptions, DefaultsAndValidation) {
  const GdasOptions g;
  EXPECT_DOUBLE_EQ(g.tau_max(), 10.0);
  EXPECT_DOUBLE_EQ(g.tau_min(), 0.1);
  auto cfg = ConfigNode::parse("tau_max: 4\ntau_min: 0.5\nepochs: 7\n");
  const auto o = GdasOptions::from_config(cfg);
  cfg.finish();
  EXPECT_DOUBLE_EQ(o.tau_max(), 4.0);
  EXPECT_DOUBLE_EQ(o.tau_min(), 0.5);
  EXPECT_EQ(o.common().epochs(), 7);
  auto bad = ConfigNode::parse("tau_max: 1\ntau_min: 2\n");
  NASCPP_EXPECT_THROW_WITH(
      GdasOptions::from_config(bad), ConfigError,
      "gdas needs 0 < tau_min <= tau_max < infinity, got tau_min = 2 and tau_max = 1");
  const double inf = std::numeric_limits<double>::infinity();
  NASCPP_EXPECT_THROW_WITH(GdasOptions().tau_max(inf).validate(), ConfigError,
                           "tau_max < infinity, got tau_min = 0.1 and tau_max = inf");
  // The options every one-shot optimizer shares (include/nascpp/one_shot.h).
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().learning_rate(inf).validate(), ConfigError,
                           "one-shot learning_rate must be a positive number at most 3.40282e+38 (float32), got inf");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().arch_learning_rate(inf).validate(), ConfigError,
                           "one-shot arch_learning_rate must be a positive number at most 3.40282e+38 (float32), got inf");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().arch_learning_rate(1e39).validate(), ConfigError,
                           "one-shot arch_learning_rate must be a positive number at most 3.40282e+38 (float32), got 1e+39");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().batch_size(int64_t{1} << 62).validate(), ConfigError,
                           "one-shot batch_size must be in [2 (batch norm), 2147483648], got 4611686018427387904");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().weight_decay(inf).validate(), ConfigError,
                           "one-shot weight_decay must be a number in [0, 3.40282e+38] (float32), got inf");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().arch_weight_decay(inf).validate(), ConfigError,
                           "one-shot arch_weight_decay must be a number in [0, 3.40282e+38] (float32), got inf");
  NASCPP_EXPECT_THROW_WITH(OneShotOptions().grad_clip(inf).validate(), ConfigError,
                           "one-shot grad_clip must be a finite number >= 0 (0 disables), got inf");
  NASCPP_EXPECT_THROW_WITH(GdasOptimizer(GdasOptions().common(OneShotOptions().learning_rate(inf))),
                           ConfigError, "learning_rate must be a positive number at most");
  auto lr = ConfigNode::parse("learning_rate: .inf\n");
  NASCPP_EXPECT_THROW_WITH(GdasOptions::from_config(lr), ConfigError,
                           "config key 'learning_rate': expected a finite number, got '.inf'");
  ConfigNode empty;
  const auto opt = optimizer_registry().create("gdas", empty);
  EXPECT_EQ(opt->name(), "gdas");
  EXPECT_EQ(opt->kind(), Optimizer::Kind::kOneShot);
}

TEST(GdasOptions, TemperaturesMustBeFiniteAndNotSoSmallThatLogitsOverTauOverflow) {
  // tau_max = tau_min = 1e-300 hung in the sampler: 1e-300 is 0 in float32,
  // logits / tau gave inf - inf = NaN, and NaN probabilities were redrawn forever.
  auto tiny = ConfigNode::parse("tau_max: 1e-300\ntau_min: 1e-300\n");
  NASCPP_EXPECT_THROW_WITH(GdasOptions::from_config(tiny), ConfigError,
                           "gdas tau_min must be at least 1e-20");
  NASCPP_EXPECT_THROW_WITH(GdasOptions::from_config(tiny), ConfigError, "got 1e-300");
  auto infinite = ConfigNode::parse("tau_max: .inf\n");
  NASCPP_EXPECT_THROW_WITH(GdasOptions::from_config(infinite), ConfigError,
                           "config key 'tau_max': expected a finite number, got '.inf'");
  auto nan = ConfigNode::parse("tau_min: .nan\n");
  NASCPP_EXPECT_THROW_WITH(GdasOptions::from_config(nan), ConfigError,
                           "config key 'tau_min': expected a finite number, got '.nan'");
  // Set from code the options check it themselves.
  NASCPP_EXPECT_THROW_WITH(
      GdasOptions().tau_min(std::numeric_limits<double>::quiet_NaN()).validate(), ConfigError,
      "tau_min = nan");
  EXPECT_NO_THROW(
      GdasOptimizer(GdasOptions().tau_max(GdasOptions::kMinTau).tau_min(GdasOptions::kMinTau)));
  NASCPP_EXPECT_THROW_WITH(sample_gumbel({torch::zeros({1, 3})}, 1e-300), Error,
                           "temperature must be a finite number >= 1e-20, got 1e-300");
}

TEST(GdasSample, TheSmallestTemperatureGivesFiniteOneHotSamples) {
  seed_torch(7);
  const auto alpha = (10.0 * torch::randn({4, 5})).requires_grad_(true);
  const auto s = sample_gumbel({alpha}, GdasOptions::kMinTau);
  EXPECT_TRUE(torch::isfinite(s.hard_weights[0]).all().item<bool>());
  EXPECT_DOUBLE_EQ(s.hard_weights[0].sum().item<double>(), 4.0);
  const auto g =
      torch::autograd::grad({(s.hard_weights[0] * torch::randn({4, 5})).sum()}, {alpha})[0];
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());
}

TEST(GdasSample, NonFiniteArchitectureParametersAreADivergenceNotAHang) {
  seed_torch(8);
  for (const float bad :
       {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    auto alpha = torch::zeros({2, 5});
    alpha[1][3] = bad;
    try {
      sample_gumbel({alpha}, 1.0);
      ADD_FAILURE() << "no DivergenceError for " << bad;
    } catch (const DivergenceError& e) {
      EXPECT_NE(std::string(e.what()).find("the architecture parameters hold NaN or infinite "
                                           "values"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(GdasOptimizer, NanArchitectureParametersStopTheStepWithWhereItHappened) {
  seed_torch(9);
  auto net = TinySupernet(1, 4, 3);
  GdasOptimizer gdas(GdasOptions().tau_max(4.0).tau_min(1.0));
  gdas.attach(net.ptr());
  gdas.new_epoch(1, 3);
  const auto b = tiny_batch(6, 1, 8, 3);
  gdas.step(b.images, b.labels, b.images, b.labels);
  {
    torch::NoGradGuard no_grad;
    net->arch_parameters()[0][0][2].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  const std::string m = test::step_until_divergence(gdas, b, 1).message;
  EXPECT_NE(m.find("optimizer 'gdas' diverged at epoch 2, step 2: the Gumbel-softmax "
                   "probabilities are not finite: the architecture parameters hold NaN"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("tau 2.5"), std::string::npos) << m;
  NASCPP_EXPECT_THROW_WITH(gdas.derive(), DivergenceError, "non-finite architecture parameters");
}

TEST(GdasOptimizer, HugeLearningRateIsADivergenceNotAHang) {
  // The case: learning_rate 1e10 made the loss, then the alphas NaN,
  // and the sampler redrew forever. Now a step throws within a few steps.
  seed_torch(10);
  auto net = TinySupernet(1, 4, 3);
  GdasOptimizer gdas(GdasOptions().common(OneShotOptions().learning_rate(1e10)));
  gdas.attach(net.ptr());
  gdas.new_epoch(0, 1);
  const auto b = tiny_batch(8, 1, 8, 3);
  const auto d = test::step_until_divergence(gdas, b, 50);
  if (d.step == 0) return;  // reported by the helper
  EXPECT_NE(d.message.find(fmt::format("optimizer 'gdas' diverged at epoch 1, step {}: ", d.step)),
            std::string::npos)
      << d.message;
  EXPECT_NE(d.message.find("weight learning rate 10000000000"), std::string::npos) << d.message;
}

TEST(GdasSample, HardInValueSoftInGradient) {
  seed_torch(0);
  const auto alpha = torch::randn({3, 5}).requires_grad_(true);
  const double tau = 2.0;
  const auto s = sample_gumbel({alpha}, tau);
  ASSERT_EQ(s.hard_weights.size(), 1u);
  ASSERT_EQ(s.indices[0].size(), 3u);
  const auto hard = s.hard_weights[0];
  for (int64_t r = 0; r < 3; ++r) {
    for (int64_t c = 0; c < 5; ++c) {
      EXPECT_NEAR(hard[r][c].item<double>(), c == s.indices[0][r] ? 1.0 : 0.0, 1e-6);
    }
  }
  // Straight-through: the gradient is that of softmax((log_softmax(alpha) +
  // g) / tau) for the same Gumbel draw g; recompute it from the same seed.
  const auto coef = torch::randn({3, 5});
  const auto g1 = torch::autograd::grad({(hard * coef).sum()}, {alpha})[0];
  seed_torch(0);
  torch::randn({3, 5});  // the draw of alpha above
  const auto gumbel = -torch::empty({3, 5}).exponential_().log();
  const auto soft = torch::softmax((torch::log_softmax(alpha, 1) + gumbel) / tau, 1);
  const auto g2 = torch::autograd::grad({(soft * coef).sum()}, {alpha})[0];
  EXPECT_TRUE(torch::allclose(g1, g2, 1e-5, 1e-7));
  EXPECT_GT(g1.abs().sum().item<double>(), 0.0);
}

TEST(GdasSample, SamplesFollowTheSoftmaxOfTheAlphas) {
  // Gumbel-max: argmax(log_softmax(alpha) + g) ~ Categorical(softmax(alpha)),
  // whatever tau.
  seed_torch(1);
  const std::vector<double> probs = {0.6, 0.3, 0.1};
  const auto alpha = torch::tensor(probs).log().to(torch::kFloat32).view({1, 3});
  std::vector<int> counts(3, 0);
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) ++counts[sample_gumbel({alpha}, 0.5).indices[0][0]];
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(counts[k] / double(draws), probs[k], 0.03) << k;
}

TEST(GdasOptimizer, TauFallsLinearlyOverTheEpochs) {
  seed_torch(2);
  GdasOptimizer gdas;
  EXPECT_DOUBLE_EQ(gdas.tau(), 10.0);
  gdas.attach(TinySupernet(1, 4, 3).ptr());
  gdas.new_epoch(0, 5);
  EXPECT_DOUBLE_EQ(gdas.tau(), 10.0);
  gdas.new_epoch(2, 5);
  EXPECT_NEAR(gdas.tau(), 5.05, 1e-12);
  gdas.new_epoch(4, 5);
  EXPECT_NEAR(gdas.tau(), 0.1, 1e-12);
}

TEST(GdasOptimizer, OnlySampledCandidatesRunAndGradientsReachTheAlphas) {
  seed_torch(3);
  auto net = TinySupernet(1, 4, 3);
  GdasOptimizer gdas;
  gdas.attach(net.ptr());
  gdas.new_epoch(0, 1);
  const auto b = tiny_batch(6, 1, 8, 3);
  for (int step = 0; step < 5; ++step) {
    for (size_t t = 0; t < 2; ++t) net->slot(t)->reset_call_counts();
    const auto before = net->arch_parameters()[0].detach().clone();
    gdas.step(b.images, b.labels, b.images, b.labels);
    ASSERT_EQ(gdas.last_samples().size(), 2u);  // architecture, then weights
    for (size_t t = 0; t < 2; ++t) {
      std::vector<int64_t> expected(4, 0);
      for (const auto& s : gdas.last_samples()) ++expected[s.indices[t][0]];
      EXPECT_EQ(net->slot(t)->call_counts(), expected) << "type " << t << " step " << step;
      const auto grad = net->arch_parameters()[t].grad();
      ASSERT_TRUE(grad.defined());
      EXPECT_GT(grad.abs().sum().item<double>(), 0.0);
    }
    EXPECT_FALSE(torch::equal(before, net->arch_parameters()[0]));
  }
}

TEST(GdasOptimizer, OnlySampledCandidatesRunInTheNasBench201Supernet) {
  seed_torch(4);
  NasBench201Space space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  auto net = space.build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(3));
  auto* nb201 = dynamic_cast<NasBench201SupernetImpl*>(net.get());
  ASSERT_NE(nb201, nullptr);
  GdasOptimizer gdas;
  gdas.attach(net);
  gdas.new_epoch(0, 1);
  for (auto& cell : nb201->cells()) {
    for (size_t k = 0; k < 6; ++k) cell->mixed_op(k)->reset_call_counts();
  }
  const auto b = tiny_batch(4, 1, 8, 3);
  gdas.step(b.images, b.labels, b.images, b.labels);
  for (auto& cell : nb201->cells()) {
    for (size_t k = 0; k < 6; ++k) {
      std::vector<int64_t> expected(5, 0);
      for (const auto& s : gdas.last_samples()) ++expected[s.indices[0][k]];
      EXPECT_EQ(cell->mixed_op(k)->call_counts(), expected) << "edge " << k;
    }
  }
  EXPECT_GT(net->arch_parameters()[0].grad().abs().sum().item<double>(), 0.0);
}

TEST(GdasOptimizer, OnlySampledCandidatesRunInTheDartsSupernet) {
  seed_torch(5);
  auto cfg = ConfigNode::parse("{supernet: {channels: 2, layers: 3, stem_multiplier: 3}}");
  auto space = search_space_registry().create("darts", cfg);
  auto net = space->build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(3));
  auto* darts = dynamic_cast<DartsSupernetImpl*>(net.get());
  ASSERT_NE(darts, nullptr);
  GdasOptimizer gdas;
  gdas.attach(net);
  gdas.new_epoch(0, 1);
  const auto b = tiny_batch(4, 1, 8, 3);
  for (int step = 0; step < 2; ++step) {
    for (auto& cell : darts->cells()) {
      for (size_t k = 0; k < 14; ++k) cell->mixed_op(k)->reset_call_counts();
    }
    const auto before_normal = net->arch_parameters()[0].detach().clone();
    const auto before_reduce = net->arch_parameters()[1].detach().clone();
    gdas.step(b.images, b.labels, b.images, b.labels);
    auto cells = darts->cells();
    for (size_t c = 0; c < cells.size(); ++c) {
      const size_t type = darts->is_reduction(c) ? 1 : 0;
      for (size_t k = 0; k < 14; ++k) {
        std::vector<int64_t> expected(8, 0);
        for (const auto& s : gdas.last_samples()) ++expected[s.indices[type][k]];
        EXPECT_EQ(cells[c]->mixed_op(k)->call_counts(), expected) << "cell " << c << " edge " << k;
      }
    }
    // Both architecture matrices learn.
    EXPECT_FALSE(torch::equal(before_normal, net->arch_parameters()[0]));
    EXPECT_FALSE(torch::equal(before_reduce, net->arch_parameters()[1]));
  }
  // The derived genotype is a valid DARTS architecture that builds a network.
  const Architecture arch = gdas.derive();
  EXPECT_NO_THROW(space->validate(arch));
  EXPECT_EQ(space->parse(space->format(arch)), arch);
  EXPECT_NE(space->build_network(arch, NetworkSpec().in_channels(1).image_size(8).num_classes(3)),
            nullptr);
}

TEST(GdasOptimizer, CheckpointKeepsTauAndTheAlphas) {
  seed_torch(5);
  auto net = TinySupernet(1, 4, 3);
  GdasOptimizer gdas;
  gdas.attach(net.ptr());
  gdas.new_epoch(3, 4);
  const auto b = tiny_batch(4, 1, 8, 3);
  gdas.step(b.images, b.labels, b.images, b.labels);
  std::stringstream stream;
  torch::serialize::OutputArchive out;
  gdas.save(out);
  out.save_to(stream);

  auto other = TinySupernet(1, 4, 3);
  GdasOptimizer restored;
  restored.attach(other.ptr());
  torch::serialize::InputArchive in;
  in.load_from(stream);
  restored.load(in);
  EXPECT_NEAR(restored.tau(), 0.1, 1e-12);
  EXPECT_EQ(restored.tau(), gdas.tau());
  EXPECT_EQ(restored.epoch(), 3);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_TRUE(torch::equal(net->arch_parameters()[t], other->arch_parameters()[t]));
  }
  // Same torch generator state: the next steps agree exactly.
  seed_torch(9);
  gdas.step(b.images, b.labels, b.images, b.labels);
  seed_torch(9);
  restored.step(b.images, b.labels, b.images, b.labels);
  for (const auto& p : net->named_parameters()) {
    EXPECT_TRUE(torch::equal(p.value(), other->named_parameters()[p.key()])) << p.key();
  }
}

}  // namespace
}  // namespace nascpp

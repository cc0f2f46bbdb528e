#include "optimizers/predictors/gaussian_process.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "nascpp/registries.h"
#include "optimizers/bananas/bananas.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

// One-feature rows.
FeatureMatrix column(const std::vector<double>& values) {
  FeatureMatrix x;
  for (double v : values) x.append({static_cast<float>(v)});
  return x;
}

double mean_of(const std::vector<double>& y) {
  double s = 0.0;
  for (double v : y) s += v;
  return s / static_cast<double>(y.size());
}

double population_std(const std::vector<double>& y) {
  const double m = mean_of(y);
  double s = 0.0;
  for (double v : y) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(y.size()));
}

TEST(GaussianProcess, InterpolatesTheTrainingPointsWithoutNoise) {
  for (const std::string kernel : {"rbf", "matern52"}) {
    Rng rng(3);
    FeatureMatrix x;
    std::vector<double> y;
    for (int i = 0; i < 15; ++i) {
      const auto a = static_cast<float>(rng.uniform(-2.0, 2.0));
      const auto b = static_cast<float>(rng.uniform(-2.0, 2.0));
      x.append({a, b});
      // Away from 0, so that a relative tolerance means something.
      y.push_back(10.0 + std::sin(static_cast<double>(a)) + 0.5 * static_cast<double>(b));
    }
    GaussianProcess gp(GaussianProcessOptions().kernel(kernel).noise(0));
    gp.fit(x, y, rng);
    EXPECT_EQ(gp.noise(), 0.0);
    EXPECT_GT(gp.length_scale(), 0.0);
    EXPECT_EQ(gp.signal_variance(), 1.0);
    EXPECT_EQ(gp.fit_warning(), "");
    const double y_std = population_std(y);
    const auto p = gp.predict(x);
    ASSERT_EQ(p.size(), y.size());
    for (size_t i = 0; i < y.size(); ++i) {
      EXPECT_NEAR(p[i].mean, y[i], 1e-6 * std::abs(y[i])) << kernel << " row " << i;
      EXPECT_LT(p[i].stddev, 1e-4 * y_std) << kernel << " row " << i;
    }
  }
}

TEST(GaussianProcess, MatchesTheClosedFormOnTwoPoints) {
  // x = 0, 1 and y = 0, 1: standardised targets -1, 1 (mean 0.5, std 0.5).
  // K = [[1, a], [a, 1]], K^-1 = [[1, -a], [-a, 1]] / (1 - a^2).
  struct Case {
    std::string kernel;
    double (*k)(double);
  };
  const Case cases[] = {
      {"rbf", [](double r) { return std::exp(-0.5 * r * r); }},
      {"matern52",
       [](double r) {
         const double s = std::sqrt(5.0) * r;
         return (1.0 + s + s * s / 3.0) * std::exp(-s);
       }},
  };
  for (const auto& c : cases) {
    GaussianProcess gp(
        GaussianProcessOptions().kernel(c.kernel).length_scale(1).signal_variance(1).noise(0));
    Rng rng(1);
    gp.fit(column({0.0, 1.0}), {0.0, 1.0}, rng);
    EXPECT_EQ(gp.length_scale(), 1.0);
    const double a = c.k(1.0);
    const double det = 1.0 - a * a;
    for (double xs : {0.5, 0.25, 2.0, -0.75}) {
      const double k0 = c.k(std::abs(xs)), k1 = c.k(std::abs(xs - 1.0));
      // K^-1 y_s and K^-1 k*.
      const double w0 = (-1.0 - a * 1.0) / det, w1 = (1.0 + a) / det;
      const double mean = 0.5 + 0.5 * (k0 * w0 + k1 * w1);
      const double quad = (k0 * k0 - 2.0 * a * k0 * k1 + k1 * k1) / det;
      const double stddev = 0.5 * std::sqrt(std::max(0.0, 1.0 - quad));
      const auto p = gp.predict(column({xs}));
      ASSERT_EQ(p.size(), 1u);
      EXPECT_NEAR(p[0].mean, mean, 1e-8) << c.kernel << " at " << xs;
      EXPECT_NEAR(p[0].stddev, stddev, 1e-6) << c.kernel << " at " << xs;
    }
    // By symmetry the midpoint predicts the mean of the targets.
    EXPECT_NEAR(gp.predict(column({0.5}))[0].mean, 0.5, 1e-9) << c.kernel;
  }
}

TEST(GaussianProcess, RevertsToThePriorFarFromTheData) {
  const std::vector<double> y = {3.0, -1.0, 2.5, 7.0, 0.5};
  const FeatureMatrix x = column({0.0, 0.3, 0.5, 0.8, 1.0});
  const double y_mean = mean_of(y), y_std = population_std(y);
  Rng rng(2);
  GaussianProcess fixed(GaussianProcessOptions().length_scale(0.5).noise(0.01).signal_variance(2));
  fixed.fit(x, y, rng);
  const auto far = fixed.predict(column({1e3, -1e3}));
  for (const auto& p : far) {
    EXPECT_NEAR(p.mean, y_mean, 1e-9);
    EXPECT_NEAR(p.stddev, std::sqrt(2.0) * y_std, 1e-9);
  }
  GaussianProcess fitted(GaussianProcessOptions().kernel("matern52"));
  fitted.fit(x, y, rng);
  const auto p = fitted.predict(column({1e4}));
  EXPECT_NEAR(p[0].mean, y_mean, 1e-9);
  EXPECT_NEAR(p[0].stddev, y_std, 1e-9);
  // Near the data the uncertainty is smaller than the prior's.
  EXPECT_LT(fitted.predict(column({0.4}))[0].stddev, y_std);
}

TEST(GaussianProcess, FitsANoisySmoothFunction) {
  for (const std::string kernel : {"rbf", "matern52"}) {
    Rng rng(42);
    std::vector<double> xs, y;
    for (int i = 0; i < 40; ++i) {
      // Through float, as the features are stored.
      const double v = static_cast<float>(rng.uniform(-2.0, 2.0));
      xs.push_back(v);
      y.push_back(std::sin(3.0 * v) + 0.1 * rng.normal());
    }
    GaussianProcess gp(GaussianProcessOptions().kernel(kernel));
    gp.fit(column(xs), y, rng);
    EXPECT_GT(gp.noise(), 1e-4) << kernel;
    EXPECT_EQ(gp.fit_warning(), "") << kernel;
    std::vector<double> grid;
    for (int i = 0; i <= 100; ++i) grid.push_back(-1.9 + 3.8 * i / 100.0);
    const auto p = gp.predict(column(grid));
    double se = 0.0;
    for (size_t i = 0; i < grid.size(); ++i) {
      const double g = static_cast<float>(grid[i]);
      se += (p[i].mean - std::sin(3.0 * g)) * (p[i].mean - std::sin(3.0 * g));
      EXPECT_GT(p[i].stddev, 0.0);
    }
    EXPECT_LT(std::sqrt(se / static_cast<double>(grid.size())), 0.2) << kernel;
  }
}

TEST(GaussianProcess, IsDeterministic) {
  std::vector<double> y;
  FeatureMatrix x;
  Rng data(5);
  for (int i = 0; i < 20; ++i) {
    std::vector<float> row(6);
    for (auto& v : row) v = data.bernoulli(0.5) ? 1.0f : 0.0f;  // one-hot-like
    x.append(row);
    y.push_back(data.normal());
  }
  GaussianProcess a, b;
  Rng r1(1), r2(999);
  a.fit(x, y, r1);
  b.fit(x, y, r2);
  EXPECT_EQ(a.length_scale(), b.length_scale());
  EXPECT_EQ(a.noise(), b.noise());
  const auto pa = a.predict(x), pb = b.predict(x);
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].mean, pb[i].mean);
    EXPECT_EQ(pa[i].stddev, pb[i].stddev);
  }
  // Constant targets: the model predicts them, with no NaN from a zero std.
  GaussianProcess c;
  c.fit(x, std::vector<double>(20, 4.0), r1);
  for (const auto& p : c.predict(x)) {
    EXPECT_NEAR(p.mean, 4.0, 1e-9);
    EXPECT_TRUE(std::isfinite(p.stddev));
  }
}

TEST(GaussianProcess, WarnsWhenTheFactorisationNeedsMoreJitter) {
  // A signal variance of 1e8 makes rounding errors dwarf the 1e-10 jitter on
  // a nearly singular kernel matrix (long length scale, no noise).
  std::vector<double> xs, y;
  for (int i = 0; i < 30; ++i) {
    xs.push_back(i / 29.0);
    y.push_back(static_cast<double>(i % 3));
  }
  GaussianProcess gp(GaussianProcessOptions().length_scale(100).noise(0).signal_variance(1e8));
  Rng rng(1);
  gp.fit(column(xs), y, rng);
  EXPECT_NE(gp.fit_warning().find("30x30 kernel matrix needed jitter"), std::string::npos)
      << gp.fit_warning();
  EXPECT_NE(gp.fit_warning().find("length scale 100"), std::string::npos) << gp.fit_warning();
  for (const auto& p : gp.predict(column({0.5}))) EXPECT_TRUE(std::isfinite(p.mean));
  // Beyond the largest jitter the fit fails, naming the sizes.
  GaussianProcess hopeless(
      GaussianProcessOptions().length_scale(1e4).noise(0).signal_variance(1e14));
  NASCPP_EXPECT_THROW_WITH(hopeless.fit(column(xs), y, rng), Error, "the 30x30 kernel matrix");
  NASCPP_EXPECT_THROW_WITH(hopeless.predict(column({0.5})), Error, "gp: predict before fit");
}

TEST(GaussianProcess, ErrorsNameTheBadValue) {
  auto cfg = ConfigNode::parse("kernel: linear\n");
  NASCPP_EXPECT_THROW_WITH(GaussianProcessOptions::from_config(cfg), ConfigError, "'linear'");
  auto cfg2 = ConfigNode::parse("kernel: linear\n");
  NASCPP_EXPECT_THROW_WITH(GaussianProcessOptions::from_config(cfg2), ConfigError, "matern52, rbf");
  NASCPP_EXPECT_THROW_WITH(GaussianProcess(GaussianProcessOptions().kernel("linear")), ConfigError,
                           "unknown kernel 'linear'; known: matern52, rbf");
  auto cfg3 = ConfigNode::parse("length_scale: 0\n");
  NASCPP_EXPECT_THROW_WITH(GaussianProcessOptions::from_config(cfg3), ConfigError,
                           "gp length_scale must be a finite number > 0 (or -1 to fit it), got 0");
  NASCPP_EXPECT_THROW_WITH(GaussianProcess(GaussianProcessOptions().noise(-0.5)), ConfigError,
                           "gp noise must be a finite number >= 0 (or -1 to fit it), got -0.5");
  NASCPP_EXPECT_THROW_WITH(GaussianProcess(GaussianProcessOptions().signal_variance(0)),
                           ConfigError, "signal_variance must be a finite number > 0");
  const double inf = std::numeric_limits<double>::infinity();
  NASCPP_EXPECT_THROW_WITH(GaussianProcess(GaussianProcessOptions().length_scale(inf)), ConfigError,
                           "got inf");

  GaussianProcess gp;
  Rng rng(1);
  FeatureMatrix x;
  x.append({1.0f, 0.0f});
  NASCPP_EXPECT_THROW_WITH(gp.predict(x), Error, "gp: predict before fit");
  NASCPP_EXPECT_THROW_WITH(gp.length_scale(), Error, "before fit");
  NASCPP_EXPECT_THROW_WITH(gp.fit(x, {1.0, 2.0}, rng), Error, "got 2 targets for 1 examples");
  NASCPP_EXPECT_THROW_WITH(gp.fit(FeatureMatrix(), {}, rng), Error, "got 0 targets for 0 examples");
  x.append({0.0f, 1.0f});
  NASCPP_EXPECT_THROW_WITH(gp.fit(x, {1.0, std::nan("")}, rng), Error, "target of row 1 is nan");
  gp.fit(x, {1.0, 2.0}, rng);
  FeatureMatrix wide;
  wide.append({1.0f, 0.0f, 0.0f});
  NASCPP_EXPECT_THROW_WITH(gp.predict(wide), Error, "predict with 3 features, fitted with 2");
  EXPECT_TRUE(gp.predict(FeatureMatrix(0, 2)).empty());
}

TEST(GaussianProcess, TheRegistryBuildsItAndLeavesUnknownKeysToTheCaller) {
  EXPECT_TRUE(predictor_registry().contains("gp"));
  auto cfg = ConfigNode::parse("kernel: matern52\n");
  auto p = predictor_registry().create("gp", cfg);
  cfg.finish();
  EXPECT_EQ(p->name(), "gp");
  EXPECT_EQ(dynamic_cast<GaussianProcess&>(*p).options().kernel(), "matern52");
  EXPECT_EQ(dynamic_cast<GaussianProcess&>(*p).options().length_scale(), -1.0);

  auto typo = ConfigNode::parse("kernel: rbf\nlength_scal: 2\n");
  auto q = predictor_registry().create("gp", typo);
  NASCPP_EXPECT_THROW_WITH(typo.finish(), ConfigError,
                           "unknown config key 'length_scal'; did you mean 'length_scale'?");
}

TEST(GaussianProcess, HeaderExampleCompiles) {
  FeatureMatrix x = column({0.0, 1.0, 2.0}), x_new = column({1.5});
  const std::vector<double> y = {0.0, 1.0, 0.0};
  Rng rng(0);
  GaussianProcess gp(GaussianProcessOptions().kernel("matern52").noise(0));
  gp.fit(x, y, rng);  // length scale fitted, noise fixed at 0
  std::vector<Prediction> p = gp.predict(x_new);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(std::isfinite(p[0].mean));
}

TEST(GaussianProcess, DrivesBananasThroughTheRegistry) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(11);
  auto cfg = ConfigNode::parse(
      "num_init: 4\nk: 2\nnum_candidates: 20\npredictor: {name: gp, kernel: matern52}\n");
  auto opt = optimizer_registry().create("bananas", cfg);
  cfg.finish();
  auto& bananas = dynamic_cast<Bananas&>(*opt);
  EXPECT_EQ(bananas.predictor().name(), "gp");
  bananas.attach(space, &rng);
  test::ToyEvaluator eval;
  std::set<Architecture> seen;
  for (int i = 0; i < 12; ++i) {
    const auto trial = bananas.ask();
    ASSERT_TRUE(trial.has_value()) << "query " << i;
    EXPECT_NO_THROW(space->validate(trial->arch)) << "query " << i;
    EXPECT_TRUE(seen.insert(trial->arch).second) << "repeated proposal at query " << i;
    bananas.tell(*trial, eval.evaluate(trial->arch, Fidelity(), rng));
  }
  EXPECT_EQ(bananas.rounds(), 4);  // 4 random, then 4 rounds of k = 2
  EXPECT_EQ(bananas.predictor().fit_warning(), "");
}

}  // namespace
}  // namespace nascpp

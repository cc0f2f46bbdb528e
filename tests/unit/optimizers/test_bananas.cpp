#include "optimizers/bananas/bananas.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include "nascpp/registries.h"
#include "optimizers/predictors/gcn.h"
#include "optimizers/predictors/mlp_ensemble.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/log_capture.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

// A user-supplied predictor: the toy objective itself, decoded from the
// one-hot features, with zero uncertainty; counts its fits.
class OraclePredictor : public Predictor {
 public:
  explicit OraclePredictor(int* fits) : fits_(fits) {}
  std::string name() const override { return "oracle"; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng&) override {
    EXPECT_EQ(x.rows, y.size());
    ++*fits_;
  }
  std::vector<Prediction> predict(const FeatureMatrix& x) const override {
    std::vector<Prediction> out;
    for (size_t i = 0; i < x.rows; ++i) {
      std::vector<int32_t> enc;
      for (int p = 0; p < test::ToySpace::kPositions; ++p) {
        for (int v = 0; v < test::ToySpace::kValues; ++v) {
          if (x.row(i)[p * test::ToySpace::kValues + v] > 0.5f) enc.push_back(v);
        }
      }
      out.push_back({test::ToyEvaluator::score(Architecture("toy", enc)), 0.0});
    }
    return out;
  }

 private:
  int* fits_;
};

TEST(Bananas, PluggedInPredictorChoosesTheTopKCandidates) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(8);
  int fits = 0;
  Bananas bananas(BananasOptions().num_init(4).k(3).acquisition("exploit_only"),
                  std::make_unique<OraclePredictor>(&fits));
  bananas.attach(space, &rng);
  bananas.set_max_in_flight(3);             // the round's batch of k = 3 is pending at once
  EXPECT_EQ(bananas.encoding(), "onehot");  // the toy space has no path encoding
  test::ToyEvaluator eval;
  std::vector<std::pair<Architecture, double>> told;
  for (int i = 0; i < 4; ++i) {
    const Trial a_trial = *bananas.ask();
    const Architecture a = a_trial.arch;
    told.emplace_back(a, test::ToyEvaluator::score(a));
    bananas.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
  }
  EXPECT_EQ(fits, 0);
  // Round 1: candidates are mutations of the 2 best; with the oracle as
  // predictor the 3 proposals are the 3 best distinct unseen mutations, best first.
  std::sort(told.begin(), told.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<double> proposed;
  for (int i = 0; i < 3; ++i) {
    const Trial a_trial = *bananas.ask();
    const Architecture a = a_trial.arch;
    proposed.push_back(test::ToyEvaluator::score(a));
    int diff0 = 0, diff1 = 0;
    for (int p = 0; p < 4; ++p) {
      diff0 += a.encoding()[p] != told[0].first.encoding()[p];
      diff1 += a.encoding()[p] != told[1].first.encoding()[p];
    }
    EXPECT_TRUE(diff0 == 1 || diff1 == 1) << "not a mutation of the two best";
  }
  EXPECT_EQ(fits, 1);
  EXPECT_GE(proposed[0], proposed[1]);
  EXPECT_GE(proposed[1], proposed[2]);
  // No neighbour of the two best scores more than the best proposal.
  double best_neighbour = -1e9;
  for (int b = 0; b < 2; ++b) {
    for (const auto& n : space->neighbours(told[b].first)) {
      bool seen = false;
      for (const auto& t : told) seen = seen || t.first == n;
      if (!seen) best_neighbour = std::max(best_neighbour, test::ToyEvaluator::score(n));
    }
  }
  // 50 random mutations per parent cover the 16 neighbours with high probability.
  EXPECT_EQ(proposed[0], best_neighbour);
}

TEST(Bananas, BpRanksRandomCandidatesOnceAfterItsRandomDesign) {
  // Wen et al. (2019) as NASLib's bp: budget 40 -> k = floor(40 x 20/172) =
  // 4, 36 random, one fit ranking 80 random unseen candidates.
  auto space = std::make_shared<test::ToySpace>();
  int fits = 0;
  auto cfg = ConfigNode::parse("budget: 40\n");
  auto made = Bananas::bp_from_config(cfg);
  auto* defaults = dynamic_cast<Bananas*>(made.get());
  ASSERT_NE(defaults, nullptr);
  EXPECT_EQ(defaults->name(), "bp");
  EXPECT_EQ(defaults->options().num_init(), 36);
  EXPECT_EQ(defaults->options().k(), 4);
  EXPECT_EQ(defaults->options().num_candidates(), 80);
  EXPECT_EQ(defaults->options().acquisition(), "exploit_only");
  EXPECT_EQ(defaults->options().candidates(), "random");
  EXPECT_EQ(defaults->warm_start_size(), 36);
  Bananas bp(defaults->options(), std::make_unique<OraclePredictor>(&fits), "bp");
  Rng rng(4);
  bp.attach(space, &rng);
  test::ToyEvaluator eval;
  std::set<Architecture> told;
  for (int i = 0; i < 36; ++i) {
    const Trial t = *bp.ask();
    EXPECT_TRUE(told.insert(t.arch).second);
    bp.tell(t, eval.evaluate(t.arch, Fidelity(), rng));
  }
  EXPECT_EQ(fits, 0);
  std::vector<double> proposed;
  for (int i = 0; i < 4; ++i) {
    const Trial t = *bp.ask();
    EXPECT_EQ(told.count(t.arch), 0u) << "a proposal was evaluated already";
    proposed.push_back(test::ToyEvaluator::score(t.arch));
    bp.tell(t, eval.evaluate(t.arch, Fidelity(), rng));
  }
  EXPECT_EQ(fits, 1);
  EXPECT_GE(proposed[0], proposed[1]);
  EXPECT_GE(proposed[1], proposed[2]);
  EXPECT_GE(proposed[2], proposed[3]);
  // The best of 80 random candidates ranked by the oracle is in the space's
  // top 10% (a broken ranking misses it; a correct one with probability 0.9^80).
  std::vector<double> all;
  for (const auto& a : space->enumerate()) all.push_back(test::ToyEvaluator::score(a));
  std::sort(all.rbegin(), all.rend());
  EXPECT_GE(proposed[0], all[all.size() / 10]);
  auto bad = ConfigNode::parse("budget: 1\n");
  NASCPP_EXPECT_THROW_WITH(Bananas::bp_from_config(bad), ConfigError,
                           "bp budget (the search's queries) must be in [2, 100000000], got 1");
  auto kind = ConfigNode::parse("candidates: mutations\n");
  NASCPP_EXPECT_THROW_WITH(Bananas::from_config(kind), ConfigError, "mutation, random");
}

TEST(Bananas, NpenasIsTheExploitOnlyLoop) {
  auto cfg = ConfigNode::parse("k: 5\n");
  auto opt = optimizer_registry().create("npenas", cfg);
  cfg.finish();
  auto* npenas = dynamic_cast<Bananas*>(opt.get());
  ASSERT_NE(npenas, nullptr);
  EXPECT_EQ(npenas->name(), "npenas");
  EXPECT_EQ(npenas->options().acquisition(), "exploit_only");
  EXPECT_EQ(npenas->options().candidates(), "mutation");
  EXPECT_EQ(npenas->options().k(), 5);
  // A state saved by one preset is refused by another.
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(0);
  npenas->attach(space, &rng);
  Bananas plain;
  plain.attach(space, &rng);
  NASCPP_EXPECT_THROW_WITH(plain.load_state(npenas->save_state()), DataError,
                           "optimizer 'bananas' cannot load a state saved by optimizer 'npenas'");
}

TEST(Bananas, UsesThePathEncodingOnNasBench201) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(9);
  Bananas bananas;
  bananas.attach(space, &rng);
  EXPECT_EQ(bananas.encoding(), "path");
  Bananas onehot(BananasOptions().encoding("onehot"));
  onehot.attach(space, &rng);
  EXPECT_EQ(onehot.encoding(), "onehot");
  Bananas bad(BananasOptions().encoding("paths"));
  NASCPP_EXPECT_THROW_WITH(bad.attach(space, &rng), ConfigError, "path");
}

TEST(Bananas, AGraphPredictorGetsTheAdjacencyEncoding) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(9);
  Bananas bananas(BananasOptions(), std::make_unique<GcnPredictor>());
  bananas.attach(space, &rng);
  EXPECT_EQ(bananas.encoding(), "adjacency");
  Bananas path(BananasOptions().encoding("path"), std::make_unique<GcnPredictor>());
  NASCPP_EXPECT_THROW_WITH(path.attach(space, &rng), ConfigError,
                           "bananas: predictor 'gcn' reads the 'adjacency' encoding, not encoding "
                           "'path'");
  auto toy = std::make_shared<test::ToySpace>();
  Bananas on_toy(BananasOptions(), std::make_unique<GcnPredictor>());
  NASCPP_EXPECT_THROW_WITH(on_toy.attach(toy, &rng), ConfigError,
                           "which search space 'toy' does not offer (onehot)");
}

TEST(Bananas, ConfigErrorsNameTheBadValue) {
  auto cfg = ConfigNode::parse("acquisition: thompson\n");
  NASCPP_EXPECT_THROW_WITH(Bananas::from_config(cfg), ConfigError, "ei, exploit_only, its, ucb");
  auto cfg2 = ConfigNode::parse("predictor: {name: wl_gp}\n");
  NASCPP_EXPECT_THROW_WITH(Bananas::from_config(cfg2), ConfigError, "gp, mlp_ensemble");
  auto cfg3 = ConfigNode::parse("predictor: {epochs: 0}\n");
  NASCPP_EXPECT_THROW_WITH(Bananas::from_config(cfg3), ConfigError, "epochs must be >= 1, got 0");
  NASCPP_EXPECT_THROW_WITH(Bananas(BananasOptions().k(0)), ConfigError, "k must be >= 1, got 0");
  const double inf = std::numeric_limits<double>::infinity();
  NASCPP_EXPECT_THROW_WITH(Bananas(BananasOptions().explore_factor(inf)), ConfigError,
                           "bananas explore_factor must be a finite number >= 0, got inf");
  NASCPP_EXPECT_THROW_WITH(
      Bananas(BananasOptions().ei_calibration_factor(inf)), ConfigError,
      "bananas ei_calibration_factor must be a finite positive number, got inf");
  NASCPP_EXPECT_THROW_WITH(MlpEnsemble(MlpEnsembleOptions().regularization(inf)), ConfigError,
                           "mlp_ensemble regularization must be a finite number >= 0, got inf");
}

TEST(Bananas, AcquisitionFunctionsAllRun) {
  for (const auto& acq : BananasOptions::acquisitions()) {
    auto space = std::make_shared<NasBench201Space>();
    Rng rng(10);
    auto cfg = ConfigNode::parse("num_init: 4\nk: 4\nacquisition: " + acq +
                                 "\npredictor: {epochs: 5, num_layers: 2}\n");
    auto opt = Bananas::from_config(cfg);
    cfg.finish();
    auto& b = dynamic_cast<Bananas&>(*opt);
    b.attach(space, &rng);
    std::set<Architecture> seen;
    for (int i = 0; i < 16; ++i) {
      const Trial a_trial = *b.ask();
      const Architecture a = a_trial.arch;
      EXPECT_TRUE(seen.insert(a).second) << acq << ": repeated proposal";
      b.tell(a_trial, test::result_of(static_cast<double>(a.hash() % 97), 1.0));
    }
    EXPECT_EQ(b.rounds(), 3) << acq;
  }
}

// The oracle, except that candidates whose first position is 0 get a NaN
// prediction (a partly diverged predictor); says so in its fit warning.
class HalfNanPredictor : public OraclePredictor {
 public:
  using OraclePredictor::OraclePredictor;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override {
    auto out = OraclePredictor::predict(x);
    for (size_t i = 0; i < x.rows; ++i) {
      if (x.row(i)[0] > 0.5f) out[i].mean = std::numeric_limits<double>::quiet_NaN();
    }
    return out;
  }
  std::string fit_warning() const override { return "half of it diverged"; }
};

TEST(Bananas, NanPredictionsRankAfterTheFiniteOnesAndAreReported) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(12);
  int fits = 0;
  Bananas bananas(BananasOptions().num_init(4).k(4).acquisition("exploit_only"),
                  std::make_unique<HalfNanPredictor>(&fits));
  bananas.attach(space, &rng);
  test::ToyEvaluator eval;
  test::LogCapture log;
  std::vector<Architecture> round;
  for (int i = 0; i < 8; ++i) {
    const Trial a_trial = *bananas.ask();
    const Architecture a = a_trial.arch;
    if (i >= 4) round.push_back(a);
    bananas.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
  }
  EXPECT_EQ(fits, 1);
  // Finite predictions come first, best first; NaN ones only after them.
  bool seen_nan = false;
  double previous = 1e9;
  for (const auto& a : round) {
    const bool nan = a.encoding()[0] == 0;
    EXPECT_FALSE(seen_nan && !nan) << "a finite prediction ranked after a NaN one";
    if (!nan) {
      EXPECT_LE(test::ToyEvaluator::score(a), previous);
      previous = test::ToyEvaluator::score(a);
    }
    seen_nan = seen_nan || nan;
  }
  EXPECT_EQ(log.count("[warning] optimizer 'bananas', round 1: predictor 'oracle': half of it "
                      "diverged"),
            1)
      << log.text();
}

TEST(Bananas, ADivergedPredictorIsReportedOncePerFitAndTheSearchGoesOn) {
  // A predictor learning rate of 1e30 makes every ensemble member's weights
  // overflow: the rounds pick among the candidates at random instead of
  // ranking by NaN predictions, and say so.
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(13);
  auto cfg = ConfigNode::parse(
      "num_init: 4\nk: 4\npredictor: {epochs: 5, num_layers: 2, learning_rate: 1e30}\n");
  auto opt = Bananas::from_config(cfg);
  cfg.finish();
  auto& b = dynamic_cast<Bananas&>(*opt);
  b.attach(space, &rng);
  test::LogCapture log;
  std::set<Architecture> seen;
  for (int i = 0; i < 16; ++i) {
    const Trial a_trial = *b.ask();
    const Architecture a = a_trial.arch;
    EXPECT_NO_THROW(space->validate(a));
    EXPECT_TRUE(seen.insert(a).second) << "repeated proposal";
    b.tell(a_trial, test::result_of(static_cast<double>(a.hash() % 97), 1.0));
  }
  EXPECT_EQ(b.rounds(), 3);
  const auto& mlp = dynamic_cast<const MlpEnsemble&>(b.predictor());
  EXPECT_EQ(mlp.diverged_members(), 3);
  EXPECT_EQ(log.count("[warning] optimizer 'bananas', round"), 3) << log.text();
  EXPECT_EQ(log.count("predictor 'mlp_ensemble': 3 of 3 ensemble members diverged in training"), 3)
      << log.text();
  EXPECT_EQ(log.count("proposals are drawn at random from the candidates"), 3) << log.text();
}

TEST(MlpEnsemble, DivergedMembersAreDroppedAndReported) {
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 8; ++i) {
    const float a = i & 1, b = (i >> 1) & 1;
    x.append({a, b, 1.0f});
    y.push_back(50 + 10 * a - 5 * b);
  }
  Rng rng(14);
  MlpEnsemble sane(MlpEnsembleOptions().num_layers(3).epochs(20));
  sane.fit(x, y, rng);
  EXPECT_EQ(sane.diverged_members(), 0);
  EXPECT_EQ(sane.fit_warning(), "");
  MlpEnsemble mlp(MlpEnsembleOptions().num_layers(3).epochs(20).learning_rate(1e30));
  mlp.fit(x, y, rng);
  EXPECT_EQ(mlp.diverged_members(), 3);
  EXPECT_TRUE(mlp.predict_members(x).empty());
  EXPECT_NE(mlp.fit_warning().find("3 of 3 ensemble members diverged in training"),
            std::string::npos)
      << mlp.fit_warning();
  EXPECT_NE(mlp.fit_warning().find("learning_rate 1e+30"), std::string::npos) << mlp.fit_warning();
  for (const auto& p : mlp.predict(x)) EXPECT_TRUE(std::isnan(p.mean));
  // A later sane fit clears the warning.
  MlpEnsemble again(MlpEnsembleOptions().num_layers(3).epochs(20));
  again.fit(x, y, rng);
  EXPECT_EQ(again.fit_warning(), "");
  auto cfg = ConfigNode::parse("regularization: .inf\n");
  NASCPP_EXPECT_THROW_WITH(MlpEnsembleOptions::from_config(cfg), ConfigError,
                           "config key 'regularization': expected a finite number, got '.inf'");
  NASCPP_EXPECT_THROW_WITH(
      MlpEnsembleOptions().regularization(std::numeric_limits<double>::infinity()).validate(),
      ConfigError, "regularization must be a finite number >= 0, got inf");
}

TEST(MlpEnsemble, FitsALinearFunctionOfBinaryFeatures) {
  // y = 50 + 10 * x0 - 5 * x1 + 3 * x2 on all 8 binary inputs (+ a constant
  // feature); a trained ensemble predicts it within a few units, and members
  // disagree (independent initialisations).
  FeatureMatrix x;
  std::vector<double> y;
  for (int i = 0; i < 8; ++i) {
    const float a = i & 1, b = (i >> 1) & 1, c = (i >> 2) & 1;
    x.append({a, b, c, 1.0f});
    y.push_back(50 + 10 * a - 5 * b + 3 * c);
  }
  Rng rng(11);
  MlpEnsemble mlp(
      MlpEnsembleOptions().num_layers(3).epochs(2000).learning_rate(0.01).regularization(0));
  mlp.fit(x, y, rng);
  const auto p = mlp.predict(x);
  double mae = 0;
  for (size_t i = 0; i < y.size(); ++i) mae += std::abs(p[i].mean - y[i]) / y.size();
  EXPECT_LT(mae, 2.0);
  const auto members = mlp.predict_members(x);
  EXPECT_EQ(members.size(), 3u);
  EXPECT_NE(members[0][0], members[1][0]);
}

TEST(MlpEnsemble, ErrorsForMisuse) {
  MlpEnsemble mlp;
  FeatureMatrix x;
  x.append({1.0f, 0.0f});
  NASCPP_EXPECT_THROW_WITH(mlp.predict(x), Error, "predict before fit");
  NASCPP_EXPECT_THROW_WITH(mlp.fit(x, {1.0, 2.0}, *std::make_unique<Rng>(1)), Error,
                           "2 targets for 1 examples");
  NASCPP_EXPECT_THROW_WITH(x.append({1.0f}), Error, "1 values appended to a matrix of 2 columns");
}

TEST(PredictorRegistry, BuildsTheMlpEnsemble) {
  auto cfg = ConfigNode::parse("num_models: 5\n");
  auto p = predictor_registry().create("mlp_ensemble", cfg);
  cfg.finish();
  EXPECT_EQ(dynamic_cast<MlpEnsemble&>(*p).options().num_models(), 5);
}

}  // namespace
}  // namespace nascpp

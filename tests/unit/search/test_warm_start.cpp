// Zero-cost warm start (nascpp/warm_start.h): the ranked pool, the
// optimizers that take it, its saved state, and whether it helps at equal
// queries on NAS-Bench-201.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <set>

#include "nascpp/evaluators/tabular.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "nascpp/warm_start.h"
#include "optimizers/bananas/bananas.h"
#include "optimizers/predictors/mlp_ensemble.h"
#include "optimizers/regularized_evolution/regularized_evolution.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// Scores a NAS-Bench-201 cell by how many 3x3 convolutions it has (0..6),
// and fails on cells with no 3x3 convolution and a `none` first edge.
class ConvCountScorer : public Evaluator {
 public:
  std::string name() const override { return "conv_count"; }
  std::string objective_name() const override { return "convs"; }
  std::vector<std::string> metric_names() const override { return {"convs"}; }
  FidelityRange fidelity_range() const override { return {0, 0, {0}}; }
  bool simulated_cost() const override { return true; }
  int64_t calls = 0;

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t, Rng&) override {
    ++calls;
    EvaluationResult r;
    int convs = 0;
    for (int32_t op : trial.arch.encoding()) convs += op == 3 ? 1 : 0;  // nor_conv_3x3
    r.cost = 0.5;
    if (convs == 0 && trial.arch.encoding()[0] == 0) {
      r.failure = "no convolution";
      return r;
    }
    r.objective = convs;
    r.metrics["convs"] = convs;
    return r;
  }
};

TEST(WarmStart, PoolIsRankedBestFirstWithRepeatsScoredOnceAndFailuresLast) {
  NasBench201Space space;
  ConvCountScorer scorer;
  Rng rng(3);
  const auto ranked = rank_random_pool(space, scorer, 400, rng);
  ASSERT_FALSE(ranked.empty());
  EXPECT_LE(ranked.size(), 400u);
  EXPECT_EQ(scorer.calls, static_cast<int64_t>(ranked.size()));
  std::set<Architecture> distinct;
  bool seen_failure = false;
  for (size_t i = 0; i < ranked.size(); ++i) {
    EXPECT_TRUE(distinct.insert(ranked[i].arch).second) << "repeated at rank " << i + 1;
    if (i > 0) EXPECT_GE(ranked[i - 1].score, ranked[i].score) << "rank " << i + 1;
    if (!ranked[i].failure.empty()) {
      seen_failure = true;
      EXPECT_EQ(ranked[i].score, -HUGE_VAL);
    } else {
      EXPECT_FALSE(seen_failure) << "a success after a failure at rank " << i + 1;
    }
    EXPECT_EQ(ranked[i].cost, 0.5);
  }
  // 400 draws of 15,625 cells: about 1 in 10 has no 3x3 convolution and a
  // `none` first edge (0.8^6 / 5 = 5%): some failed.
  EXPECT_TRUE(seen_failure);
  // Same generator seed, same pool.
  Rng again(3);
  ConvCountScorer other;
  const auto second = rank_random_pool(space, other, 400, again);
  ASSERT_EQ(second.size(), ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) EXPECT_EQ(second[i].arch, ranked[i].arch);
  EXPECT_EQ(best_architectures(ranked, 3).size(), 3u);
  EXPECT_EQ(best_architectures(ranked, 100000).size(), ranked.size());
}

TEST(WarmStart, CsvRoundTripsAndBadFilesNameTheLine) {
  auto space = std::make_shared<NasBench201Space>();
  ConvCountScorer scorer;
  Rng rng(5);
  const auto ranked = rank_random_pool(*space, scorer, 200, rng);
  test::TempDir tmp;
  write_warm_start_csv(tmp.file("w.csv"), ranked, *space, "test pool");
  const auto back = read_warm_start_csv(tmp.file("w.csv"), *space);
  ASSERT_EQ(back.size(), ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) {
    EXPECT_EQ(back[i].arch, ranked[i].arch);
    EXPECT_EQ(back[i].score, ranked[i].score);
    EXPECT_EQ(back[i].failure, ranked[i].failure);
  }
  std::ofstream(tmp.file("bad.csv")) << "rank,arch,score,cost,failure\n1,\"|x~0|\",1,0,\"\"\n";
  NASCPP_EXPECT_THROW_WITH(read_warm_start_csv(tmp.file("bad.csv"), *space), DataError,
                           "bad.csv, line 2");
  std::ofstream(tmp.file("order.csv"))
      << "rank,arch,score,cost,failure\n2,\"" << space->format(ranked[0].arch) << "\",1,0,\"\"\n";
  NASCPP_EXPECT_THROW_WITH(read_warm_start_csv(tmp.file("order.csv"), *space), DataError,
                           "rank '2', expected 1");
}

std::vector<Architecture> some_cells(const SearchSpace& space, size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<Architecture> out;
  while (out.size() < n) {
    Architecture a = space.sample(rng);
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

TEST(WarmStart, RegularizedEvolutionProposesItsInitialPopulationFromTheWarmStart) {
  auto space = std::make_shared<NasBench201Space>();
  RegularizedEvolution re(RegularizedEvolutionOptions().population_size(5).sample_size(2));
  EXPECT_EQ(re.warm_start_size(), 5);
  Rng rng(1);
  re.attach(space, &rng);
  const auto warm = some_cells(*space, 7, 11);
  re.set_warm_start(warm);  // more than the population: the first 5 are kept
  ASSERT_EQ(re.warm_start().size(), 5u);
  for (size_t i = 0; i < 3; ++i) {
    auto t = re.ask();
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->arch, warm[i]) << i;
    EXPECT_EQ(t->id, static_cast<int64_t>(i));
    EvaluationResult r;
    r.objective = static_cast<double>(i);
    re.tell(*t, r);
  }
  // The state keeps the rest of the warm start: a restored optimizer goes on
  // with warm[3] and warm[4], then mutates.
  const std::string state = re.save_state();
  RegularizedEvolution restored(RegularizedEvolutionOptions().population_size(5).sample_size(2));
  Rng rng2(1);
  restored.attach(space, &rng2);
  restored.load_state(state);
  ASSERT_EQ(restored.warm_start().size(), 2u);
  for (auto* opt : {&re, &restored}) {
    for (size_t i = 3; i < 5; ++i) {
      auto t = opt->ask();
      ASSERT_TRUE(t.has_value());
      EXPECT_EQ(t->arch, warm[i]);
      EvaluationResult r;
      r.objective = 1.0;
      opt->tell(*t, r);
    }
    EXPECT_TRUE(opt->warm_start().empty());
  }
  // After the warm start the population evolves: the next trial is asked.
  auto t = re.ask();
  ASSERT_TRUE(t.has_value());
  EXPECT_NO_THROW(space->validate(t->arch));
  NASCPP_EXPECT_THROW_WITH(re.set_warm_start(warm), Error, "after the first ask");
}

TEST(WarmStart, BananasTakesItsInitialDesignFromTheWarmStart) {
  auto space = std::make_shared<NasBench201Space>();
  Bananas bananas(BananasOptions().num_init(4).k(2),
                  std::make_unique<MlpEnsemble>(MlpEnsembleOptions().epochs(5)));
  EXPECT_EQ(bananas.warm_start_size(), 4);
  Rng rng(2);
  bananas.attach(space, &rng);
  const auto warm = some_cells(*space, 3, 12);  // fewer than num_init: one random follows
  bananas.set_warm_start(warm);
  std::vector<Architecture> asked;
  for (int i = 0; i < 4; ++i) {
    auto t = bananas.ask();
    ASSERT_TRUE(t.has_value());
    asked.push_back(t->arch);
    EvaluationResult r;
    r.objective = i;
    bananas.tell(*t, r);
  }
  EXPECT_EQ(std::vector<Architecture>(asked.begin(), asked.begin() + 3), warm);
  EXPECT_EQ(std::find(warm.begin(), warm.end(), asked[3]), warm.end());
}

TEST(WarmStart, OptimizersWithoutAnInitialDesignRefuseIt) {
  auto space = std::make_shared<NasBench201Space>();
  auto cfg = ConfigNode::parse("{}");
  auto opt = optimizer_registry().create("random_search", cfg);
  auto& bb = dynamic_cast<BlackBoxOptimizer&>(*opt);
  EXPECT_EQ(bb.warm_start_size(), 0);
  Rng rng(0);
  bb.attach(space, &rng);
  NASCPP_EXPECT_THROW_WITH(bb.set_warm_start(some_cells(*space, 2, 1)), ConfigError,
                           "optimizer 'random_search' takes no warm start (optimizers that do: "
                           "regularized_evolution, bananas, npenas, bp)");
  EXPECT_NO_THROW(bb.set_warm_start({}));
}

TEST(WarmStartOptions, BadValuesAreNamed) {
  auto cfg = ConfigNode::parse("pool: -1\n");
  NASCPP_EXPECT_THROW_WITH(WarmStartOptions::from_config(cfg), ConfigError,
                           "warm_start.pool must be in [0, 10000000]");
  auto top = ConfigNode::parse("pool: 10\ntop: 11\n");
  NASCPP_EXPECT_THROW_WITH(WarmStartOptions::from_config(top), ConfigError,
                           "warm_start.top (11) must not exceed warm_start.pool (10)");
}

// Final test accuracy after `queries` of regularized evolution on
// NAS-Bench-201 CIFAR-100 (validation accuracy searched), per seed, with and
// without a warm start ranked by the cells' parameter count (NAS-Bench-201's
// own `params_mb`, equal to the `params` zero-cost proxy on every cell:
// tests/unit/zero_cost/test_suite_zero.cpp).
std::vector<double> final_test_accuracies(std::shared_ptr<const Benchmark> bench, int64_t pool,
                                          int64_t seeds, int64_t queries) {
  auto space = std::make_shared<NasBench201Space>();
  TabularEvaluator eval(bench, TabularEvaluatorOptions()
                                   .dataset("cifar100")
                                   .metric("valid_acc")
                                   .report_metric("test_acc")
                                   .extra_metrics({}));
  TabularEvaluator scorer(bench, TabularEvaluatorOptions()
                                     .dataset("cifar100")
                                     .metric("params_mb")
                                     .report_metric("params_mb")
                                     .extra_metrics({}));
  std::vector<double> out;
  for (int64_t seed = 0; seed < seeds; ++seed) {
    RegularizedEvolution re(RegularizedEvolutionOptions().population_size(64).sample_size(10));
    Rng rng(static_cast<uint64_t>(seed));
    re.attach(space, &rng);
    if (pool > 0) {
      Rng pool_rng(static_cast<uint64_t>(seed) + 1000);
      re.set_warm_start(best_architectures(rank_random_pool(*space, scorer, pool, pool_rng), 64));
    }
    const auto r =
        run_black_box(re, eval, rng, SearchOptions().budget(Budget().max_queries(queries)));
    out.push_back(r.incumbent()->result.metrics.at("test_acc"));
  }
  return out;
}

TEST(WarmStart, BeatsNoWarmStartOnNasBench201AtEqualQueriesByThreeStandardErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  auto cfg = ConfigNode::parse("data_dir: '" + test::data_dir() + "'");
  auto bench = benchmark_registry().create("nasbench201", cfg);
  // Abdelfattah et al. (2021): a pool of 3000 ranked by a proxy, the best 64
  // as aging evolution's initial population, tournament 10; here 100 queries
  // (the early phase, where a better start shows), 60 seeds each.
  const auto warm = final_test_accuracies(bench, 3000, 60, 100);
  const auto cold = final_test_accuracies(bench, 0, 60, 100);
  auto mean_se = [](const std::vector<double>& v) {
    double m = 0.0;
    for (double x : v) m += x / static_cast<double>(v.size());
    double var = 0.0;
    for (double x : v) var += (x - m) * (x - m) / static_cast<double>(v.size() - 1);
    return std::make_pair(m, std::sqrt(var / static_cast<double>(v.size())));
  };
  const auto [wm, ws] = mean_se(warm);
  const auto [cm, cs] = mean_se(cold);
  const double se = std::sqrt(ws * ws + cs * cs);
  EXPECT_GT(wm - cm, 3.0 * se) << "warm " << wm << " +- " << ws << ", cold " << cm << " +- " << cs;
}

}  // namespace
}  // namespace nascpp

// Properties every black-box optimizer must have, checked for each built-in
// one through the registry: on NAS-Bench-201 and on a toy space defined in
// the tests (space independence), valid proposals, resumable state, config
// handling.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

// A small, fast BANANAS configuration for property tests.
std::string small_config(const std::string& name) {
  if (name == "bananas") {
    return "num_init: 5\nk: 5\npredictor: {epochs: 20, num_layers: 3}\n";
  }
  return "{}";
}

std::unique_ptr<BlackBoxOptimizer> make(const std::string& name, const std::string& yaml) {
  auto cfg = ConfigNode::parse(yaml);
  auto opt = optimizer_registry().create(name, cfg);
  cfg.finish();
  auto* bb = dynamic_cast<BlackBoxOptimizer*>(opt.get());
  EXPECT_NE(bb, nullptr);
  opt.release();
  return std::unique_ptr<BlackBoxOptimizer>(bb);
}

// Objective for NAS-Bench-201 architectures without benchmark data: a fixed
// pseudo-random score per cell.
class HashEvaluator : public Evaluator {
 public:
  std::string name() const override { return "hash"; }
  std::string objective_name() const override { return "score"; }
  std::vector<std::string> metric_names() const override { return {"score"}; }
  std::vector<int64_t> fidelities() const override { return {}; }
  bool simulated_cost() const override { return true; }

 private:
  EvaluationResult do_evaluate(const Architecture& arch, const Fidelity&, Rng&) override {
    EvaluationResult r;
    r.objective = static_cast<double>(arch.hash() % 10007) / 100.0;
    r.cost = 1.0;
    return r;
  }
};

class BlackBoxOptimizerTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BlackBoxOptimizerTest, RegisteredAsBlackBox) {
  auto cfg = ConfigNode::parse("{}");
  auto opt = optimizer_registry().create(GetParam(), cfg);
  EXPECT_EQ(opt->name(), GetParam());
  EXPECT_EQ(opt->kind(), Optimizer::Kind::kBlackBox);
}

TEST_P(BlackBoxOptimizerTest, UnknownConfigKeyIsAnError) {
  auto cfg = ConfigNode::parse("population_sise: 3\n");
  auto opt = optimizer_registry().create(GetParam(), cfg);
  NASCPP_EXPECT_THROW_WITH(cfg.finish(), ConfigError, "population_sise");
}

TEST_P(BlackBoxOptimizerTest, AskBeforeAttachIsAnError) {
  auto opt = make(GetParam(), small_config(GetParam()));
  NASCPP_EXPECT_THROW_WITH(opt->ask(), Error, "before attach");
}

TEST_P(BlackBoxOptimizerTest, ValidProposalsOnNasBench201) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(1);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  HashEvaluator eval;
  const auto result =
      run_black_box(*opt, eval, rng, SearchOptions().budget(Budget().max_queries(60)));
  ASSERT_EQ(result.evaluations.size(), 60u);
  for (const auto& e : result.evaluations) EXPECT_NO_THROW(space->validate(e.arch));
  EXPECT_EQ(result.stop_reason, "max_queries");
}

TEST_P(BlackBoxOptimizerTest, WorksOnAToySpaceAndFindsItsOptimum) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(2);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  test::ToyEvaluator eval;
  const auto result =
      run_black_box(*opt, eval, rng, SearchOptions().budget(Budget().max_queries(300)));
  for (const auto& e : result.evaluations) EXPECT_NO_THROW(space->validate(e.arch));
  // 8 of the 625 architectures score >= 90 (the optimum and its 7
  // neighbours one value away); even 300 distinct random draws miss them all
  // with probability about (325/625)^8 = 0.5%.
  ASSERT_NE(result.incumbent(), nullptr);
  EXPECT_GE(result.incumbent()->result.objective, 90.0);
}

TEST_P(BlackBoxOptimizerTest, SavedStateResumesExactly) {
  auto space = std::make_shared<NasBench201Space>();
  HashEvaluator eval;
  auto run = [&](BlackBoxOptimizer& opt, Rng& rng, int n) {
    std::vector<Architecture> out;
    for (int i = 0; i < n; ++i) {
      Architecture a = opt.ask();
      opt.tell(a, eval.evaluate(a, Fidelity(), rng));
      out.push_back(a);
    }
    return out;
  };
  Rng rng(3);
  auto first = make(GetParam(), small_config(GetParam()));
  first->attach(space, &rng);
  run(*first, rng, 23);
  const std::string state = first->save_state();
  const std::string rng_state = rng.state();
  const auto expected = run(*first, rng, 17);

  Rng rng2(99);
  auto second = make(GetParam(), small_config(GetParam()));
  second->attach(space, &rng2);
  second->load_state(state);
  rng2.set_state(rng_state);
  EXPECT_EQ(run(*second, rng2, 17), expected);
}

TEST_P(BlackBoxOptimizerTest, LoadStateRejectsOtherOptimizersAndGarbage) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(4);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  const std::string other = GetParam() == "random_search" ? "local_search" : "random_search";
  auto foreign = make(other, "{}");
  foreign->attach(space, &rng);
  NASCPP_EXPECT_THROW_WITH(opt->load_state(foreign->save_state()), DataError,
                           "cannot load a state saved by optimizer '" + other + "'");
  NASCPP_EXPECT_THROW_WITH(opt->load_state("{not json"), DataError, "not valid JSON");
  NASCPP_EXPECT_THROW_WITH(opt->load_state(R"({"optimizer": ")" + GetParam() +
                                           R"(", "space": "nasbench201", "state": {}})"),
                           DataError, "lacks the key");
  auto toy = std::make_shared<test::ToySpace>();
  auto on_toy = make(GetParam(), small_config(GetParam()));
  on_toy->attach(toy, &rng);
  NASCPP_EXPECT_THROW_WITH(opt->load_state(on_toy->save_state()), DataError,
                           "for search space 'toy'");
}

// load_state dumps the parsed "state" again; nlohmann's dump recurses once
// per level, and a million nested '[' overflowed the stack (SIGSEGV).
TEST_P(BlackBoxOptimizerTest, LoadStateRejectsDeeplyNestedJson) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(6);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  NASCPP_EXPECT_THROW_WITH(opt->load_state(R"({"optimizer": ")" + GetParam() +
                                           R"(", "space": "nasbench201", "state": )" + deep + "}"),
                           DataError, "JSON nested deeper than 64 levels");
}

TEST_P(BlackBoxOptimizerTest, TellAboutAnotherSpaceIsAnError) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(5);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  NASCPP_EXPECT_THROW_WITH(opt->tell(Architecture("toy", {1, 2, 3, 4}), EvaluationResult()), Error,
                           "architecture of space 'toy'");
}

INSTANTIATE_TEST_SUITE_P(Builtin, BlackBoxOptimizerTest,
                         ::testing::Values("bananas", "local_search", "random_search",
                                           "regularized_evolution"));

}  // namespace
}  // namespace nascpp

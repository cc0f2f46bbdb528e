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
  if (name == "bananas" || name == "npenas") {
    return "num_init: 5\nk: 5\npredictor: {epochs: 20, num_layers: 3}\n";
  }
  if (name == "bp") return "budget: 60\npredictor: {epochs: 20, num_layers: 3}\n";
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
  // 1 to 9 epochs (the score does not depend on them): multi-fidelity
  // optimizers get three budgets.
  FidelityRange fidelity_range() const override { return {1, 9, {}}; }
  bool simulated_cost() const override { return true; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t, Rng&) override {
    const Architecture& arch = trial.arch;
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
  for (const auto& e : result.evaluations) EXPECT_NO_THROW(space->validate(e.trial.arch));
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
  for (const auto& e : result.evaluations) EXPECT_NO_THROW(space->validate(e.trial.arch));
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
      const Trial a_trial = *opt.ask();
      const Architecture a = a_trial.arch;
      opt.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
      out.push_back(a);
    }
    return out;
  };
  Rng rng(3);
  auto first = make(GetParam(), small_config(GetParam()));
  first->attach(space, &rng);
  first->set_fidelities(Fidelity(), {1, 9, {}});  // as the loop would
  run(*first, rng, 23);
  const std::string state = first->save_state();
  const std::string rng_state = rng.state();
  const auto expected = run(*first, rng, 17);

  Rng rng2(99);
  auto second = make(GetParam(), small_config(GetParam()));
  second->attach(space, &rng2);
  second->set_fidelities(Fidelity(), {1, 9, {}});  // as the loop would
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

// The trial protocol: no tell of a trial never asked, told twice or changed;
// no ask past the in-flight limit; pending trials survive save/load.
TEST_P(BlackBoxOptimizerTest, TheTrialProtocolIsChecked) {
  auto space = std::make_shared<NasBench201Space>();
  Rng rng(5);
  auto opt = make(GetParam(), small_config(GetParam()));
  opt->attach(space, &rng);
  opt->set_fidelities(Fidelity(), {1, 9, {}});  // as the loop would
  Trial stranger;
  stranger.id = 0;
  stranger.arch = Architecture("toy", {1, 2, 3, 4});
  NASCPP_EXPECT_THROW_WITH(opt->tell(stranger, EvaluationResult()), Error, "never asked");
  opt->set_max_in_flight(2);
  const Trial t0 = *opt->ask();
  const Trial t1 = *opt->ask();
  EXPECT_EQ(t0.id, 0);
  EXPECT_EQ(t1.id, 1);
  // Single-fidelity optimizers ask for the loop's fidelity (full by default).
  const std::set<std::string> multi = {"asha", "bohb", "dehb", "hyperband", "successive_halving"};
  if (multi.count(GetParam()) == 0) {
    EXPECT_TRUE(t0.fidelity.names_full());
  }
  NASCPP_EXPECT_THROW_WITH(opt->ask(), Error, "2 trials pending");
  Trial changed = t1;
  changed.arch = space->mutate(t1.arch, rng);
  NASCPP_EXPECT_THROW_WITH(opt->tell(changed, EvaluationResult()), Error, "another architecture");
  // Results in any order.
  opt->tell(t1, test::result_of(50.0, 1.0));
  NASCPP_EXPECT_THROW_WITH(opt->tell(t1, EvaluationResult()), Error, "told already");
  EXPECT_EQ(opt->pending().size(), 1u);
  // t0 is still pending after a save and load into a fresh optimizer.
  Rng rng2(5);
  auto copy = make(GetParam(), small_config(GetParam()));
  copy->attach(space, &rng2);
  copy->set_fidelities(Fidelity(), {1, 9, {}});  // as the loop would
  copy->set_max_in_flight(2);
  copy->load_state(opt->save_state());
  ASSERT_EQ(copy->pending().count(0), 1u);
  EXPECT_EQ(copy->pending().at(0).arch, t0.arch);
  EXPECT_EQ(copy->trials_asked(), 2);
  copy->tell(t0, test::result_of(60.0, 1.0));
  EXPECT_TRUE(copy->pending().empty());
  // A failed result is a result like any other.
  const Trial t2 = *copy->ask();
  EXPECT_EQ(t2.id, 2);
  copy->tell(t2, EvaluationResult::failed_with("diverged"));
}

INSTANTIATE_TEST_SUITE_P(Builtin, BlackBoxOptimizerTest,
                         ::testing::Values("asha", "bananas", "bohb", "bp", "dehb", "hyperband",
                                           "local_search", "npenas", "random_search",
                                           "regularized_evolution", "successive_halving"));

}  // namespace
}  // namespace nascpp

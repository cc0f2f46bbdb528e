// Successive halving, Hyperband, BOHB, DEHB and ASHA on trials: the
// brackets' sizes against the paper's formula, evaluation counts per rung,
// promotions that continue the lower rung's trial, BOHB's model, DEHB's
// populations, ASHA never waiting.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "optimizers/multi_fidelity/asha.h"
#include "optimizers/multi_fidelity/bohb.h"
#include "optimizers/multi_fidelity/brackets.h"
#include "optimizers/multi_fidelity/dehb.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

// The toy objective, lower at fewer epochs; any budget from 1 to 81 epochs;
// cost = epochs paid.
class ToyBudgets : public Evaluator {
 public:
  explicit ToyBudgets(int64_t max_epochs = 81) : max_(max_epochs) {}
  std::string name() const override { return "toy_budgets"; }
  std::string objective_name() const override { return "score"; }
  std::vector<std::string> metric_names() const override { return {"score"}; }
  FidelityRange fidelity_range() const override { return {1, max_, {}}; }
  bool supports_continuation() const override { return true; }
  bool simulated_cost() const override { return true; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng&) override {
    EvaluationResult r;
    r.objective = test::ToyEvaluator::score(trial.arch) -
                  20.0 * std::log(static_cast<double>(max_) / static_cast<double>(epochs));
    r.metrics["score"] = r.objective;
    r.cost = static_cast<double>(trial.continues ? epochs - trial.continues->epochs : epochs);
    return r;
  }
  int64_t max_;
};

TEST(Hyperband, BracketSizesFollowThePaperAndHpBandSter) {
  // eta 3, R 81: Li et al.'s rounding, and HpBandSter's / DEHB's.
  EXPECT_EQ(hyperband_brackets(4, 3.0, /*paper=*/true),
            (std::vector<std::vector<int64_t>>{
                {81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}}));
  EXPECT_EQ(hyperband_brackets(4, 3.0, /*paper=*/false),
            (std::vector<std::vector<int64_t>>{
                {81, 27, 9, 3, 1}, {27, 9, 3, 1}, {9, 3, 1}, {6, 2}, {5}}));
  EXPECT_EQ(rung_budgets({1, 81, {}}, BracketOptions()), (std::vector<int64_t>{1, 3, 9, 27, 81}));
  // HpBandSter's example: min 12, max 200, eta 3 gives 22.2, 66.7, 200 (whole epochs here).
  EXPECT_EQ(rung_budgets({1, 200, {}}, BracketOptions().min_epochs(12)),
            (std::vector<int64_t>{22, 67, 200}));
  // A table's fidelities are the rungs: NAS-Bench-201 has two.
  EXPECT_EQ(rung_budgets({12, 200, {12, 200}}, BracketOptions()), (std::vector<int64_t>{12, 200}));
  NASCPP_EXPECT_THROW_WITH(rung_budgets({12, 200, {12, 200}}, BracketOptions().min_epochs(50).max_epochs(100)),
                           ConfigError, "no fidelity");
  NASCPP_EXPECT_THROW_WITH(BracketOptions().eta(1).validate(), ConfigError, "eta must be");
}

std::map<int64_t, int64_t> counts_per_budget(const SearchResult& r) {
  std::map<int64_t, int64_t> out;
  for (const auto& e : r.evaluations) ++out[e.result.epochs];
  return out;
}

// One Hyperband cycle (the five brackets) evaluates at each budget exactly
// what the formula says, and every promotion continues its lower trial.
TEST(Hyperband, EvaluationCountsPerRungEqualTheFormula) {
  for (bool paper : {true, false}) {
    auto space = std::make_shared<test::ToySpace>();
    Rng rng(3);
    Hyperband hb(BracketOptions().rounding(paper ? "paper" : "floor"));
    hb.attach(space, &rng);
    ToyBudgets eval;
    std::map<int64_t, int64_t> expected;
    int64_t total = 0;
    const std::vector<int64_t> budgets = {1, 3, 9, 27, 81};
    const auto brackets = hyperband_brackets(4, 3.0, paper);
    for (size_t b = 0; b < brackets.size(); ++b) {
      for (size_t i = 0; i < brackets[b].size(); ++i) {
        expected[budgets[b + i]] += brackets[b][i];
        total += brackets[b][i];
      }
    }
    const auto r = run_black_box(hb, eval, rng, SearchOptions().budget(Budget().max_queries(total)));
    EXPECT_EQ(counts_per_budget(r), expected) << (paper ? "paper" : "floor");
    EXPECT_EQ(hb.brackets_started(), 5);
    EXPECT_TRUE(hb.active().empty());
    std::map<int64_t, const Evaluation*> by_trial;
    for (const auto& e : r.evaluations) by_trial[e.trial.id] = &e;
    for (const auto& e : r.evaluations) {
      if (!e.trial.continues) continue;
      const Evaluation* before = by_trial.at(e.trial.continues->trial);
      EXPECT_EQ(before->trial.arch, e.trial.arch);
      EXPECT_EQ(before->result.epochs, e.trial.continues->epochs);
      EXPECT_LT(e.trial.continues->epochs, e.result.epochs);
      EXPECT_EQ(e.result.epochs_paid, e.result.epochs - e.trial.continues->epochs);
    }
  }
}

TEST(SuccessiveHalving, PromotesTheBestThirdRungByRung) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(4);
  SuccessiveHalving sh;
  sh.attach(space, &rng);
  ToyBudgets eval;
  const auto r = run_black_box(sh, eval, rng, SearchOptions().budget(Budget().max_queries(242)));
  // Two brackets of [81, 27, 9, 3, 1].
  EXPECT_EQ(counts_per_budget(r),
            (std::map<int64_t, int64_t>{{1, 162}, {3, 54}, {9, 18}, {27, 6}, {81, 2}}));
  // The 27 promoted from the first rung are its best 27 (ties: the earlier trial).
  std::vector<std::pair<double, int64_t>> first;
  std::set<int64_t> promoted;
  for (const auto& e : r.evaluations) {
    if (e.trial.id < 81) first.emplace_back(e.result.objective, e.trial.id);
    if (e.result.epochs == 3 && e.trial.continues && e.trial.continues->trial < 81) {
      promoted.insert(e.trial.continues->trial);
    }
  }
  std::sort(first.begin(), first.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  std::stable_sort(first.begin(), first.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::set<int64_t> best;
  for (size_t i = 0; i < 27; ++i) best.insert(first[i].second);
  EXPECT_EQ(promoted, best);
}

// ASHA never waits: with four simulated workers, each worker starts a new
// trial the moment its last one ends.
TEST(Asha, NeverWaitsWhileAWorkerIsFree) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(5);
  Asha asha;
  asha.attach(space, &rng);
  ToyBudgets eval;
  SimulatedExecutor exec(eval, 4);
  const auto r =
      run_black_box(asha, exec, eval, rng, SearchOptions().budget(Budget().max_queries(300)));
  ASSERT_EQ(r.evaluations.size(), 300u);
  std::vector<const Evaluation*> by_trial;
  for (const auto& e : r.evaluations) by_trial.push_back(&e);
  std::sort(by_trial.begin(), by_trial.end(),
            [](const Evaluation* a, const Evaluation* b) { return a->trial.id < b->trial.id; });
  std::map<int64_t, double> free_at;
  for (const Evaluation* e : by_trial) {
    auto it = free_at.find(e->worker);
    EXPECT_DOUBLE_EQ(e->start_s, it == free_at.end() ? 0.0 : it->second) << e->trial.id;
    free_at[e->worker] = e->end_s;
  }
  // It promoted up to the top rung, each promotion continuing a trial.
  EXPECT_GT(counts_per_budget(r)[81], 0);
  for (const auto& e : r.evaluations) {
    if (e.result.epochs > 1) {
      ASSERT_TRUE(e.trial.continues.has_value());
    }
  }
}

// BOHB fits a budget's model once both densities have more points than
// choices: 2(d + 1) observations; afterwards it proposes from the model.
TEST(Bohb, UsesItsModelOnceABudgetHasEnoughPoints) {
  auto space = std::make_shared<test::ToySpace>();  // d = 4 choices
  Rng rng(6);
  Bohb bohb;
  bohb.attach(space, &rng);
  ToyBudgets eval;
  run_black_box(bohb, eval, rng, SearchOptions().budget(Budget().max_queries(400)));
  ASSERT_EQ(bohb.first_model_at().count(1), 1u);
  EXPECT_EQ(bohb.first_model_at().at(1), 10);
  EXPECT_GT(bohb.model_based_picks(), 0);
  EXPECT_GT(bohb.random_picks(), 0);
  NASCPP_EXPECT_THROW_WITH(BohbOptions().top_n_percent(0).validate(), ConfigError, "top_n_percent");
}

TEST(Dehb, NeedsTwoBudgets) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(8);
  Dehb dehb;
  dehb.attach(space, &rng);
  ToyBudgets eval(1);
  NASCPP_EXPECT_THROW_WITH(
      run_black_box(dehb, eval, rng, SearchOptions().budget(Budget().max_queries(5))), ConfigError,
      "at least two budgets");
}

TEST(Dehb, EvolvesOneSubpopulationPerBudget) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(7);
  Dehb dehb;
  dehb.attach(space, &rng);
  ToyBudgets eval;
  const auto r = run_black_box(dehb, eval, rng, SearchOptions().budget(Budget().max_queries(500)));
  ASSERT_EQ(r.evaluations.size(), 500u);
  // Floor rounding: subpopulations of the largest rung per budget.
  std::map<int64_t, size_t> sizes;
  for (const auto& [epochs, pop] : dehb.populations()) sizes[epochs] = pop.size();
  EXPECT_EQ(sizes, (std::map<int64_t, size_t>{{1, 81}, {3, 27}, {9, 9}, {27, 6}, {81, 5}}));
  EXPECT_GT(dehb.replacements(), 100);
  // DEHB evaluates every configuration from scratch.
  for (const auto& e : r.evaluations) EXPECT_FALSE(e.trial.continues.has_value());
  ASSERT_NE(r.incumbent(), nullptr);
  EXPECT_GE(r.incumbent()->result.objective, 90.0);
}

}  // namespace
}  // namespace nascpp

#include "optimizers/local_search/local_search.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

TEST(LocalSearch, EvaluatesTheNeighbourhoodOfTheBestThenMovesToTheBestNeighbour) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(5);
  LocalSearch ls(LocalSearchOptions().num_init(3));
  ls.attach(space, &rng);
  test::ToyEvaluator eval;
  std::vector<std::pair<Architecture, double>> told;
  for (int i = 0; i < 3; ++i) {
    const Trial a_trial = *ls.ask();
    const Architecture a = a_trial.arch;
    told.emplace_back(a, test::ToyEvaluator::score(a));
    ls.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
  }
  auto best = *std::max_element(told.begin(), told.end(),
                                [](const auto& x, const auto& y) { return x.second < y.second; });
  // The next proposals: the best one's neighbours not yet evaluated, each once.
  const auto nbhd = space->neighbours(best.first);
  std::set<Architecture> expected(nbhd.begin(), nbhd.end());
  for (const auto& t : told) expected.erase(t.first);
  std::set<Architecture> got;
  const size_t n = expected.size();
  Architecture best_neighbour;
  double best_value = -1e9;
  for (size_t i = 0; i < n; ++i) {
    const Trial a_trial = *ls.ask();
    const Architecture a = a_trial.arch;
    EXPECT_TRUE(expected.count(a))
        << space->format(a) << " is not a neighbour of " << space->format(best.first);
    EXPECT_TRUE(got.insert(a).second);
    const double v = test::ToyEvaluator::score(a);
    if (v > best_value) {
      best_value = v;
      best_neighbour = a;
    }
    ls.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
  }
  // Every non-optimal toy architecture has an improving neighbour: LS moved.
  ASSERT_GT(best_value, best.second);
  ls.ask();
  EXPECT_EQ(ls.current(), best_neighbour);
}

TEST(LocalSearch, RestartsAtALocalOptimum) {
  // At the toy optimum no neighbour improves, so local search restarts.
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(6);
  LocalSearch ls(LocalSearchOptions().num_init(1));
  ls.attach(space, &rng);
  test::ToyEvaluator eval;
  int64_t queries = 0;
  while (ls.restarts() == 0 && queries < 400) {
    const Trial a_trial = *ls.ask();
    const Architecture a = a_trial.arch;
    ls.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
    ++queries;
  }
  EXPECT_EQ(ls.restarts(), 1);
  EXPECT_EQ(space->format(ls.current()), "3142");  // the descent ended at the optimum
}

TEST(LocalSearch, BadOptionIsAConfigError) {
  auto cfg = ConfigNode::parse("num_init: 0\n");
  NASCPP_EXPECT_THROW_WITH(LocalSearch::from_config(cfg), ConfigError,
                           "num_init must be >= 1, got 0");
}

}  // namespace
}  // namespace nascpp

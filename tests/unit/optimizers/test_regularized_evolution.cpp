#include "optimizers/regularized_evolution/regularized_evolution.h"

#include <gtest/gtest.h>

#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

int differing_positions(const Architecture& a, const Architecture& b) {
  int d = 0;
  for (size_t i = 0; i < a.encoding().size(); ++i) d += a.encoding()[i] != b.encoding()[i];
  return d;
}

TEST(RegularizedEvolution, AgingPopulationAndMutatedChildren) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(3);
  RegularizedEvolution re(RegularizedEvolutionOptions().population_size(8).sample_size(3));
  re.attach(space, &rng);
  test::ToyEvaluator eval;
  std::vector<Architecture> told;
  for (int i = 0; i < 40; ++i) {
    const auto population = re.population();  // before this proposal
    const Trial a_trial = *re.ask();
    const Architecture a = a_trial.arch;
    if (i >= 8) {
      // A child differs in exactly one position from some member.
      bool child = false;
      for (const auto& m : population) child = child || differing_positions(m.arch, a) == 1;
      EXPECT_TRUE(child) << "query " << i << " is not a mutation of the population";
    }
    re.tell(a_trial, eval.evaluate(a, Fidelity(), rng));
    told.push_back(a);
    ASSERT_EQ(re.population().size(), std::min<size_t>(told.size(), 8));
    // The population is the last 8 told, oldest first (aging, not culling).
    EXPECT_EQ(re.population().back().arch, a);
    EXPECT_EQ(re.population().front().arch, told[told.size() - re.population().size()]);
  }
}

TEST(RegularizedEvolution, TournamentOfOneIsAMutationOfARandomMember) {
  // sample_size 1 still proposes mutations, of members drawn uniformly.
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(4);
  RegularizedEvolution re(RegularizedEvolutionOptions().population_size(2).sample_size(1));
  re.attach(space, &rng);
  re.set_max_in_flight(1000);
  // The two initial (random) members, far apart: a mutation of one is never
  // a neighbour of the other.
  const Trial first = *re.ask();
  const Trial second = *re.ask();
  const Architecture a = first.arch;
  ASSERT_GE(differing_positions(a, second.arch), 3);
  re.tell(first, test::result_of(1.0, 0.0));
  re.tell(second, test::result_of(2.0, 0.0));
  int near_a = 0;
  for (int i = 0; i < 400; ++i) {
    const Trial c_trial = *re.ask();
    const Architecture c = c_trial.arch;
    near_a += differing_positions(c, a) == 1;
  }
  EXPECT_NEAR(near_a, 200, 4 * 10);
}

TEST(RegularizedEvolution, BadOptionsAreConfigErrors) {
  NASCPP_EXPECT_THROW_WITH(RegularizedEvolution(RegularizedEvolutionOptions().population_size(0)),
                           ConfigError, "population_size must be >= 1, got 0");
  auto cfg = ConfigNode::parse("sample_size: -2\n");
  NASCPP_EXPECT_THROW_WITH(RegularizedEvolution::from_config(cfg), ConfigError,
                           "sample_size must be >= 1, got -2");
}

}  // namespace
}  // namespace nascpp

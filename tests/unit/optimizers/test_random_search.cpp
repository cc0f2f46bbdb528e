#include "optimizers/random_search/random_search.h"

#include <gtest/gtest.h>

#include <set>

#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

TEST(RandomSearch, ProposesEveryArchitectureOfAFiniteSpaceOnceThenStops) {
  auto space = std::make_shared<test::ToySpace>();
  Rng rng(7);
  RandomSearch rs;
  rs.attach(space, &rng);
  rs.set_max_in_flight(1000);  // asked without results: random search needs none
  std::set<Architecture> seen;
  for (int i = 0; i < 625; ++i) {
    const Trial a_trial = *rs.ask();
    const Architecture a = a_trial.arch;
    EXPECT_TRUE(seen.insert(a).second) << "repeat at query " << i;
  }
  EXPECT_EQ(seen.size(), 625u);
  NASCPP_EXPECT_THROW_WITH(rs.ask(), Error, "proposed all 625 architectures");
}

TEST(RandomSearch, DrawsAreUniform) {
  // Position 0 of the first proposal over many seeds: each value ~1/5.
  auto space = std::make_shared<test::ToySpace>();
  std::vector<int> counts(5, 0);
  const int runs = 5000;
  for (int s = 0; s < runs; ++s) {
    Rng rng(s);
    RandomSearch rs;
    rs.attach(space, &rng);
    counts[rs.ask()->arch.encoding()[0]]++;
  }
  for (int c : counts) EXPECT_NEAR(c, runs / 5.0, 4 * std::sqrt(runs * 0.2 * 0.8));
}

TEST(RandomSearch, BadOptionIsAConfigError) {
  NASCPP_EXPECT_THROW_WITH(RandomSearch(RandomSearchOptions().max_attempts(0)), ConfigError,
                           "max_attempts must be >= 1, got 0");
}

}  // namespace
}  // namespace nascpp

#include "nascpp/search.h"

#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nascpp/core/io.h"
#include "optimizers/random_search/random_search.h"
#include "support/test_support.h"
#include "support/toy_space.h"

namespace nascpp {
namespace {

struct Fixture {
  std::shared_ptr<test::ToySpace> space = std::make_shared<test::ToySpace>();
  Rng rng{12};
  RandomSearch rs;
  test::ToyEvaluator eval;
  Fixture() { rs.attach(space, &rng); }
};

TEST(RunBlackBox, StopsAtTheQueryBudgetAndTracksTheIncumbent) {
  Fixture f;
  const auto r =
      run_black_box(f.rs, f.eval, f.rng, SearchOptions().budget(Budget().max_queries(40)));
  ASSERT_EQ(r.evaluations.size(), 40u);
  EXPECT_EQ(r.stop_reason, "max_queries");
  double best = -1e9;
  for (size_t i = 0; i < r.evaluations.size(); ++i) {
    const auto& e = r.evaluations[i];
    EXPECT_EQ(e.query, static_cast<int64_t>(i));
    EXPECT_DOUBLE_EQ(e.cumulative_cost, static_cast<double>(i + 1));
    best = std::max(best, e.result.objective);
    EXPECT_DOUBLE_EQ(r.evaluations[r.incumbent_trajectory[i]].result.objective, best);
  }
  EXPECT_DOUBLE_EQ(r.incumbent()->result.objective, best);
  EXPECT_EQ(r.incumbent_at(1), &r.evaluations[0]);
  EXPECT_EQ(r.incumbent_at(0), nullptr);
}

TEST(RunBlackBox, SimulatedAndWallBudgets) {
  Fixture f;
  const auto r =
      run_black_box(f.rs, f.eval, f.rng, SearchOptions().budget(Budget().max_simulated_s(7.5)));
  EXPECT_EQ(r.evaluations.size(), 8u);  // the 8th crosses 7.5 s and still counts
  EXPECT_EQ(r.stop_reason, "max_simulated_s");
  Fixture g;
  const auto w = run_black_box(g.rs, g.eval, g.rng,
                               SearchOptions().budget(Budget().max_wall_s(1e-9).max_queries(100)));
  EXPECT_LE(w.evaluations.size(), 1u);
  EXPECT_EQ(w.stop_reason, "max_wall_s");
  Fixture h;
  const auto c =
      run_black_box(h.rs, h.eval, h.rng, SearchOptions().budget(Budget().max_queries(50)),
                    [](const SearchResult& s) { return s.evaluations.size() < 5; });
  EXPECT_EQ(c.evaluations.size(), 5u);
  EXPECT_EQ(c.stop_reason, "callback");
}

TEST(RunBlackBox, InfeasibleEvaluationsNeverBecomeTheIncumbent) {
  Fixture f;
  const auto r =
      run_black_box(f.rs, f.eval, f.rng,
                    SearchOptions().budget(Budget().max_queries(200)).constraints({{"size", 6.0}}));
  bool any_infeasible = false;
  for (size_t i = 0; i < r.evaluations.size(); ++i) {
    const auto& e = r.evaluations[i];
    EXPECT_EQ(e.feasible, e.result.metrics.at("size") <= 6.0);
    any_infeasible = any_infeasible || !e.feasible;
    const auto* inc = r.incumbent_at(static_cast<int64_t>(i + 1));
    if (inc != nullptr) {
      EXPECT_TRUE(inc->feasible);
    }
  }
  EXPECT_TRUE(any_infeasible);
  // The unconstrained optimum 3142 has size 10: the incumbent is not it.
  ASSERT_NE(r.incumbent(), nullptr);
  EXPECT_LE(r.incumbent()->result.metrics.at("size"), 6.0);
}

TEST(RunBlackBox, ConfigErrors) {
  Fixture f;
  NASCPP_EXPECT_THROW_WITH(run_black_box(f.rs, f.eval, f.rng, SearchOptions()), ConfigError,
                           "sets no limit");
  NASCPP_EXPECT_THROW_WITH(
      run_black_box(f.rs, f.eval, f.rng,
                    SearchOptions().budget(Budget().max_queries(3)).constraints({{"latency", 1}})),
      ConfigError, "score, size");
  auto cfg = ConfigNode::parse(
      "max_params_mb: 0.5\nlatency_device: pixel3\nmax_latency_ms: 12\n"
      "metrics: [{metric: flops, max: 100}]\n");
  const auto cs = constraints_from_config(cfg);
  cfg.finish();
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0].metric, "params_mb");
  EXPECT_EQ(cs[1].metric, "latency_ms.pixel3");
  EXPECT_DOUBLE_EQ(cs[1].max_value, 12.0);
  EXPECT_EQ(cs[2].metric, "flops");
  auto half = ConfigNode::parse("max_latency_ms: 12\n");
  NASCPP_EXPECT_THROW_WITH(constraints_from_config(half), ConfigError, "go together");
  auto budget = ConfigNode::parse("max_queries: -1\n");
  NASCPP_EXPECT_THROW_WITH(Budget::from_config(budget), ConfigError, "got -1");
}

TEST(RunBlackBox, InfiniteOrNanLimitsAreRejected) {
  // An infinite wall or cost limit as the only limit never stopped the loop.
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  NASCPP_EXPECT_THROW_WITH(Budget().max_wall_s(inf).validate(), ConfigError,
                           "budget max_wall_s must be a finite number >= 0 (0: no limit), got inf");
  NASCPP_EXPECT_THROW_WITH(Budget().max_simulated_s(inf).max_queries(5).validate(), ConfigError,
                           "budget max_simulated_s must be a finite number");
  NASCPP_EXPECT_THROW_WITH(Budget().max_wall_s(nan).validate(), ConfigError, "got nan");
  Fixture f;
  NASCPP_EXPECT_THROW_WITH(
      run_black_box(f.rs, f.eval, f.rng, SearchOptions().budget(Budget().max_wall_s(inf))),
      ConfigError, "max_wall_s must be a finite number");
  auto cfg = ConfigNode::parse("max_wall_s: .inf\n");
  NASCPP_EXPECT_THROW_WITH(Budget::from_config(cfg), ConfigError,
                           "config key 'max_wall_s': expected a finite number, got '.inf'");
  auto constraint = ConfigNode::parse("metrics: [{metric: flops, max: .inf}]\n");
  NASCPP_EXPECT_THROW_WITH(constraints_from_config(constraint), ConfigError,
                           "max of 'flops' must be a finite number");
}

TEST(RunBlackBox, AHugeQueryBudgetReservesNoMemoryUpFront) {
  // max_queries 10^15 with a cost limit that stops after 8 queries: the
  // loop used to reserve room for 10^15 evaluations first (std::bad_alloc).
  Fixture f;
  const auto r = run_black_box(
      f.rs, f.eval, f.rng,
      SearchOptions().budget(Budget().max_queries(1000000000000000).max_simulated_s(7.5)));
  EXPECT_EQ(r.evaluations.size(), 8u);
  EXPECT_EQ(r.stop_reason, "max_simulated_s");
}

Evaluation point(int64_t q, double objective, double cost) {
  Evaluation e;
  e.query = q;
  e.trial.arch = Architecture("toy", {static_cast<int32_t>(q), 0, 0, 0});
  e.result.objective = objective;
  e.result.metrics["latency"] = cost;
  return e;
}

TEST(ParetoFront, KeepsExactlyTheNonDominatedPoints) {
  // (objective, latency): 0 (90, 5) dominated by 2 (92, 4); 1 (80, 1) on the
  // front; 3 (92, 4) duplicate of 2, later: dropped; 4 (95, 9) on; 5 (70, 1)
  // dominated by 1; 6 (95, 10) dominated by 4.
  std::vector<Evaluation> h = {point(0, 90, 5), point(1, 80, 1), point(2, 92, 4), point(3, 92, 4),
                               point(4, 95, 9), point(5, 70, 1), point(6, 95, 10)};
  EXPECT_EQ(pareto_front(h, "latency"), (std::vector<size_t>{1, 2, 4}));
  NASCPP_EXPECT_THROW_WITH(pareto_front(h, "params"), ConfigError, "params");

  test::TempDir dir;
  test::ToySpace space;
  auto fmt = [&space](const Architecture& a) { return space.format(a); };
  write_pareto_csv(dir.file("front.csv"), h, {1, 2, 4}, "latency", fmt);
  EXPECT_EQ(read_file(dir.file("front.csv")),
            "query,arch,objective,latency,feasible\n1,\"1000\",80,1,1\n2,\"2000\",92,4,1\n"
            "4,\"4000\",95,9,1\n");
  write_pareto_json(dir.file("front.json"), h, {1, 2, 4}, "latency", fmt);
  const auto j = nlohmann::json::parse(read_file(dir.file("front.json")));
  EXPECT_EQ(j["front"].size(), 3u);
  EXPECT_EQ(j["front"][2]["arch"], "4000");
  EXPECT_EQ(j["front"][2]["latency"], 9.0);
}

}  // namespace
}  // namespace nascpp

// The example search configurations (examples/configs/search_nb201_*.yaml)
// build through the registries with no unknown key, and run: the incumbent
// respects the parameter constraint and the Pareto front is written.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nascpp/core/io.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

class SearchConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SearchConfigTest, BuildsAndRuns) {
  NASCPP_REQUIRE_DATA_DIR();
  const std::string path = std::string(NASCPP_TEST_SOURCE_DIR) + "/examples/configs/search_nb201_" +
                           GetParam() + ".yaml";
  auto cfg = ConfigNode::load_file(path);
  cfg.apply_override("evaluator.data_dir=" + test::data_dir());
  if (GetParam() == "bananas") {
    // Keep the suite fast: fewer queries and a shorter MLP fit.
    cfg.apply_override("budget.max_queries=30");
    cfg.apply_override("optimizer.predictor.epochs=30");
  }
  Rng rng(cfg.get<uint64_t>("seed", 0));
  auto space_cfg = cfg.section("search_space");
  auto space = search_space_registry().create(space_cfg.get<std::string>("name", ""), space_cfg);
  auto opt_cfg = cfg.section("optimizer");
  auto optimizer = optimizer_registry().create(opt_cfg.get<std::string>("name", ""), opt_cfg);
  auto eval_cfg = cfg.section("evaluator");
  auto evaluator =
      evaluator_registry().create(eval_cfg.get<std::string>("name", ""), eval_cfg, space);
  auto budget_cfg = cfg.section("budget");
  const Budget budget = Budget::from_config(budget_cfg);
  auto constraint_cfg = cfg.section("constraints");
  const auto constraints = constraints_from_config(constraint_cfg);
  auto pareto_cfg = cfg.section("pareto");
  const std::string pareto_metric = pareto_cfg.get<std::string>("metric", "params_mb");
  cfg.finish();

  auto& bb = dynamic_cast<BlackBoxOptimizer&>(*optimizer);
  bb.attach(space, &rng);
  const auto result =
      run_black_box(bb, *evaluator, rng, SearchOptions().budget(budget).constraints(constraints));
  EXPECT_EQ(static_cast<int64_t>(result.evaluations.size()), budget.max_queries());
  ASSERT_NE(result.incumbent(), nullptr);
  EXPECT_LE(result.incumbent()->result.metrics.at("params_mb"), 1.0);
  const auto front = pareto_front(result.evaluations, pareto_metric);
  ASSERT_FALSE(front.empty());
  test::TempDir dir;
  write_pareto_json(dir.file("pareto.json"), result.evaluations, front, pareto_metric,
                    [&space](const Architecture& a) { return space->format(a); });
  const auto j = nlohmann::json::parse(read_file(dir.file("pareto.json")));
  EXPECT_EQ(j["front"].size(), front.size());
  EXPECT_EQ(j["cost_metric"], "latency_ms.pixel3");
}

INSTANTIATE_TEST_SUITE_P(Examples, SearchConfigTest,
                         ::testing::Values("bananas", "local_search", "random_search",
                                           "regularized_evolution"));

}  // namespace
}  // namespace nascpp

// A search space declared only in YAML (search_space: {name: graph, ...})
// searched end to end: by regularized evolution with real training, and by
// DARTS through its supernet, both through run_experiment as `nascpp run`
// does it.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "nascpp/core/config.h"
#include "nascpp/core/io.h"
#include "nascpp/experiment.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/registries.h"
#include "support/experiment_support.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Json = nlohmann::json;

// Three mixed edges over three ops: 27 cells, a supernet of [3, 3] alphas.
constexpr const char* kSpace = R"(
search_space:
  name: graph
  label: tiny_cell
  nodes:
    - {name: "0", role: input}
    - {name: "1"}
    - {name: "2", role: output}
  edges:
    - {from: "0", to: "1", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "0", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "1", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
  skeleton: {channels: 4, stages: 2, cells_per_stage: 1}
)";

// The space of kSpace, read as the run reads it.
std::shared_ptr<const GraphSearchSpace> declared_space() {
  auto section = ConfigNode::parse(kSpace).section("search_space");
  return GraphSearchSpace::from_config(section);
}

TEST(GraphSpaceSearch, RegularizedEvolutionWithTrainingOnAYamlSpace) {
  test::TempDir tmp;
  auto cfg = ConfigNode::parse(std::string(kSpace) + R"(
seed: 3
optimizer: {name: regularized_evolution, population_size: 4, sample_size: 2}
evaluator:
  name: training
  dataset: fashion_mnist
  validation_fraction: 0.01
  train: {epochs: 1, batch_size: 64, learning_rate: 0.05, train_limit: 128, device: cpu,
          log_every: 0}
budget: {max_queries: 8}
)");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "complete") << s.status_reason;
  EXPECT_EQ(s.steps, 8);
  const auto space = declared_space();
  // Every evaluated architecture is a member of the declared space, and
  // evolution's children (after the 4 random ones) are one mutation from a
  // parent already evaluated.
  const auto lines = read_complete_lines(tmp.file("run/results.jsonl"));
  ASSERT_EQ(lines.size(), 8u);
  std::vector<Architecture> seen;
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto arch = space->parse(Json::parse(lines[i]).at("arch").get<std::string>());
    if (i >= 4) {
      bool child = false;
      for (const auto& parent : seen) {
        for (const auto& n : space->neighbours(parent)) child = child || n == arch;
      }
      EXPECT_TRUE(child) << lines[i];
    }
    seen.push_back(arch);
  }
  EXPECT_NO_THROW(space->parse(s.architecture));
}

TEST(GraphSpaceSearch, DartsSearchesTheSupernetOfAYamlSpace) {
  test::TempDir tmp;
  auto cfg = ConfigNode::parse(std::string(kSpace) + R"(
seed: 0
optimizer: {name: darts, epochs: 2, batch_size: 32, train_portion: 0.5, second_order: false}
dataset: {name: fashion_mnist}
search: {device: cpu, train_limit: 256}
)");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "complete") << s.status_reason;
  EXPECT_EQ(s.steps, 2);
  const auto space = declared_space();
  // The derived cell is one of the 27, written in the space's own form.
  const auto arch = space->parse(s.architecture);
  EXPECT_EQ(space->format(arch), s.architecture);
}

// GDAS (one sampled op per edge, every edge run) on a space whose output
// keeps two of its three incoming edges: the derived cell keeps exactly two.
TEST(GraphSpaceSearch, GdasSearchesAYamlSpaceThatChoosesInputs) {
  test::TempDir tmp;
  const std::string experiment = R"(
seed: 1
search_space:
  name: graph
  label: keep_two
  nodes:
    - {name: "0", role: input}
    - {name: "1"}
    - {name: "2"}
    - {name: "3", role: output, choose_inputs: 2}
  edges:
    - {from: "0", to: "1", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "1", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "0", to: "3", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "1", to: "3", ops: [none, skip_connect, nor_conv_3x3]}
    - {from: "2", to: "3", ops: [none, skip_connect, nor_conv_3x3]}
  skeleton: {channels: 4, stages: 2, cells_per_stage: 1}
optimizer: {name: gdas, epochs: 2, batch_size: 32, train_portion: 0.5}
dataset: {name: fashion_mnist}
search: {device: cpu, train_limit: 256}
)";
  auto cfg = ConfigNode::parse(experiment);
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "complete") << s.status_reason;
  auto section = ConfigNode::parse(experiment).section("search_space");
  const auto space = GraphSearchSpace::from_config(section);
  const auto arch = space->parse(s.architecture);  // validates: exactly two kept
  EXPECT_EQ(space->format(arch), s.architecture);
  // Two kept edges into "3", neither `none` (DARTS' derivation rule).
  const std::string last = s.architecture.substr(s.architecture.rfind('+') + 1);
  EXPECT_EQ(std::count(last.begin(), last.end(), '~'), 2) << s.architecture;
  EXPECT_EQ(last.find("none"), std::string::npos) << s.architecture;
}

// NAS-Bench-201's cell declared in YAML under the benchmark's name is the
// built-in space: the tabular benchmark answers for it, and regularized
// evolution proposes the very same architectures, query for query.
TEST(GraphSpaceSearch, NasBench201DeclaredInYamlSearchesTheBenchmarkLikeTheBuiltIn) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string rest = R"(
seed: 4
optimizer: {name: regularized_evolution, population_size: 20, sample_size: 5}
evaluator: {name: tabular, benchmark: nasbench201, data_dir: ')" +
                           test::data_dir() + R"(', dataset: cifar10-valid}
budget: {max_queries: 60}
)";
  std::string edges;
  for (const auto& [from, to] :
       {std::pair{"0", "1"}, {"0", "2"}, {"1", "2"}, {"0", "3"}, {"1", "3"}, {"2", "3"}}) {
    edges += std::string("    - {from: \"") + from + "\", to: \"" + to +
             "\", ops: [none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3]}\n";
  }
  auto declared = ConfigNode::parse(R"(
search_space:
  name: graph
  label: nasbench201
  nodes: [{name: "0", role: input}, {name: "1"}, {name: "2"}, {name: "3", role: output}]
  edges:
)" + edges + rest);
  auto builtin = ConfigNode::parse("search_space: {name: nasbench201}\n" + rest);
  const auto a = run_experiment(declared, ExperimentOptions().run_dir(tmp.file("declared")));
  const auto b = run_experiment(builtin, ExperimentOptions().run_dir(tmp.file("builtin")));
  EXPECT_EQ(a.status, "complete") << a.status_reason;
  EXPECT_EQ(a.architecture, b.architecture);
  const auto lines_a = read_complete_lines(tmp.file("declared/results.jsonl"));
  const auto lines_b = read_complete_lines(tmp.file("builtin/results.jsonl"));
  ASSERT_EQ(lines_a.size(), 60u);
  ASSERT_EQ(lines_b.size(), 60u);
  for (size_t i = 0; i < lines_a.size(); ++i) {
    const auto ja = Json::parse(lines_a[i]);
    const auto jb = Json::parse(lines_b[i]);
    EXPECT_EQ(ja.at("arch"), jb.at("arch")) << i;
    EXPECT_EQ(ja.at("objective"), jb.at("objective")) << i;
  }
}

// The example experiment on a space of one's own runs through run_experiment
// as `nascpp run examples/custom_search_space/search.yaml` does it, and its
// space is the one examples/custom_search_space/main.cpp declares in C++.
TEST(GraphSpaceSearch, TheCustomSearchSpaceExampleFileRuns) {
  test::TempDir tmp;
  auto cfg = ConfigNode::load_file(std::string(NASCPP_TEST_SOURCE_DIR) +
                                   "/examples/custom_search_space/search.yaml");
  cfg.apply_override("budget.max_queries=3");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "complete") << s.status_reason;
  EXPECT_EQ(s.steps, 3);
  auto again = ConfigNode::load_file(std::string(NASCPP_TEST_SOURCE_DIR) +
                                     "/examples/custom_search_space/search.yaml");
  auto section = again.section("search_space");
  const auto space = GraphSearchSpace::from_config(section);
  EXPECT_EQ(space->name(), "four_node");
  EXPECT_EQ(space->size(), std::optional<uint64_t>(243));
  EXPECT_EQ(space->graph().edges().size(), 5u);
  EXPECT_EQ(space->format(space->parse(s.architecture)), s.architecture);
}

}  // namespace
}  // namespace nascpp

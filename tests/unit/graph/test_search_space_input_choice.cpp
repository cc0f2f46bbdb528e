// GraphSearchSpace with a choice of incoming edges (Node::choose_inputs, as in
// DARTS' cells: a node keeps k of its incoming edges, each with one of the
// candidates). Every derived operation is checked against spaces small enough
// to enumerate by hand.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/network.h"
#include "nascpp/registries.h"
#include "nascpp/supernet.h"
#include "support/graph_spaces.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// Node "1" takes the input through a choice of {skip_connect, nor_conv_1x1};
// the output "2" keeps one of its two incoming edges (from "0" or "1"), with
// skip_connect or nor_conv_3x3 on it: 2 x (2 edges x 2 ops) = 8 cells.
Graph keep_one_cell() {
  const std::vector<std::string> ops = {"skip_connect", "nor_conv_3x3"};
  Graph g;
  g.add_input("0").add_node("1").add_output("2");
  g.add_edge("0", "1", OpSlot::mixed({"skip_connect", "nor_conv_1x1"}))
      .add_edge("0", "2", OpSlot::mixed(ops))
      .add_edge("1", "2", OpSlot::mixed(ops));
  g.choose_inputs("2", 1);
  return g;
}

// The 8 cells in dense-id order, written out by hand: the edge 0 -> 1 is the
// most significant digit; then the output's configurations in lexicographic
// order of (edge 0 -> 2, edge 1 -> 2), each an op index or 2 for dropped:
// (0, 2), (1, 2), (2, 0), (2, 1).
const std::vector<std::string>& keep_one_strings() {
  static const std::vector<std::string> strings = {
      "|skip_connect~0|+|skip_connect~0|", "|skip_connect~0|+|nor_conv_3x3~0|",
      "|skip_connect~0|+|skip_connect~1|", "|skip_connect~0|+|nor_conv_3x3~1|",
      "|nor_conv_1x1~0|+|skip_connect~0|", "|nor_conv_1x1~0|+|nor_conv_3x3~0|",
      "|nor_conv_1x1~0|+|skip_connect~1|", "|nor_conv_1x1~0|+|nor_conv_3x3~1|",
  };
  return strings;
}

TEST(GraphSearchSpaceInputChoice, EnumeratesTheHandListedCellsInDenseIdOrder) {
  const GraphSearchSpace space("keep_one", keep_one_cell(), test::small_skeleton());
  EXPECT_EQ(space.size(), std::optional<uint64_t>(8));
  EXPECT_EQ(space.text_form(), "|op~0|+|op~{0,1}|");
  EXPECT_EQ(space.choice_cardinalities(), (std::vector<int32_t>{2, 3, 3}));
  const auto all = space.enumerate();
  ASSERT_EQ(all.size(), 8u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(space.format(all[i]), keep_one_strings()[i]) << i;
    EXPECT_EQ(space.parse(keep_one_strings()[i]), all[i]) << i;
    EXPECT_EQ(space.dense_id(all[i]), i);
    EXPECT_EQ(space.from_dense_id(i), all[i]);
    EXPECT_EQ(space.from_choices(space.choices_of(all[i])), all[i]);
  }
  // The encoding: an op index per slot, 2 (the candidates) for the dropped edge.
  EXPECT_EQ(all[2].encoding(), (std::vector<int32_t>{0, 2, 0}));
  // Kept edges in any order parse to the same cell.
  EXPECT_EQ(space.parse("|skip_connect~0|+|nor_conv_3x3~1|"), all[3]);
}

TEST(GraphSearchSpaceInputChoice, NeighboursAreTheHandListedSingleChanges) {
  const GraphSearchSpace space("keep_one", keep_one_cell(), test::small_skeleton());
  const auto all = space.enumerate();
  // From cell 0: the op of 0 -> 1 (cell 4); the kept edge's other op (cell 1);
  // the kept edge moved with its op to 1 -> 2 (cell 2).
  EXPECT_EQ(space.neighbours(all[0]), (std::vector<Architecture>{all[4], all[1], all[2]}));
  // From cell 7: 0 -> 1 back to skip (cell 3); the kept 1 -> 2 to skip
  // (cell 6); it moves to 0 -> 2 with nor_conv_3x3 (cell 5).
  EXPECT_EQ(space.neighbours(all[7]), (std::vector<Architecture>{all[3], all[6], all[5]}));
  // Mutations are neighbours, each reached; the position is drawn first
  // (1/2 each), then one of its changes: 1/2, 1/4, 1/4.
  Rng rng(3);
  std::map<std::string, int> counts;
  for (int i = 0; i < 4000; ++i) ++counts[space.format(space.mutate(all[0], rng))];
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_NEAR(counts[keep_one_strings()[4]], 2000, 150);
  EXPECT_NEAR(counts[keep_one_strings()[1]], 1000, 120);
  EXPECT_NEAR(counts[keep_one_strings()[2]], 1000, 120);
}

TEST(GraphSearchSpaceInputChoice, SamplingIsUniformOverTheCells) {
  const GraphSearchSpace space("keep_one", keep_one_cell(), test::small_skeleton());
  Rng rng(11);
  std::map<std::string, int> counts;
  for (int i = 0; i < 8000; ++i) ++counts[space.format(space.sample(rng))];
  ASSERT_EQ(counts.size(), 8u);
  for (const auto& [text, n] : counts) EXPECT_NEAR(n, 1000, 130) << text;
}

TEST(GraphSearchSpaceInputChoice, ChoicesOutsideTheInputRuleAreRejected) {
  const GraphSearchSpace space("keep_one", keep_one_cell(), test::small_skeleton());
  EXPECT_FALSE(space.from_choices({0, 0, 0}).has_value());  // keeps both
  EXPECT_FALSE(space.from_choices({0, 2, 2}).has_value());  // keeps neither
  EXPECT_FALSE(space.from_choices({2, 0, 2}).has_value());  // 0 -> 1 has no "dropped"
  EXPECT_EQ(space.from_choices({0, 0, 2}), space.parse(keep_one_strings()[0]));
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("keep_one", {0, 1, 1})), ConfigError,
                           "keeps 2 incoming edges of node '2', which keeps exactly 1");
  NASCPP_EXPECT_THROW_WITH(space.parse("|skip_connect~0|+|skip_connect~0|skip_connect~1|"),
                           ConfigError, "keeps 1 incoming edge(s) ('op~source', sources: 0, 1)");
  NASCPP_EXPECT_THROW_WITH(space.parse("|skip_connect~0|+|skip_connect~5|"), ConfigError,
                           "unknown source of an incoming edge '5'");
  NASCPP_EXPECT_THROW_WITH(space.parse("|skip_connect~0|+|avg_pool_3x3~1|"), ConfigError,
                           "avg_pool_3x3");
  NASCPP_EXPECT_THROW_WITH(space.parse("|skip_connect~0|+||"), ConfigError,
                           "expected 'op~source' (sources: 0, 1), found ''");
}

TEST(GraphSearchSpaceInputChoice, ADroppedEdgeIsAZeroInEveryDerivedForm) {
  const GraphSearchSpace space("keep_one", keep_one_cell(), test::small_skeleton());
  const auto all = space.enumerate();
  // Cells 0 and 2 both compute the identity of the input (a skip from "0",
  // or a skip from "1", which is a skip of "0"): one canonical form.
  EXPECT_EQ(space.canonical(all[0]), space.canonical(all[2]));
  EXPECT_NE(space.canonical(all[0]), space.canonical(all[6]));
  EXPECT_EQ(space.canonical(all[6]), "#+(0)@nor_conv_1x1");
  // onehot: the dropped edge's block is all zeros.
  EXPECT_EQ(space.encode(all[2], "onehot"), (std::vector<float>{1, 0, 0, 0, 1, 0}));
  // path (every edge a choice): 0 -> 2 (2 features), then 0 -> 1 -> 2 (4);
  // cell 0 keeps 0 -> 2 with skip_connect, the long path is dropped.
  EXPECT_EQ(space.encode(all[0], "path"), (std::vector<float>{1, 0, 0, 0, 0, 0}));
  // cell 7: 0 -> 1 nor_conv_1x1, 1 -> 2 nor_conv_3x3: the long path's code 1*2+1.
  EXPECT_EQ(space.encode(all[7], "path"), (std::vector<float>{0, 0, 0, 0, 0, 1}));
  // adjacency (vertices: input, edges 0->1, 0->2, 1->2, output): cell 0
  // connects input -> (0->2) -> output, and input -> (0->1) only.
  const auto adj = space.encode(all[0], "adjacency");
  ASSERT_EQ(adj.size(), 10u + 6u);
  EXPECT_EQ(std::vector<float>(adj.begin(), adj.begin() + 10),
            (std::vector<float>{1, 1, 0, 0, /*0->1*/ 0, 0, 0, /*0->2*/ 0, 1, /*1->2*/ 0}));
  // The network of a cell equals the one whose dropped edge is `none` and
  // whose kept edges are fixed.
  Graph fixed;
  fixed.add_input("0").add_node("1").add_output("2");
  fixed.add_edge("0", "1", OpSlot::mixed({"skip_connect", "nor_conv_1x1"}))
      .add_edge("0", "2", OpSlot::fixed("nor_conv_3x3"))
      .add_edge("1", "2", OpSlot::fixed("none"));
  const GraphSearchSpace reference("fixed", fixed, test::small_skeleton());
  const auto spec = NetworkSpec().in_channels(1).image_size(8).num_classes(3);
  for (int conv1x1 = 0; conv1x1 < 2; ++conv1x1) {
    const auto ours = space.build_network(all[conv1x1 == 0 ? 1 : 5], spec);
    const auto theirs = reference.build_network(
        reference.parse(conv1x1 == 0 ? "|skip_connect~0|" : "|nor_conv_1x1~0|"), spec);
    EXPECT_EQ(count_parameters(*ours), count_parameters(*theirs));
    EXPECT_EQ(ours->forward(torch::randn({2, 1, 8, 8})).sizes(), torch::IntArrayRef({2, 3}));
  }
}

// A cell with the shape of DARTS' intermediate nodes over one input: node
// "1" keeps its single edge, "2" both of its two, "3" two of its three; the
// output sums the three through empty edges. 3 ops: 3 x 3^2 x (3 x 3^2) = 729.
Graph darts_like_cell(const std::vector<std::string>& ops) {
  Graph g;
  g.add_input("a").add_node("1").add_node("2").add_node("3").add_output("out");
  g.add_edge("a", "1", OpSlot::mixed(ops))
      .add_edge("a", "2", OpSlot::mixed(ops))
      .add_edge("1", "2", OpSlot::mixed(ops))
      .add_edge("a", "3", OpSlot::mixed(ops))
      .add_edge("1", "3", OpSlot::mixed(ops))
      .add_edge("2", "3", OpSlot::mixed(ops))
      .add_edge("1", "out")
      .add_edge("2", "out")
      .add_edge("3", "out");
  g.choose_inputs("1", 1).choose_inputs("2", 2).choose_inputs("3", 2);
  return g;
}

TEST(GraphSearchSpaceInputChoice, ADartsShapedCellHasTheCountedSizeAndNeighbours) {
  const GraphSearchSpace space("darts_like",
                               darts_like_cell({"skip_connect", "nor_conv_1x1", "avg_pool_3x3"}),
                               test::small_skeleton());
  ASSERT_EQ(space.size(), std::optional<uint64_t>(729));
  EXPECT_EQ(space.text_form(), "|op~{a}|+|op~{a,1}|op~{a,1}|+|op~{a,1,2}|op~{a,1,2}|");
  const auto all = space.enumerate();
  std::set<std::string> strings;
  for (size_t i = 0; i < all.size(); ++i) {
    const std::string text = space.format(all[i]);
    strings.insert(text);
    ASSERT_EQ(space.parse(text), all[i]) << text;
    ASSERT_EQ(space.dense_id(all[i]), i) << text;
  }
  EXPECT_EQ(strings.size(), 729u);
  // Each cell: node 1's edge 2 other ops; node 2's two edges 2 each; node
  // 3's two kept edges 2 each plus a move to its dropped edge: 12 changes.
  Rng rng(5);
  for (int trial = 0; trial < 50; ++trial) {
    const auto arch = space.sample(rng);
    const auto next = space.neighbours(arch);
    ASSERT_EQ(next.size(), 12u) << space.format(arch);
    const std::set<Architecture> distinct(next.begin(), next.end());
    EXPECT_EQ(distinct.size(), 12u);
    EXPECT_EQ(distinct.count(arch), 0u);
    // Exactly the cells of the space that differ from `arch` in one op or in
    // one moved edge: brute force over all 729.
    size_t expected = 0;
    for (const auto& other : all) {
      const auto& a = arch.encoding();
      const auto& b = other.encoding();
      std::vector<size_t> diff;
      for (size_t s = 0; s < a.size(); ++s) {
        if (a[s] != b[s]) diff.push_back(s);
      }
      const bool one_op = diff.size() == 1 && a[diff[0]] != 3 && b[diff[0]] != 3;
      // A move: one edge of node 3 dropped, another of node 3 kept with its op.
      const bool move = diff.size() == 2 && diff[0] >= 3 &&
                        ((a[diff[0]] == 3 && b[diff[1]] == 3 && b[diff[0]] == a[diff[1]]) ||
                         (a[diff[1]] == 3 && b[diff[0]] == 3 && b[diff[1]] == a[diff[0]]));
      if (one_op || move) {
        ++expected;
        EXPECT_EQ(distinct.count(other), 1u) << space.format(arch) << " -> " << space.format(other);
      }
    }
    EXPECT_EQ(expected, 12u);
    const auto child = space.mutate(arch, rng);
    EXPECT_EQ(distinct.count(child), 1u);
  }
}

TEST(GraphSearchSpaceInputChoice, TheSupernetDerivesAsDartsKeepingTheStrongestEdges) {
  const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_3x3"};
  Graph g;
  g.add_input("0").add_node("1").add_output("2");
  g.add_edge("0", "1", OpSlot::mixed(ops))
      .add_edge("0", "2", OpSlot::mixed(ops))
      .add_edge("1", "2", OpSlot::mixed(ops));
  g.choose_inputs("2", 1);
  const GraphSearchSpace space("keep_one_none", g, test::small_skeleton());
  const auto spec = NetworkSpec().in_channels(1).image_size(8).num_classes(2);
  const auto supernet = space.build_supernet(spec);
  ASSERT_EQ(supernet->arch_parameters().size(), 1u);
  auto alphas = supernet->arch_parameters()[0];
  ASSERT_EQ(alphas.sizes(), torch::IntArrayRef({3, 3}));
  {
    torch::NoGradGuard no_grad;
    // Edge 0 -> 1 (no input choice): the strongest op, `none` included.
    // Edge 0 -> 2: `none` dominates, its best other op (skip) weighs ~3e-4.
    // Edge 1 -> 2: nor_conv_3x3 weighs 0.79: kept.
    alphas.copy_(torch::tensor({{5.0, 0.0, 1.0}, {9.0, 1.0, 0.0}, {0.0, 0.0, 2.0}}));
  }
  EXPECT_EQ(space.format(supernet->derive()), "|none~0|+|nor_conv_3x3~1|");
  {
    torch::NoGradGuard no_grad;
    alphas.copy_(torch::tensor({{0.0, 3.0, 1.0}, {0.0, 2.0, 0.0}, {0.0, 0.0, 1.0}}));
  }
  EXPECT_EQ(space.format(supernet->derive()), "|skip_connect~0|+|skip_connect~0|");
  // The supernet runs every edge.
  EXPECT_EQ(supernet->forward(torch::randn({2, 1, 8, 8})).sizes(), torch::IntArrayRef({2, 2}));
}

TEST(GraphSearchSpaceInputChoice, DeclaredInYamlAndBadChoicesNameTheNode) {
  const auto create = test::graph_space_from_yaml;
  const std::string head = R"(
label: keep_one
skeleton: {channels: 4, stages: 2, cells_per_stage: 1}
edges:
  - {from: "0", to: "1", ops: [skip_connect, nor_conv_1x1]}
  - {from: "0", to: "2", ops: [skip_connect, nor_conv_3x3]}
  - {from: "1", to: "2", ops: [skip_connect, nor_conv_3x3]}
)";
  const auto space = create(head + R"(
nodes: [{name: "0", role: input}, {name: "1"}, {name: "2", role: output, choose_inputs: 1}]
)");
  const GraphSearchSpace reference("keep_one", keep_one_cell(), test::small_skeleton());
  EXPECT_EQ(space->enumerate(), reference.enumerate());
  EXPECT_EQ(dynamic_cast<const GraphSearchSpace&>(*space).graph(), keep_one_cell());

  NASCPP_EXPECT_THROW_WITH(create(head + R"(
nodes: [{name: "0", role: input}, {name: "1"}, {name: "2", role: output, choose_inputs: 3}]
)"),
                           ConfigError,
                           "node '2' chooses 3 of its incoming edges, but it has 2: choose_inputs "
                           "must be between 1 and 2");
  NASCPP_EXPECT_THROW_WITH(create(head + R"(
nodes: [{name: "0", role: input}, {name: "1"}, {name: "2", role: output, choose_inputs: 0}]
)"),
                           ConfigError, "choose_inputs' must be at least 1");
  NASCPP_EXPECT_THROW_WITH(create(R"(
label: t
skeleton: {channels: 4, stages: 2, cells_per_stage: 1}
nodes: [{name: "0", role: input}, {name: "1"}, {name: "2", role: output, choose_inputs: 1}]
edges:
  - {from: "0", to: "1", ops: [skip_connect, nor_conv_1x1]}
  - {from: "0", to: "2", op: skip_connect}
  - {from: "1", to: "2", ops: [skip_connect, nor_conv_3x3]}
)"),
                           ConfigError,
                           "node '2' chooses 1 of its incoming edges, so each must be a choice of "
                           "ops, but edge '0 -> 2' is fixed 'skip_connect'");
  NASCPP_EXPECT_THROW_WITH(create(R"(
label: t
skeleton: {channels: 4, stages: 2, cells_per_stage: 1}
nodes: [{name: "0", role: input}, {name: "1"}, {name: "2", role: output, choose_inputs: 1}]
edges:
  - {from: "0", to: "1", ops: [skip_connect, nor_conv_1x1]}
  - {from: "0", to: "2", ops: [skip_connect, nor_conv_1x1]}
  - {from: "1", to: "2", ops: [skip_connect, nor_conv_3x3]}
)"),
                           ConfigError, "need the same candidates");
}

}  // namespace
}  // namespace nascpp

// GraphSearchSpace (nascpp/graph/search_space.h): a search space derived from
// a cell graph. On NAS-Bench-201's graph every derived piece (text, order,
// encodings, sampling, mutation, networks, supernet) must equal the
// hand-written NasBench201Space, which is itself checked against the
// benchmark's rows; a small space with a node op and fixed edges checks what
// NAS-Bench-201 lacks; the YAML declaration and every definition error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "search_spaces/nasbench201/network.h"
#include "support/graph_spaces.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// NAS-Bench-201 declared as a graph: six mixed edges over the benchmark's
// five ops, the benchmark's skeleton at `channels` and `cells` per stage.
GraphSearchSpace nb201_graph_space(int64_t channels = 16, int64_t cells = 5) {
  const Graph cell = nasbench201_cell_graph(
      std::vector<OpSlot>(6, OpSlot::mixed(NasBench201Space::op_names())));
  GraphSpaceOptions options;
  options.skeleton(SkeletonOptions::nasbench201().channels(channels).cells_per_stage(cells));
  return GraphSearchSpace(NasBench201Space::kName, cell, options);
}

// A space NAS-Bench-201 cannot express: a fixed 1x1 edge into node "1", and
// the output "2" choosing its own op (run after summing) and the op of its
// edge from the input; its edge from "1" is a fixed skip. 2 x 3 = 6 cells.
Graph node_op_cell() {
  Graph g;
  g.add_input("0")
      .add_node("1")
      .add_output("2", Combine::kSum, OpSlot::mixed({"nor_conv_3x3", "avg_pool_3x3"}))
      .add_edge("0", "1", OpSlot::fixed("nor_conv_1x1"))
      .add_edge("1", "2", OpSlot::fixed("skip_connect"))
      .add_edge("0", "2", OpSlot::mixed({"none", "skip_connect", "nor_conv_1x1"}));
  return g;
}

TEST(GraphSearchSpace, OnNasBench201sGraphEveryArchitectureEqualsTheBenchmarkSpace) {
  const NasBench201Space reference;
  const auto space = nb201_graph_space();
  EXPECT_EQ(space.name(), "nasbench201");
  EXPECT_EQ(space.size(), reference.size());
  EXPECT_EQ(space.choice_cardinalities(), reference.choice_cardinalities());
  EXPECT_EQ(space.text_form(), "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|");
  EXPECT_EQ(space.encodings(), reference.encodings());

  const auto ours = space.enumerate();
  const auto theirs = reference.enumerate();
  ASSERT_EQ(ours.size(), 15625u);
  ASSERT_EQ(theirs.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    ASSERT_EQ(ours[i], theirs[i]) << "enumeration order differs at " << i;
    const std::string text = reference.format(theirs[i]);
    ASSERT_EQ(space.format(ours[i]), text);
    ASSERT_EQ(space.parse(text), theirs[i]) << text;
    ASSERT_EQ(space.dense_id(ours[i]), static_cast<uint64_t>(NasBench201Space::dense_id(theirs[i])));
    ASSERT_EQ(space.from_dense_id(i), ours[i]);
    ASSERT_EQ(space.choices_of(ours[i]), reference.choices_of(theirs[i]));
    for (const auto& encoding : reference.encodings()) {
      ASSERT_EQ(space.encode(ours[i], encoding), reference.encode(theirs[i], encoding))
          << encoding << " of " << text;
    }
    if (i % 25 == 0) {
      ASSERT_EQ(space.neighbours(ours[i]), reference.neighbours(theirs[i])) << text;
    }
  }
}

TEST(GraphSearchSpace, OnNasBench201sGraphTheCanonicalFormIsNatsUniqueString) {
  const NasBench201Space reference;
  const auto space = nb201_graph_space();
  std::set<std::string> classes;
  for (const auto& arch : reference.enumerate()) {
    const auto ours = space.canonical(arch);
    ASSERT_EQ(ours, reference.canonical(arch)) << reference.format(arch);
    classes.insert(ours);
  }
  // NATS-Bench's unique strings split the 15,625 cells into 6,466 classes.
  EXPECT_EQ(classes.size(), 6466u);
}

TEST(GraphSearchSpace, TheCanonicalFormIgnoresNodeNumberingAndKeepsConcatOrder) {
  // The same cell with its two intermediate nodes numbered the other way.
  auto cell = [](const std::string& first, const std::string& second) {
    Graph g;
    g.add_input("in").add_node("a").add_node("b").add_output("out")
        .add_edge("in", first, OpSlot::mixed({"nor_conv_3x3", "avg_pool_3x3"}))
        .add_edge("in", second, OpSlot::mixed({"nor_conv_1x1", "avg_pool_3x3"}))
        .add_edge("a", "out", OpSlot::mixed({"skip_connect", "none"}))
        .add_edge("b", "out", OpSlot::mixed({"skip_connect", "none"}));
    return g;
  };
  const GraphSearchSpace ab("x", cell("a", "b"), test::small_skeleton());
  const GraphSearchSpace ba("x", cell("b", "a"), test::small_skeleton());
  const auto one = ab.from_choices({0, 1, 0, 0});
  const auto two = ba.from_choices({0, 1, 0, 0});
  ASSERT_TRUE(one && two);
  EXPECT_EQ(ab.canonical(*one), "(in)@avg_pool_3x3+(in)@nor_conv_3x3");
  EXPECT_EQ(ab.canonical(*one), ba.canonical(*two));
  // A `none` edge is a zero term.
  EXPECT_EQ(ab.canonical(*ab.from_choices({0, 1, 1, 0})), "#+(in)@avg_pool_3x3");
  // A node op wraps the node.
  const GraphSearchSpace small("small", node_op_cell(), test::small_skeleton());
  EXPECT_EQ(small.canonical(small.parse("|avg_pool_3x3|none~0|")),
            "(#+(0)@nor_conv_1x1)@avg_pool_3x3");
}

TEST(GraphSearchSpace, SameSeedSamplesAndMutatesLikeTheBenchmarkSpace) {
  const NasBench201Space reference;
  const auto space = nb201_graph_space();
  Rng ours(7);
  Rng theirs(7);
  for (int i = 0; i < 50; ++i) {
    auto a = space.sample(ours);
    auto b = reference.sample(theirs);
    ASSERT_EQ(a, b) << "sample " << i;
    for (int m = 0; m < 20; ++m) {
      a = space.mutate(a, ours);
      b = reference.mutate(b, theirs);
      ASSERT_EQ(a, b) << "sample " << i << " mutation " << m;
    }
  }
}

TEST(GraphSearchSpace, SamplingIsUniformAndMutationChangesOneChoice) {
  const GraphSearchSpace space("small", node_op_cell(), test::small_skeleton());
  ASSERT_EQ(space.size(), std::optional<uint64_t>(6));
  Rng rng(3);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 6000; ++i) ++counts[space.dense_id(space.sample(rng))];
  for (int c : counts) EXPECT_NEAR(c, 1000, 150);

  const auto arch = space.parse("|avg_pool_3x3|none~0|");
  std::set<std::string> reached;
  for (int i = 0; i < 200; ++i) {
    const auto next = space.mutate(arch, rng);
    const auto a = space.choices_of(arch);
    const auto b = space.choices_of(next);
    EXPECT_EQ((a[0] != b[0]) + (a[1] != b[1]), 1) << space.format(next);
    reached.insert(space.format(next));
  }
  std::set<std::string> neighbours;
  for (const auto& n : space.neighbours(arch)) neighbours.insert(space.format(n));
  EXPECT_EQ(reached, neighbours);
  EXPECT_EQ(neighbours, (std::set<std::string>{"|nor_conv_3x3|none~0|", "|avg_pool_3x3|skip_connect~0|",
                                               "|avg_pool_3x3|nor_conv_1x1~0|"}));
}

TEST(GraphSearchSpace, OnNasBench201sGraphNetworksHaveTheBenchmarksParameterCounts) {
  NASCPP_REQUIRE_DATA_DIR();
  auto bench = NasBench201Benchmark::load_shared(test::data_dir());
  const NasBench201Space reference;
  const auto space = nb201_graph_space();
  const auto spec = NetworkSpec().in_channels(3).image_size(32).num_classes(10);
  Rng rng(5);
  seed_torch(0);
  for (int i = 0; i < 40; ++i) {
    const auto index = static_cast<int32_t>(rng.uniform_int(0, 15624));
    const auto arch = bench->arch_at(index);
    ASSERT_EQ(space.format(arch), reference.format(arch));
    // The benchmark space's counts equal params_mb (up to the rows that carry
    // an isomorphic cell's record; test_nasbench201_network.cpp): ours must
    // equal its counts on every cell.
    EXPECT_EQ(count_parameters(*space.build_network(arch, spec)),
              count_parameters(*reference.build_network(arch, spec)))
        << space.format(arch);
  }
  // Index 0's cell: the benchmark's own count.
  const auto arch = bench->arch_at(0);
  const auto mb = bench->query(0, "params_mb", "cifar10");
  ASSERT_TRUE(mb.has_value());
  EXPECT_EQ(count_parameters(*space.build_network(arch, spec)), std::llround(*mb * 1e6));
}

TEST(GraphSearchSpace, OnNasBench201sGraphTheSupernetEqualsTheBenchmarkSpaces) {
  const auto space = nb201_graph_space(4, 1);
  const NasBench201Space reference(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
  const auto spec = NetworkSpec().in_channels(1).image_size(28);
  seed_torch(1);
  const auto ours = space.build_supernet(spec);
  const auto theirs = reference.build_supernet(spec);
  ASSERT_EQ(ours->arch_parameters().size(), 1u);
  EXPECT_EQ(ours->arch_parameters()[0].sizes(), torch::IntArrayRef({6, 5}));
  EXPECT_EQ(ours->cell_types(), theirs->cell_types());
  EXPECT_EQ(ours->candidate_ops(), theirs->candidate_ops());
  auto numel = [](const std::vector<torch::Tensor>& tensors) {
    int64_t n = 0;
    for (const auto& t : tensors) n += t.numel();
    return n;
  };
  EXPECT_EQ(numel(ours->weight_parameters()), numel(theirs->weight_parameters()));
  EXPECT_EQ(numel(ours->weight_parameters()) + 30, count_parameters(*ours));

  const auto x = torch::randn({2, 1, 28, 28});
  auto y = ours->forward(x);
  ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 10}));
  y.sum().backward();
  ASSERT_TRUE(ours->arch_parameters()[0].grad().defined());
  EXPECT_GT(ours->arch_parameters()[0].grad().abs().sum().item<double>(), 0.0);

  const std::vector<int64_t> idx = {3, 2, 1, 4, 0, 3};
  auto hard = torch::zeros({6, 5});
  for (int e = 0; e < 6; ++e) hard[e][idx[e]] = 1.0;
  EXPECT_EQ(ours->forward_hard(x, {hard}, {idx}).sizes(), torch::IntArrayRef({2, 10}));
  {
    torch::NoGradGuard guard;
    ours->arch_parameters()[0].zero_();
    for (int e = 0; e < 6; ++e) ours->arch_parameters()[0][e][idx[e]] = 1.0;
  }
  EXPECT_EQ(
      space.format(ours->derive()),
      "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|");
}

TEST(GraphSearchSpace, ANodeOpAndFixedEdgesAreNotChoices) {
  const GraphSearchSpace space("small", node_op_cell(), test::small_skeleton());
  // Edge slots first, then node slots (Graph::mixed_slots); the text puts a
  // node's op before its edges.
  EXPECT_EQ(space.choice_cardinalities(), (std::vector<int32_t>{3, 2}));
  EXPECT_EQ(space.text_form(), "|op|op~0|");
  const auto arch = space.parse("|nor_conv_3x3|skip_connect~0|");
  EXPECT_EQ(arch.encoding(), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(space.format(arch), "|nor_conv_3x3|skip_connect~0|");
  EXPECT_EQ(space.dense_id(arch), 2u);

  const Graph cell = space.cell_of(arch);
  EXPECT_TRUE(cell.mixed_slots().empty());
  EXPECT_EQ(cell.nodes()[2].op.op(), "nor_conv_3x3");
  EXPECT_EQ(cell.edges()[0].op.op(), "nor_conv_1x1");
  EXPECT_EQ(cell.edges()[2].op.op(), "skip_connect");

  // A node op has no path encoding; the others have their documented sizes.
  EXPECT_EQ(space.encodings(), (std::vector<std::string>{"adjacency", "onehot", "op_indices"}));
  EXPECT_EQ(space.encode(arch, "onehot"), (std::vector<float>{0, 1, 0, 1, 0}));
  // Vertices: input, the three edges by their target's position (0->1, then
  // 1->2 and 0->2), output: 10 entries above the diagonal, then the onehot.
  const std::vector<float> adjacency = {1, 0, 1, 0,  // input -> 0->1, 0->2
                                        1, 0, 0,     // 0->1 -> 1->2
                                        0, 1,        // 1->2 -> output
                                        1,           // 0->2 -> output
                                        0, 1, 0, 1, 0};
  EXPECT_EQ(space.encode(arch, "adjacency"), adjacency);
  NASCPP_EXPECT_THROW_WITH(space.encode(arch, "path"), ConfigError, "known: adjacency, onehot");

  // An edge whose op is `none` has no connections.
  const auto cut = space.parse("|avg_pool_3x3|none~0|");
  const auto cut_adjacency = space.encode(cut, "adjacency");
  EXPECT_EQ(cut_adjacency[1], 0.0f);  // input -> 0->2
  EXPECT_EQ(cut_adjacency[9], 0.0f);  // 0->2 -> output

  // No one-shot supernet: the node and the edge choose among different ops.
  NASCPP_EXPECT_THROW_WITH(space.build_supernet(NetworkSpec()), ConfigError,
                           "same candidates on every choice");
}

TEST(GraphSearchSpace, NetworksOfASmallSpaceTrainOnSmallImages) {
  const GraphSearchSpace space("small", node_op_cell(), test::small_skeleton());
  const auto spec = NetworkSpec().in_channels(1).image_size(8).num_classes(3);
  seed_torch(2);
  for (const auto& arch : space.enumerate()) {
    auto net = space.build_network(arch, spec);
    const auto y = net->forward(torch::randn({2, 1, 8, 8}));
    ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 3})) << space.format(arch);
    y.sum().backward();
    EXPECT_TRUE(torch::isfinite(y).all().item<bool>());
  }
  // Avg pool has no weights, a 3x3 conv 9c^2 + 2c more than it per cell.
  const auto conv = count_parameters(*space.build_network(space.parse("|nor_conv_3x3|none~0|"), spec));
  const auto pool = count_parameters(*space.build_network(space.parse("|avg_pool_3x3|none~0|"), spec));
  EXPECT_EQ(conv - pool, (9 * 4 * 4 + 2 * 4) + (9 * 8 * 8 + 2 * 8));
}

TEST(GraphSearchSpace, MalformedStringsNameTheGroupAndTheValidOps) {
  const GraphSearchSpace space("small", node_op_cell(), test::small_skeleton());
  NASCPP_EXPECT_THROW_WITH(space.parse("|nor_conv_3x3|skip_connect~0|+|none~1|"), ConfigError,
                           "found 2 '|...|' group(s) joined by '+', expected 1");
  NASCPP_EXPECT_THROW_WITH(space.parse("|conv|skip_connect~0|"), ConfigError,
                           "unknown op 'conv'");
  NASCPP_EXPECT_THROW_WITH(space.parse("|conv|skip_connect~0|"), ConfigError,
                           "known: avg_pool_3x3, nor_conv_3x3");
  NASCPP_EXPECT_THROW_WITH(space.parse("|nor_conv_3x3|skip_connect~1|"), ConfigError,
                           "expected the edge from '0'");
  NASCPP_EXPECT_THROW_WITH(space.parse("|nor_conv_3x3|"), ConfigError, "ends before 'op~0'");
  NASCPP_EXPECT_THROW_WITH(space.parse("nor_conv_3x3|skip_connect~0|"), ConfigError,
                           "a group starts and ends with '|'");
  NASCPP_EXPECT_THROW_WITH(space.parse("|skip_connect~0|"), ConfigError,
                           "must start with the node's op");
  NASCPP_EXPECT_THROW_WITH(space.parse("|nor_conv_3x3|skip_connect~0|none~0|"), ConfigError,
                           "has 3 entries, expected 2");
  NASCPP_EXPECT_THROW_WITH(space.parse("|nor_conv_3x3|skip_connect~0"), ConfigError,
                           "(the form is '|op|op~0|')");

  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("small", {3, 0})), ConfigError,
                           "choice 0 of a 'small' architecture (edge '0 -> 2') is 3, outside [0, 3)");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("small", {0, 2})), ConfigError,
                           "(node '2') is 2, outside [0, 2)");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("small", {0})), ConfigError,
                           "has 2 choices, got an encoding of 1");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench201", {0, 0})), ConfigError,
                           "architecture of space 'nasbench201' given to graph search space 'small'");
  NASCPP_EXPECT_THROW_WITH(space.from_dense_id(6), ConfigError, "dense id 6 is outside");
  EXPECT_FALSE(space.from_choices({0, 2}).has_value());
  EXPECT_FALSE(space.from_choices({0}).has_value());
  EXPECT_EQ(space.from_choices({2, 1}), space.parse("|avg_pool_3x3|nor_conv_1x1~0|"));
}

TEST(GraphSearchSpace, BadDefinitionsAreConfigErrorsThatNameThePart) {
  const auto options = test::small_skeleton();
  {
    Graph g;
    g.add_input("0").add_output("1").add_edge("0", "1", OpSlot::fixed("nor_conv_3x3"));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("fixed", g, options), ConfigError, "has no choice");
  }
  {
    Graph g;
    g.add_input("0").add_output("1").add_edge("0", "1", OpSlot::mixed({"skip_connect"}));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("one", g, options), ConfigError,
                             "edge '0 -> 1' has the single candidate 'skip_connect'");
  }
  {
    Graph g;
    g.add_input("0").add_output("1").add_edge("0", "1", OpSlot::mixed({"skip_connect", "conv9"}));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("unknown", g, options), ConfigError, "conv9");
  }
  {
    Graph g;
    g.add_input("0").add_input("x").add_output("1")
        .add_edge("0", "1", OpSlot::mixed({"skip_connect", "none"}))
        .add_edge("x", "1", OpSlot::mixed({"skip_connect", "none"}));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("two_inputs", g, options), ConfigError,
                             "needs exactly one input node");
  }
  {
    Graph g;
    g.add_input("0").add_node("1").add_output("2", Combine::kConcat)
        .add_edge("0", "1", OpSlot::mixed({"skip_connect", "nor_conv_1x1"}))
        .add_edge("0", "2", OpSlot::fixed("skip_connect"))
        .add_edge("1", "2", OpSlot::fixed("skip_connect"));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("wide", g, options), ConfigError,
                             "the output node '2' gives 8 channels for a cell of 4");
  }
  {
    Graph g;
    g.add_input("0").add_output("a|b").add_edge("0", "a|b", OpSlot::mixed({"skip_connect", "none"}));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("bars", g, options), ConfigError,
                             "node name 'a|b' contains one of '|'");
  }
  {
    Graph g;
    g.add_input("0").add_output("1").add_edge("0", "1", OpSlot::mixed({"skip_connect", "none"}));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("my space", g, options), ConfigError,
                             "a name without '|', '~', '+' or spaces, got 'my space'");
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("", g, options), ConfigError, "got ''");
    GraphSpaceOptions bad;
    bad.skeleton(SkeletonOptions().channels(0));
    NASCPP_EXPECT_THROW_WITH(GraphSearchSpace("zero", g, bad), ConfigError, "channels");
  }
}

TEST(GraphSearchSpace, ADenseCellBeyondEveryLimitIsStillASpace) {
  // 40 nodes, every pair connected: 780 choices, 2^780 cells, 2^38 paths.
  Graph g;
  g.add_input("n0");
  for (int i = 1; i < 39; ++i) g.add_node("n" + std::to_string(i));
  g.add_output("n39");
  for (int j = 1; j < 40; ++j) {
    for (int i = 0; i < j; ++i) {
      g.add_edge("n" + std::to_string(i), "n" + std::to_string(j),
                 OpSlot::mixed({"none", "skip_connect"}));
    }
  }
  const GraphSearchSpace space("dense", g, test::small_skeleton());
  EXPECT_FALSE(space.size().has_value());
  // The path features are counted, not listed: no path encoding.
  EXPECT_EQ(space.encodings(), (std::vector<std::string>{"adjacency", "onehot", "op_indices"}));
  Rng rng(0);
  const auto arch = space.sample(rng);
  EXPECT_EQ(space.parse(space.format(arch)), arch);
  EXPECT_EQ(space.neighbours(arch).size(), 780u);
  NASCPP_EXPECT_THROW_WITH(space.enumerate(), ConfigError, "more than 2^63 architectures");
  NASCPP_EXPECT_THROW_WITH(space.dense_id(arch), ConfigError, "have no dense id");
}

// The example of search_space.h and docs/extending.md, as written there.
TEST(GraphSearchSpace, TheDocumentedExampleWorksAsWritten) {
  const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_3x3"};
  nascpp::Graph cell;
  cell.add_input("0").add_node("1").add_output("2")
      .add_edge("0", "1", nascpp::OpSlot::mixed(ops))
      .add_edge("0", "2", nascpp::OpSlot::mixed(ops))
      .add_edge("1", "2", nascpp::OpSlot::mixed(ops));
  nascpp::GraphSpaceOptions options;
  options.skeleton(nascpp::SkeletonOptions().channels(8).stages(2).cells_per_stage(2));
  auto space = std::make_shared<nascpp::GraphSearchSpace>("tiny_cell", cell, options);
  EXPECT_EQ(space->size(), std::optional<uint64_t>(27));
  const auto a = space->parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|");
  EXPECT_EQ(a.encoding(), (std::vector<int32_t>{2, 1, 0}));
  Rng rng(0);
  const auto b = space->mutate(a, rng);
  EXPECT_NE(a, b);
  // Every edge a choice: the path encoding, one feature per (path, ops):
  // 0->2 (3 op sequences) and 0->1->2 (9).
  EXPECT_EQ(space->encode(a, "path").size(), 12u);
  auto net = space->build_network(a, NetworkSpec().in_channels(1).image_size(8).num_classes(2));
  EXPECT_EQ(net->forward(torch::randn({1, 1, 8, 8})).sizes(), torch::IntArrayRef({1, 2}));
  auto supernet = space->build_supernet(NetworkSpec().in_channels(1).image_size(8).num_classes(2));
  EXPECT_EQ(supernet->arch_parameters()[0].sizes(), torch::IntArrayRef({3, 3}));
}

// The bundled example examples/configs/search_graph_tiny.yaml declares
// node_op_cell().
TEST(GraphSearchSpace, DeclaredInYamlThroughTheRegistry) {
  auto file = ConfigNode::load_file(std::string(NASCPP_TEST_SOURCE_DIR) +
                                    "/examples/configs/search_graph_tiny.yaml");
  auto cfg = file.section("search_space");
  const auto space = search_space_registry().create(cfg.require<std::string>("name"), cfg);
  cfg.finish();
  ASSERT_NE(space, nullptr);
  EXPECT_EQ(space->name(), "tiny_cell");
  const auto& graph_space = dynamic_cast<const GraphSearchSpace&>(*space);
  // The same space as the C++ declaration.
  EXPECT_EQ(graph_space.graph().nodes(), node_op_cell().nodes());
  EXPECT_EQ(graph_space.graph().edges(), node_op_cell().edges());
  EXPECT_EQ(graph_space.options().skeleton().channels(), 4);
  EXPECT_EQ(graph_space.options().skeleton().stages(), 2);
  EXPECT_EQ(space->size(), std::optional<uint64_t>(6));
  EXPECT_EQ(space->format(space->parse("|avg_pool_3x3|nor_conv_1x1~0|")),
            "|avg_pool_3x3|nor_conv_1x1~0|");
}

TEST(GraphSearchSpace, YamlMistakesNameTheEntryAndTheValidChoices) {
  const auto create = test::graph_space_from_yaml;
  const std::string nodes = R"(
label: t
nodes: [{name: "0", role: input}, {name: "1", role: output}]
)";
  NASCPP_EXPECT_THROW_WITH(create(nodes), ConfigError, "needs 'search_space.edges'");
  NASCPP_EXPECT_THROW_WITH(
      create(nodes + "edges: [{from: \"0\", to: \"1\", ops: [none, skip_connect], weight: 2}]"),
      ConfigError, "search_space.edges[0].weight");
  NASCPP_EXPECT_THROW_WITH(
      create(nodes + "edges: [{from: \"0\", to: \"1\", op: none, ops: [none, skip_connect]}]"),
      ConfigError, "'search_space.edges[0]' has both 'op' (a fixed op) and 'ops'");
  NASCPP_EXPECT_THROW_WITH(create(nodes + "edges: {from: \"0\", to: \"1\"}"), ConfigError,
                           "'search_space.edges' must be a list of entries");
  NASCPP_EXPECT_THROW_WITH(create(nodes + "edges: [[\"0\", \"1\"]]"), ConfigError,
                           "'search_space.edges[0]' must be a mapping");
  NASCPP_EXPECT_THROW_WITH(create(nodes + "edges: [{from: \"0\", ops: [none, skip_connect]}]"),
                           ConfigError, "search_space.edges[0].to");
  NASCPP_EXPECT_THROW_WITH(
      create("label: t\nnodes: [{name: \"0\", role: source}]\nedges: []"), ConfigError,
      "intermediate");
  NASCPP_EXPECT_THROW_WITH(
      create("label: t\nnodes: [{name: \"0\", role: input, combine: max}]\nedges: []"),
      ConfigError, "concat");
  NASCPP_EXPECT_THROW_WITH(
      create(nodes + "edges: [{from: \"0\", to: \"9\", ops: [none, skip_connect]}]"), ConfigError,
      "'9'");
  NASCPP_EXPECT_THROW_WITH(
      create(nodes + "edges: [{from: \"0\", to: \"1\", ops: [none, skip_connect]}]\n"
                     "skeleton: {stages: 0}"),
      ConfigError, "stages");
  NASCPP_EXPECT_THROW_WITH(create("nodes: []\nedges: []"), ConfigError, "search_space.label");
}

}  // namespace
}  // namespace nascpp

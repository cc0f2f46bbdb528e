// Graph: validity errors that name the element at fault, topological order,
// and compiled cells (NAS-Bench-201-like, DARTS-like, supernet).

#include "nascpp/graph/graph.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nascpp/core/random.h"
#include "nascpp/graph/cell.h"
#include "nascpp/network.h"
#include "nascpp/ops/conv.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

const std::vector<std::string> kNb201 = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                         "avg_pool_3x3"};
const std::vector<std::string> kDarts = {"none",         "max_pool_3x3", "avg_pool_3x3",
                                         "skip_connect", "sep_conv_3x3", "sep_conv_5x5",
                                         "dil_conv_3x3", "dil_conv_5x5"};

// NAS-Bench-201's cell: node i sums op_{j->i}(node j) for j < i. `ops[k]` is
// the op of the k-th edge in the order 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
Graph nb201_graph(const std::vector<OpSlot>& ops) {
  Graph g;
  g.add_input("0").add_node("1").add_node("2").add_output("3");
  size_t k = 0;
  for (int i = 1; i <= 3; ++i) {
    for (int j = 0; j < i; ++j) g.add_edge(std::to_string(j), std::to_string(i), ops.at(k++));
  }
  return g;
}

// |nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|
Graph nb201_example() {
  return nb201_graph({OpSlot::fixed("nor_conv_3x3"), OpSlot::fixed("nor_conv_1x1"),
                      OpSlot::fixed("skip_connect"), OpSlot::fixed("avg_pool_3x3"),
                      OpSlot::fixed("none"), OpSlot::fixed("nor_conv_3x3")});
}

// A DARTS cell from a genotype: intermediate node i (named by its index) sums
// two op edges from earlier states; the output concatenates the intermediates.
Graph darts_graph(const std::vector<std::pair<std::string, int>>& genotype) {
  const std::vector<std::string> states = {"c_{k-2}", "c_{k-1}", "0", "1", "2", "3"};
  Graph g;
  g.add_input(states[0]).add_input(states[1]);
  for (int i = 0; i < 4; ++i) g.add_node(states[2 + i]);
  g.add_output("out", Combine::kConcat);
  for (int i = 0; i < 4; ++i) {
    for (int k = 0; k < 2; ++k) {
      const auto& gene = genotype.at(2 * i + k);
      g.add_edge(states.at(gene.second), states[2 + i], OpSlot::fixed(gene.first));
    }
  }
  for (int i = 0; i < 4; ++i) g.add_edge(states[2 + i], "out");
  return g;
}

// DARTS_V2's normal cell.
Graph darts_v2_normal() {
  return darts_graph({{"sep_conv_3x3", 0},
                      {"sep_conv_3x3", 1},
                      {"sep_conv_3x3", 0},
                      {"sep_conv_3x3", 1},
                      {"sep_conv_3x3", 1},
                      {"skip_connect", 0},
                      {"skip_connect", 0},
                      {"dil_conv_3x3", 2}});
}

void expect_all_gradients(torch::nn::Module& module) {
  int64_t checked = 0;
  for (const auto& p : module.named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

// ------------------------------------------------------------ structure

TEST(Graph, TopologicalOrderFollowsEdgesNotInsertion) {
  Graph g;
  g.add_input("in").add_node("c").add_node("b").add_node("a").add_output("out");
  g.add_edge("c", "out").add_edge("in", "a").add_edge("b", "c").add_edge("a", "b");
  g.add_edge("in", "c");
  EXPECT_EQ(g.topological_order(), (std::vector<std::string>{"in", "a", "b", "c", "out"}));
  EXPECT_NO_THROW(g.validate(op_registry()));
  // Ready nodes keep their insertion order.
  EXPECT_EQ(nb201_example().topological_order(), (std::vector<std::string>{"0", "1", "2", "3"}));
}

TEST(Graph, CycleIsNamed) {
  Graph g;
  g.add_input("in").add_node("a").add_node("b").add_output("out");
  g.add_edge("in", "a").add_edge("a", "b").add_edge("b", "a").add_edge("b", "out");
  NASCPP_EXPECT_THROW_WITH(g.topological_order(), ConfigError,
                           "the graph has a cycle through node 'b': b -> a -> b");
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError, "cycle through node 'b'");
  Graph self;
  self.add_input("in").add_output("out").add_edge("in", "out").add_edge("out", "out");
  NASCPP_EXPECT_THROW_WITH(self.topological_order(), ConfigError, "out -> out");
}

TEST(Graph, NodeWithoutInputsIsNamed) {
  Graph g;
  g.add_input("in").add_node("x").add_output("out");
  g.add_edge("in", "out").add_edge("x", "out");
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError,
                           "intermediate node 'x' has no incoming edge");
}

TEST(Graph, UnreachableOutputIsNamed) {
  Graph g;
  g.add_input("in").add_node("a").add_node("b").add_output("out");
  g.add_edge("in", "a").add_edge("b", "out");
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError,
                           "output node 'out' is not reachable from the input nodes (in)");
}

TEST(Graph, DeadNodeIsNamed) {
  Graph g;
  g.add_input("in").add_node("dead").add_output("out");
  g.add_edge("in", "out").add_edge("in", "dead");
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError,
                           "intermediate node 'dead' does not lead to output node 'out'");
}

TEST(Graph, UnknownOperationIsNamedWithValidNames) {
  Graph g;
  g.add_input("in").add_output("out").add_edge("in", "out", OpSlot::fixed("nor_conv_3x"));
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError,
                           "edge 'in -> out': unknown operation 'nor_conv_3x'; did you mean "
                           "'nor_conv_3x3'?; known: avg_pool_3x3");
  Graph n;
  n.add_input("in").add_output("out", Combine::kSum, OpSlot::mixed({"none", "bogus_op"}));
  n.add_edge("in", "out");
  NASCPP_EXPECT_THROW_WITH(n.validate(op_registry()), ConfigError,
                           "node 'out': unknown operation 'bogus_op'");
}

TEST(Graph, UnknownNodeIsNamed) {
  Graph g;
  g.add_input("in").add_output("out").add_edge("in", "out").add_edge("in", "ouy");
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry()), ConfigError,
                           "edge 'in -> ouy' refers to an unknown node 'ouy'; did you mean 'out'?");
  NASCPP_EXPECT_THROW_WITH(g.topological_order(), ConfigError, "unknown node 'ouy'");
  NASCPP_EXPECT_THROW_WITH(g.node("ouy"), ConfigError, "unknown node 'ouy'");
}

TEST(Graph, OtherStructuralErrorsAreNamed) {
  auto base = [] {
    Graph g;
    g.add_input("in").add_output("out").add_edge("in", "out");
    return g;
  };
  Graph dup_edge = base();
  dup_edge.add_edge("in", "out");
  NASCPP_EXPECT_THROW_WITH(dup_edge.validate(op_registry()), ConfigError,
                           "duplicate edge 'in -> out'");
  Graph dup_node = base();
  dup_node.add_node("in");
  NASCPP_EXPECT_THROW_WITH(dup_node.validate(op_registry()), ConfigError, "duplicate node 'in'");
  Graph into_input = base();
  into_input.add_input("in2").add_edge("in", "in2");
  NASCPP_EXPECT_THROW_WITH(into_input.validate(op_registry()), ConfigError,
                           "edge 'in -> in2' enters input node 'in2'");
  Graph two_outputs = base();
  two_outputs.add_output("out2").add_edge("in", "out2");
  NASCPP_EXPECT_THROW_WITH(two_outputs.validate(op_registry()), ConfigError,
                           "exactly one output node, found 2 (out, out2)");
  Graph no_input;
  no_input.add_output("out");
  NASCPP_EXPECT_THROW_WITH(no_input.validate(op_registry()), ConfigError, "no input node");
  Graph repeated = base();
  repeated.edge("in", "out").op = OpSlot::mixed({"none", "skip_connect", "none"});
  NASCPP_EXPECT_THROW_WITH(repeated.validate(op_registry()), ConfigError,
                           "edge 'in -> out': candidate 'none' appears twice");
}

TEST(Graph, MixedSlotsNeedAChoiceToCompile) {
  Graph g = nb201_graph(std::vector<OpSlot>(6, OpSlot::mixed(kNb201)));
  EXPECT_NO_THROW(g.validate(op_registry()));
  NASCPP_EXPECT_THROW_WITH(g.validate(op_registry(), MixedSlots::kRequireChosen), ConfigError,
                           "edge '0 -> 1': the mixed slot {none|skip_connect|nor_conv_1x1|"
                           "nor_conv_3x3|avg_pool_3x3} has no chosen operation");
  NASCPP_EXPECT_THROW_WITH(Cell(g, CellOptions(4)), ConfigError, "has no chosen operation");

  const auto slots = g.mixed_slots();
  ASSERT_EQ(slots.size(), 6u);
  EXPECT_EQ(g.describe(slots[2]), "edge '1 -> 2'");
  for (const auto& ref : slots) g.slot(ref).choose("nor_conv_3x3");
  EXPECT_NO_THROW(g.validate(op_registry(), MixedSlots::kRequireChosen));
  EXPECT_EQ(g.edge("0", "1").op.op(), "nor_conv_3x3");
  EXPECT_EQ(g.edge("0", "1").op.to_string(),
            "{none|skip_connect|nor_conv_1x1|*nor_conv_3x3*|avg_pool_3x3}");
  NASCPP_EXPECT_THROW_WITH(g.edge("0", "1").op.choose(size_t{5}), ConfigError,
                           "cannot choose candidate 5");
  NASCPP_EXPECT_THROW_WITH(g.edge("0", "1").op.choose("sep_conv_3x3"), ConfigError,
                           "unknown candidate of this mixed slot 'sep_conv_3x3'");
}

TEST(Graph, IsAValueWithEquality) {
  Graph a = nb201_example();
  Graph b = a;
  EXPECT_EQ(a, b);
  b.edge("0", "1").op = OpSlot::fixed("none");
  EXPECT_NE(a, b);
  EXPECT_EQ(a.edge("0", "1").op.op(), "nor_conv_3x3");
  EXPECT_NE(a.to_string().find("edge 0 -> 1 [nor_conv_3x3]"), std::string::npos) << a.to_string();
}

// ------------------------------------------------------------ compiled cells

TEST(Graph, Nb201CellShapeParametersAndGradients) {
  seed_torch(10);
  const int64_t c = 8;
  Cell cell(nb201_example(), CellOptions(c));
  // Two 3x3 and one 1x1 ReLU-Conv-BN: 2 * (9c^2 + 2c) + (c^2 + 2c).
  EXPECT_EQ(count_parameters(*cell), 2 * (9 * c * c + 2 * c) + (c * c + 2 * c));
  const auto x = torch::randn({2, c, 8, 8});
  const auto y = cell->forward({x});
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, c, 8, 8}));
  (y * torch::randn(y.sizes())).sum().backward();
  expect_all_gradients(*cell);
}

TEST(Graph, Nb201CellComputesTheReferenceSum) {
  seed_torch(11);
  const int64_t c = 4;
  Cell cell(nb201_example(), CellOptions(c));
  cell->eval();
  const auto x = torch::randn({2, c, 6, 6});
  // node1 = conv3(x); node2 = conv1(x) + node1; node3 = pool(x) + 0 + conv3'(node2)
  auto children = cell->named_children();
  auto run = [&](const std::string& key, const torch::Tensor& t) {
    return children[key]->as<ReLUConvBN>()->forward(t);
  };
  const auto n1 = run("edge0", x);
  const auto n2 = run("edge1", x) + n1;
  const auto pool = torch::avg_pool2d(x, 3, 1, 1, false, /*count_include_pad=*/false);
  const auto n3 = pool + run("edge5", n2);
  EXPECT_TRUE(torch::allclose(cell->forward({x}), n3, 1e-5, 1e-6));
}

TEST(Graph, DartsReductionCellShapeAndGradients) {
  seed_torch(12);
  const int64_t c = 4;
  // A reduction cell: edges leaving the inputs have stride 2 (skip_connect
  // becomes a factorized reduce there).
  const Graph g = darts_graph({{"max_pool_3x3", 0},
                               {"sep_conv_5x5", 1},
                               {"skip_connect", 2},
                               {"dil_conv_5x5", 1},
                               {"skip_connect", 0},
                               {"sep_conv_3x3", 2},
                               {"dil_conv_3x3", 3},
                               {"avg_pool_3x3", 1}});
  Cell cell(g, CellOptions(c).edge_strides(reduction_strides(g)));
  EXPECT_EQ(cell->out_channels(), 4 * c);
  const auto y = cell->forward({torch::randn({2, c, 8, 8}), torch::randn({2, c, 8, 8})});
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4 * c, 4, 4}));
  (y * torch::randn(y.sizes())).sum().backward();
  expect_all_gradients(*cell);
  // sep5 + skip(FR) + dil5 + sep3 + dil3 (c_in = c_out = c).
  const int64_t sep5 = 2 * (25 * c + c * c + 2 * c), sep3 = 2 * (9 * c + c * c + 2 * c);
  const int64_t dil5 = 25 * c + c * c + 2 * c, dil3 = 9 * c + c * c + 2 * c;
  EXPECT_EQ(count_parameters(*cell), sep5 + (c * c + 2 * c) + dil5 + sep3 + dil3);
}

TEST(Graph, DartsNormalCellConcatenatesIntermediates) {
  seed_torch(13);
  Cell cell(darts_v2_normal(), CellOptions(4));
  const auto y = cell->forward({torch::randn({2, 4, 6, 6}), torch::randn({2, 4, 6, 6})});
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 16, 6, 6}));
  (y * torch::randn(y.sizes())).sum().backward();
  expect_all_gradients(*cell);
}

TEST(Graph, SameSeedGivesBitIdenticalOutputs) {
  auto run = [](const Graph& g, int64_t n_inputs) {
    seed_torch(42);
    Cell cell(g, CellOptions(4));
    std::vector<torch::Tensor> inputs;
    for (int64_t i = 0; i < n_inputs; ++i) inputs.push_back(torch::randn({2, 4, 8, 8}));
    return cell->forward(inputs);
  };
  EXPECT_TRUE(torch::equal(run(nb201_example(), 1), run(nb201_example(), 1)));
  EXPECT_TRUE(torch::equal(run(darts_v2_normal(), 2), run(darts_v2_normal(), 2)));
}

TEST(Graph, ChosenMixedSlotsCompileLikeFixedOnes) {
  Graph mixed = nb201_graph(std::vector<OpSlot>(6, OpSlot::mixed(kNb201)));
  const std::vector<std::string> chosen = {"nor_conv_3x3", "nor_conv_1x1", "skip_connect",
                                           "avg_pool_3x3", "none",         "nor_conv_3x3"};
  const auto slots = mixed.mixed_slots();
  for (size_t k = 0; k < slots.size(); ++k) mixed.slot(slots[k]).choose(chosen[k]);
  seed_torch(5);
  Cell a(mixed, CellOptions(4));
  seed_torch(5);
  Cell b(nb201_example(), CellOptions(4));
  const auto x = torch::randn({2, 4, 6, 6});
  EXPECT_TRUE(torch::equal(a->forward({x}), b->forward({x})));
}

TEST(Graph, CellCloneIsIndependentAndEqual) {
  seed_torch(6);
  Cell cell(darts_v2_normal(), CellOptions(4));
  auto copy = std::dynamic_pointer_cast<CellImpl>(cell->clone());
  ASSERT_TRUE(copy);
  const std::vector<torch::Tensor> x = {torch::randn({2, 4, 6, 6}), torch::randn({2, 4, 6, 6})};
  EXPECT_TRUE(torch::equal(cell->forward(x), copy->forward(x)));
  torch::NoGradGuard no_grad;
  for (auto& p : copy->parameters()) p.add_(1.0);
  EXPECT_FALSE(torch::equal(cell->forward(x), copy->forward(x)));
}

TEST(Graph, NodeOperationsAndConcatBookkeeping) {
  // NAS-Bench-101 style: ops on nodes, plain edges, concatenating output.
  seed_torch(7);
  Graph g;
  g.add_input("in")
      .add_node("a", Combine::kSum, OpSlot::fixed("conv3x3-bn-relu"))
      .add_node("b", Combine::kSum, OpSlot::fixed("maxpool3x3"))
      .add_node("c", Combine::kConcat, OpSlot::fixed("conv1x1-bn-relu"))
      .add_output("out", Combine::kConcat);
  g.add_edge("in", "a").add_edge("in", "b").add_edge("a", "b").add_edge("a", "c");
  g.add_edge("b", "c").add_edge("c", "out").add_edge("b", "out");
  const int64_t c = 4;
  Cell cell(g, CellOptions(c));
  EXPECT_EQ(cell->out_channels(), 2 * c);
  // conv3x3 (c -> c), conv1x1 on the 2c-channel concat (2c -> c).
  EXPECT_EQ(count_parameters(*cell), (9 * c * c + 2 * c) + (2 * c * c + 2 * c));
  const auto y = cell->forward({torch::randn({2, c, 6, 6})});
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 2 * c, 6, 6}));
  (y * torch::randn(y.sizes())).sum().backward();
  expect_all_gradients(*cell);
}

TEST(Graph, CompileErrorsNameTheElement) {
  Graph g;
  g.add_input("in").add_node("a").add_output("out");
  g.add_edge("in", "a").add_edge("in", "out").add_edge("a", "out", OpSlot::fixed("nor_conv_3x3"));
  NASCPP_EXPECT_THROW_WITH(Cell(g, CellOptions(4).edge_strides({1, 2, 1})), ConfigError,
                           "edge 'in -> out' has stride 2 but no operation");
  g.edge("in", "a").op = OpSlot::fixed("nor_conv_3x3");
  NASCPP_EXPECT_THROW_WITH(Cell(g, CellOptions(4).edge_strides({2, 1, 1})), ConfigError,
                           "node 'out' combines inputs of different resolutions");
  NASCPP_EXPECT_THROW_WITH(Cell(g, CellOptions(4).edge_strides({1, 1})), ConfigError,
                           "edge_strides has 2 entries but the graph has 3 edges");
  Graph cat;
  cat.add_input("in").add_node("a", Combine::kConcat).add_output("out");
  cat.add_edge("in", "a").add_edge("in", "a2").add_edge("a", "out");
  NASCPP_EXPECT_THROW_WITH(Cell(cat, CellOptions(4)), ConfigError, "unknown node 'a2'");
  Graph pool;
  pool.add_input("in").add_node("a", Combine::kConcat).add_node("b").add_output("out");
  pool.add_edge("in", "a").add_edge("in", "b").add_edge("b", "a");
  pool.add_edge("a", "out", OpSlot::fixed("maxpool3x3"));
  NASCPP_EXPECT_THROW_WITH(Cell(pool, CellOptions(4)), ConfigError,
                           "edge 'a -> out': operation 'maxpool3x3' keeps its channels");
  Graph widths;
  widths.add_input("x").add_input("y").add_node("cat", Combine::kConcat).add_output("out");
  widths.add_edge("x", "cat").add_edge("y", "cat").add_edge("cat", "out").add_edge("x", "out");
  NASCPP_EXPECT_THROW_WITH(Cell(widths, CellOptions(4)), ConfigError,
                           "node 'out' sums inputs with different channel counts: edge 'cat -> "
                           "out' carries 8, edge 'x -> out' carries 4");
  Cell ok(nb201_example(), CellOptions(4));
  NASCPP_EXPECT_THROW_WITH(ok->forward({}), Error, "the cell takes 1 input tensor(s)");
  NASCPP_EXPECT_THROW_WITH(ok->forward({torch::randn({1, 3, 4, 4})}), Error,
                           "input node '0' expects a [N, 4, H, W] tensor");
}

// ------------------------------------------------------------ supernet cells

TEST(Graph, SupernetCellMixesEveryEdge) {
  seed_torch(20);
  const int64_t c = 4;
  const Graph g = nb201_graph(std::vector<OpSlot>(6, OpSlot::mixed(kNb201)));
  SupernetCell cell(g, CellOptions(c).op_args(OpArgs(1, 1).affine(false)));
  ASSERT_EQ(cell->mixed_slots().size(), 6u);
  // Per edge: nor_conv_1x1 (c^2) + nor_conv_3x3 (9c^2), no affine BN.
  EXPECT_EQ(count_parameters(*cell), 6 * (c * c + 9 * c * c));

  auto alphas = (1e-3 * torch::randn({6, 5})).requires_grad_(true);
  const auto weights = torch::softmax(alphas, -1).unbind(0);
  const auto x = torch::randn({2, c, 6, 6});
  const auto y = cell->forward({x}, weights);
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, c, 6, 6}));
  (y * torch::randn(y.sizes())).sum().backward();
  ASSERT_TRUE(alphas.grad().defined());
  for (int64_t e = 0; e < 6; ++e) EXPECT_GT(alphas.grad()[e].abs().sum().item<double>(), 0.0);
  expect_all_gradients(*cell);
  for (size_t k = 0; k < 6; ++k) {
    EXPECT_EQ(cell->mixed_op(k)->call_counts(), (std::vector<int64_t>(5, 1)));
  }
}

TEST(Graph, SupernetCellSampledForwardsComputeOneCandidatePerEdge) {
  seed_torch(21);
  const Graph g = nb201_graph(std::vector<OpSlot>(6, OpSlot::mixed(kNb201)));
  SupernetCell cell(g, CellOptions(4).op_args(OpArgs(1, 1).affine(false)));
  const auto x = torch::randn({2, 4, 6, 6});
  const std::vector<int64_t> indices = {3, 2, 1, 4, 0, 3};
  cell->forward_index({x}, indices);
  for (size_t k = 0; k < 6; ++k) {
    std::vector<int64_t> expected(5, 0);
    expected[static_cast<size_t>(indices[k])] = 1;
    EXPECT_EQ(cell->mixed_op(k)->call_counts(), expected) << "slot " << k;
    cell->mixed_op(k)->reset_call_counts();
  }

  // GDAS: straight-through one-hots; the architecture logits get a gradient.
  auto logits = torch::randn({6, 5}).requires_grad_(true);
  const auto probs = torch::softmax(logits, -1);
  const auto index = probs.argmax(-1);
  const auto one_hot = torch::zeros_like(probs).scatter_(-1, index.unsqueeze(-1), 1.0);
  const auto hard = (one_hot - probs.detach() + probs).unbind(0);
  std::vector<int64_t> chosen;
  for (int64_t k = 0; k < 6; ++k) chosen.push_back(index[k].item<int64_t>());
  const auto y = cell->forward_hard({x}, hard, chosen);
  (y * torch::randn(y.sizes())).sum().backward();
  EXPECT_GT(logits.grad().abs().sum().item<double>(), 0.0);
  for (size_t k = 0; k < 6; ++k) {
    const auto& counts = cell->mixed_op(k)->call_counts();
    EXPECT_EQ(counts[static_cast<size_t>(chosen[k])], 1);
    int64_t total = 0;
    for (const auto n : counts) total += n;
    EXPECT_EQ(total, 1) << "slot " << k;
  }

  // A sampled forward equals the compiled cell of that architecture.
  Graph fixed = g;
  const auto slots = fixed.mixed_slots();
  for (size_t k = 0; k < slots.size(); ++k)
    fixed.slot(slots[k]).choose(static_cast<size_t>(indices[k]));
  EXPECT_NO_THROW(fixed.validate(op_registry(), MixedSlots::kRequireChosen));

  NASCPP_EXPECT_THROW_WITH(cell->forward({x}, std::vector<torch::Tensor>(5, torch::ones({5}))),
                           Error, "has 6 mixed slot(s) but got 5 weight tensor(s)");
  NASCPP_EXPECT_THROW_WITH(cell->forward({x}, std::vector<torch::Tensor>(6, torch::ones({4}))),
                           Error, "edge '0 -> 1': weights must be 1-D with 5 entries");
}

TEST(Graph, DartsSupernetReductionCell) {
  seed_torch(22);
  const int64_t c = 4;
  const std::vector<std::string> states = {"c_{k-2}", "c_{k-1}", "0", "1", "2", "3"};
  Graph g;
  g.add_input(states[0]).add_input(states[1]);
  for (int i = 0; i < 4; ++i) g.add_node(states[2 + i]);
  g.add_output("out", Combine::kConcat);
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 2 + i; ++j) g.add_edge(states[j], states[2 + i], OpSlot::mixed(kDarts));
  }
  for (int i = 0; i < 4; ++i) g.add_edge(states[2 + i], "out");
  SupernetCell cell(g, CellOptions(c)
                           .edge_strides(reduction_strides(g))
                           .op_args(OpArgs(1, 1).affine(false).pool_bn(true)));
  ASSERT_EQ(cell->mixed_slots().size(), 14u);  // DARTS' k = 2 + 3 + 4 + 5
  auto alphas = (1e-3 * torch::randn({14, 8})).requires_grad_(true);
  const auto y = cell->forward({torch::randn({2, c, 8, 8}), torch::randn({2, c, 8, 8})},
                               torch::softmax(alphas, -1).unbind(0));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 4 * c, 4, 4}));
  (y * torch::randn(y.sizes())).sum().backward();
  EXPECT_GT(alphas.grad().abs().min().item<double>(), 0.0);
}

}  // namespace
}  // namespace nascpp

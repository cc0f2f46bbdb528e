#include "search_spaces/nasbench201/nasbench201.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nascpp/core/csv.h"
#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Ops = NasBench201Space::Ops;

// Reference facts of NAS-Bench-201 (paper, PROVENANCE.md), written out here
// rather than taken from the code under test.
const std::vector<std::string> kOpNames = {"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3",
                                           "avg_pool_3x3"};
const std::array<std::pair<int, int>, 6> kEdges = {
    {{0, 1}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}}};
const std::string kIndex0 =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_"
    "connect~2|";

Architecture make(const Ops& ops) {
  return Architecture("nasbench201", std::vector<int32_t>(ops.begin(), ops.end()));
}

int edges_differing(const Architecture& a, const Architecture& b) {
  int n = 0;
  for (size_t e = 0; e < 6; ++e) n += a.encoding()[e] != b.encoding()[e];
  return n;
}

std::string nats_csv() {
  return nascpp::test::data_dir() + "/nasbench201/nats-bench-landscape/nats_bench.csv";
}

TEST(NasBench201Space, BuiltThroughTheRegistry) {
  ConfigNode cfg;
  auto space = search_space_registry().create("nasbench201", cfg);
  ASSERT_NE(space, nullptr);
  EXPECT_EQ(space->name(), "nasbench201");
  EXPECT_EQ(space->size(), std::optional<uint64_t>(15625));
  EXPECT_EQ(NasBench201Space::op_names(), kOpNames);
  EXPECT_EQ(space->format(space->parse(kIndex0)), kIndex0);
}

TEST(NasBench201Space, ParsesTheOfficialStringInEdgeOrder) {
  NasBench201Space space;
  const Architecture a = space.parse(kIndex0);
  // Index 0 has op code 421211 (PROVENANCE.md).
  EXPECT_EQ(a.encoding(), (std::vector<int32_t>{4, 2, 1, 2, 1, 1}));
  EXPECT_EQ(space.format_op_code(a), "421211");
  EXPECT_EQ(space.parse_op_code("421211"), a);
  EXPECT_EQ(NasBench201Space::dense_id(a), 4 * 3125 + 2 * 625 + 1 * 125 + 2 * 25 + 1 * 5 + 1);
}

TEST(NasBench201Space, RoundTripsEveryArchitecture) {
  NasBench201Space space;
  const auto all = space.enumerate();
  ASSERT_EQ(all.size(), 15625u);
  std::set<std::string> codes;
  std::string previous;
  for (size_t i = 0; i < all.size(); ++i) {
    const Architecture& a = all[i];
    space.validate(a);
    const std::string text = space.format(a);
    const std::string code = space.format_op_code(a);
    ASSERT_EQ(space.parse(text), a) << text;
    ASSERT_EQ(space.parse_op_code(code), a) << code;
    ASSERT_EQ(NasBench201Space::dense_id(a), static_cast<int32_t>(i));
    ASSERT_EQ(NasBench201Space::from_ops(NasBench201Space::ops_from_dense_id(i)), a);
    // Op-code order: strictly increasing 6-digit codes.
    ASSERT_LT(previous, code);
    previous = code;
    codes.insert(code);
    // The string spells each edge's op in the official edge order.
    std::string expected;
    for (int t = 1, e = 0; t < 4; ++t) {
      expected += t > 1 ? "+|" : "|";
      for (int j = 0; j < t; ++j, ++e) {
        expected += kOpNames[a.encoding()[e]] + "~" + std::to_string(j) + "|";
      }
    }
    ASSERT_EQ(text, expected);
  }
  EXPECT_EQ(codes.size(), 15625u);
}

TEST(NasBench201Space, StringsMatchTheBenchmarkRows) {
  NASCPP_REQUIRE_DATA_DIR();
  NasBench201Space space;
  CsvReader csv(nats_csv());
  const size_t c_arch = csv.column("ArchitectureString");
  size_t rows = 0;
  while (csv.next_row()) {
    const std::string text(csv.field(c_arch));
    ASSERT_EQ(space.format(space.parse(text)), text);
    ++rows;
  }
  EXPECT_EQ(rows, 15625u);
}

TEST(NasBench201Space, NeighboursAreTheTwentyFourSingleEdgeChanges) {
  NasBench201Space space;
  for (const Ops& ops : {Ops{4, 2, 1, 2, 1, 1}, Ops{0, 0, 0, 0, 0, 0}, Ops{1, 1, 1, 1, 1, 1},
                         Ops{3, 3, 4, 1, 3, 1}, Ops{4, 4, 4, 4, 4, 4}}) {
    const Architecture a = make(ops);
    const auto n = space.neighbours(a);
    ASSERT_EQ(n.size(), 24u);
    std::set<Architecture> distinct(n.begin(), n.end());
    EXPECT_EQ(distinct.size(), 24u);
    EXPECT_EQ(distinct.count(a), 0u);
    std::map<size_t, int> per_edge;
    for (const auto& b : n) {
      space.validate(b);
      ASSERT_EQ(edges_differing(a, b), 1);
      for (size_t e = 0; e < 6; ++e) per_edge[e] += a.encoding()[e] != b.encoding()[e];
    }
    for (size_t e = 0; e < 6; ++e) EXPECT_EQ(per_edge[e], 4) << "edge " << e;
    EXPECT_EQ(space.neighbours(a), n);  // fixed order
  }
}

TEST(NasBench201Space, MutateChangesExactlyOneEdgeAndReachesEveryNeighbour) {
  NasBench201Space space;
  Rng rng(7);
  const Architecture a = make({4, 2, 1, 2, 1, 1});
  std::map<Architecture, int> counts;
  for (int i = 0; i < 24000; ++i) {
    const Architecture b = space.mutate(a, rng);
    ASSERT_EQ(edges_differing(a, b), 1);
    ++counts[b];
  }
  ASSERT_EQ(counts.size(), 24u);
  for (const auto& [b, count] : counts) {
    EXPECT_NEAR(count, 1000, 150) << space.format(b);
  }
}

TEST(NasBench201Space, SampleIsUniform) {
  NasBench201Space space;
  Rng rng(2024);
  const int draws = 312500;  // 20 per architecture on average
  std::vector<int> counts(15625, 0);
  std::array<std::array<int, 5>, 6> per_edge{};
  for (int i = 0; i < draws; ++i) {
    const Architecture a = space.sample(rng);
    ++counts[NasBench201Space::dense_id(a)];
    for (int e = 0; e < 6; ++e) ++per_edge[e][a.encoding()[e]];
  }
  for (int e = 0; e < 6; ++e) {
    for (int op = 0; op < 5; ++op) EXPECT_NEAR(per_edge[e][op], draws / 5, 1000);
  }
  // Chi-square over all 15,625 cells: mean 15,624, sd about 177.
  double chi2 = 0.0;
  const double expected = draws / 15625.0;
  for (int c : counts) chi2 += (c - expected) * (c - expected) / expected;
  EXPECT_NEAR(chi2, 15624.0, 5 * 177.0);
  EXPECT_EQ(*std::min_element(counts.begin(), counts.end()) > 0, true);
}

TEST(NasBench201Space, CanonicalClassesEqualNatsUniqueString) {
  NASCPP_REQUIRE_DATA_DIR();
  NasBench201Space space;
  CsvReader csv(nats_csv());
  const size_t c_arch = csv.column("ArchitectureString");
  const size_t c_unique = csv.column("UniqueString");
  std::map<std::string, std::set<int>> ours;
  std::map<std::string, std::set<int>> theirs;
  int index = 0;
  size_t same_string = 0;
  while (csv.next_row()) {
    const Architecture a = space.parse(std::string(csv.field(c_arch)));
    const std::string key = space.canonical(a);
    ours[key].insert(index);
    theirs[std::string(csv.field(c_unique))].insert(index);
    same_string += key == csv.field(c_unique);
    ++index;
  }
  ASSERT_EQ(index, 15625);
  EXPECT_EQ(ours.size(), 6466u);
  EXPECT_EQ(theirs.size(), 6466u);
  std::set<std::set<int>> our_classes;
  std::set<std::set<int>> their_classes;
  for (auto& [key, members] : ours) our_classes.insert(members);
  for (auto& [key, members] : theirs) their_classes.insert(members);
  EXPECT_TRUE(our_classes == their_classes);
  // The strings themselves are NATS-Bench's too.
  EXPECT_EQ(same_string, 15625u);
}

TEST(NasBench201Space, CanonicalFormIgnoresDeadEdgesAndInputOrder) {
  NasBench201Space space;
  // conv3x3 via node 1 (skip into node 3) plus conv1x1 on 0->3 computes the
  // same sum as conv1x1 via node 1 plus conv3x3 on 0->3.
  EXPECT_EQ(space.canonical(make({3, 0, 0, 2, 1, 0})), space.canonical(make({2, 0, 0, 3, 1, 0})));
  // Node 1 unreachable from the input: the op on 1->3 does not matter.
  EXPECT_EQ(space.canonical(make({0, 3, 1, 3, 2, 1})), space.canonical(make({0, 3, 1, 3, 4, 1})));
  EXPECT_NE(space.canonical(make({3, 3, 3, 3, 3, 3})), space.canonical(make({3, 3, 3, 3, 3, 2})));
}

// Brute-force path features: every input-to-output path found by DFS over the
// six edges, ordered by length and then by node sequence; each path has a
// block of 5^length features, numbered by its op sequence in base 5.
std::vector<float> reference_path_encoding(const Ops& ops) {
  std::vector<std::vector<int>> paths;  // node sequences
  std::function<void(std::vector<int>&)> dfs = [&](std::vector<int>& nodes) {
    if (nodes.back() == 3) {
      paths.push_back(nodes);
      return;
    }
    for (const auto& [from, to] : kEdges) {
      if (from != nodes.back()) continue;
      nodes.push_back(to);
      dfs(nodes);
      nodes.pop_back();
    }
  };
  std::vector<int> start = {0};
  dfs(start);
  std::sort(paths.begin(), paths.end(), [](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  std::vector<float> out;
  for (const auto& nodes : paths) {
    size_t block = 1;
    size_t code = 0;
    bool alive = true;
    for (size_t k = 0; k + 1 < nodes.size(); ++k) {
      size_t edge = 0;
      while (kEdges[edge] != std::make_pair(nodes[k], nodes[k + 1])) ++edge;
      block *= 5;
      code = code * 5 + static_cast<size_t>(ops[edge]);
      alive = alive && ops[edge] != 0;
    }
    const size_t offset = out.size();
    out.resize(offset + block, 0.0f);
    if (alive) out[offset + code] = 1.0f;
  }
  return out;
}

TEST(NasBench201Space, PathEncodingMatchesBruteForcePaths) {
  NasBench201Space space;
  ASSERT_EQ(reference_path_encoding(Ops{}).size(), 180u);
  for (const Architecture& a : space.enumerate()) {
    const auto ops = NasBench201Space::ops_of(a);
    ASSERT_EQ(space.encode(a, "path"), reference_path_encoding(ops)) << space.format(a);
  }
  // The all-conv3x3 cell: paths 0->3 (feature 3), 0->1->3 (5 + 3*5+3),
  // 0->2->3 (30 + 18), 0->1->2->3 (55 + 3*25+3*5+3).
  const auto f = space.encode(make({3, 3, 3, 3, 3, 3}), "path");
  std::vector<size_t> on;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != 0.0f) on.push_back(i);
  }
  EXPECT_EQ(on, (std::vector<size_t>{3, 23, 48, 148}));
}

TEST(NasBench201Space, EncodingsHaveTheDocumentedShapes) {
  NasBench201Space space;
  EXPECT_EQ(space.encodings(),
            (std::vector<std::string>{"adjacency", "onehot", "op_indices", "path"}));
  const Architecture a = make({4, 2, 1, 2, 1, 1});
  EXPECT_EQ(space.encode(a, "op_indices"), (std::vector<float>{4, 2, 1, 2, 1, 1}));
  const auto onehot = space.encode(a, "onehot");
  ASSERT_EQ(onehot.size(), 30u);
  for (int e = 0; e < 6; ++e) {
    for (int op = 0; op < 5; ++op) {
      EXPECT_EQ(onehot[e * 5 + op], op == a.encoding()[e] ? 1.0f : 0.0f);
    }
  }
  // Adjacency: 28 upper-triangle entries of the 8-node edge graph + onehot.
  const auto all_skip = space.encode(make({1, 1, 1, 1, 1, 1}), "adjacency");
  ASSERT_EQ(all_skip.size(), 58u);
  // input -> 3 edges out of node 0; 0->1 feeds 1->2 and 1->3; 0->2 and 1->2
  // feed 2->3; three edges into node 3 feed the output.
  EXPECT_EQ(std::count(all_skip.begin(), all_skip.begin() + 28, 1.0f), 3 + 4 + 3);
  const auto all_none = space.encode(make({0, 0, 0, 0, 0, 0}), "adjacency");
  EXPECT_EQ(std::count(all_none.begin(), all_none.begin() + 28, 1.0f), 0);
  EXPECT_EQ(std::vector<float>(all_none.begin() + 28, all_none.end()),
            space.encode(make({0, 0, 0, 0, 0, 0}), "onehot"));
  NASCPP_EXPECT_THROW_WITH(space.encode(a, "paths"), ConfigError,
                           "did you mean 'path'?; known: adjacency, onehot, op_indices, path");
}

TEST(NasBench201Space, MalformedStringsNameThePositionAndTheValidOps) {
  NasBench201Space space;
  const std::string ops_list = "none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3";
  struct Case {
    std::string text;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      // wrong op name
      {"|conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|",
       {"at character 1 (edge 0: 0->1)", "unknown op 'conv_3x3'"}},
      {"|none~0|+|none~0|none~1|+|none~0|max_pool~1|none~2|",
       {"at character 33 (edge 4: 1->3)", "unknown op 'max_pool'"}},
      // missing '|'
      {"|none~0+|none~0|none~1|+|none~0|none~1|none~2|",
       {"at character 7 (edge 0: 0->1)", "expected '|' after 'none~0', found '+'"}},
      {"none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
       {"at character 0", "expected '|' to open the group of node 1"}},
      {"|none~0|+|none~0|none~1|+|none~0|none~1|none~2",
       {"at character 46 (edge 5: 2->3)", "found the end of the string"}},
      // wrong number of groups
      {"|none~0|+|none~0|none~1|", {"at character 24", "ends after 2 node group(s)"}},
      {"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|",
       {"at character 47", "more than 3 node groups"}},
      {"|none~0|+|none~0|+|none~0|none~1|none~2|",
       {"at character 17 (edge 2: 1->2)", "node 2 has 1 input edge(s), expected 2"}},
      {"|none~0|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
       {"at character 8", "node 1 has more than 1 input edge(s)"}},
      // wrong ~j
      {"|none~0|+|none~1|none~1|+|none~0|none~1|none~2|",
       {"at character 15 (edge 1: 0->2)", "expected '~0'", "found '~1'"}},
      {"|none|+|none~0|none~1|+|none~0|none~1|none~2|",
       {"at character 5 (edge 0: 0->1)", "expected '~0' after the op 'none'"}},
      {"", {"at character 0"}},
  };
  for (const auto& c : cases) {
    try {
      space.parse(c.text);
      ADD_FAILURE() << "no error for '" << c.text << "'";
    } catch (const ConfigError& e) {
      const std::string message = e.what();
      for (const auto& part : c.expected) {
        EXPECT_NE(message.find(part), std::string::npos) << part << "\nmessage: " << message;
      }
      EXPECT_NE(message.find(ops_list), std::string::npos) << message;
    }
  }
}

TEST(NasBench201Space, OpCodesAndArchitecturesAreValidated) {
  NasBench201Space space;
  NASCPP_EXPECT_THROW_WITH(space.parse_op_code("42121"), ConfigError, "has 5 characters");
  NASCPP_EXPECT_THROW_WITH(space.parse_op_code("421215"), ConfigError,
                           "character 5 (edge 5: 2->3) is '5'");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("darts", {4, 2, 1, 2, 1, 1})), ConfigError,
                           "architecture of search space 'darts'");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench201", {4, 2, 1})), ConfigError,
                           "has 6 op indices, got 3");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench201", {4, 2, 1, 2, 1, 5})),
                           ConfigError, "op index 5 of edge 5 (2->3) is out of range");
  NASCPP_EXPECT_THROW_WITH(space.format(Architecture("nasbench201", {-1, 2, 1, 2, 1, 1})),
                           ConfigError, "op index -1 of edge 0");
}

}  // namespace
}  // namespace nascpp

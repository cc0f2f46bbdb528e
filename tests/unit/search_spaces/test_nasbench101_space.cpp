#include "search_spaces/nasbench101/nasbench101.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using Matrix = std::vector<std::vector<int>>;
using Ops = std::vector<std::string>;

const std::string kConv3 = "conv3x3-bn-relu";
const std::string kConv1 = "conv1x1-bn-relu";
const std::string kPool = "maxpool3x3";

struct RealCell {
  std::string hash;
  Matrix matrix;
  Ops ops;
  int64_t params;
};

// The 30 real cells of NAS-Bench-101 (shared/data/PROVENANCE.md).
std::vector<RealCell> real_cells() {
  std::ifstream in(test::data_dir() + "/nasbench101/nb101_sample30.json");
  const auto doc = nlohmann::json::parse(in);
  std::vector<RealCell> out;
  for (const auto& c : doc) {
    out.push_back({c.at("hash").get<std::string>(), c.at("matrix").get<Matrix>(),
                   c.at("ops").get<Ops>(), c.at("trainable_parameters").get<int64_t>()});
  }
  return out;
}

std::string text_of(const Matrix& m, const Ops& ops) {
  std::string s = "[";
  for (size_t i = 0; i < m.size(); ++i) {
    s += i ? ",[" : "[";
    for (size_t j = 0; j < m.size(); ++j) s += (j ? "," : "") + std::to_string(m[i][j]);
    s += "]";
  }
  s += "]|";
  for (size_t v = 0; v < ops.size(); ++v) s += (v ? "," : "") + ops[v];
  return s;
}

TEST(NasBench101Space, BuiltThroughTheRegistry) {
  ConfigNode cfg;
  auto space = search_space_registry().create("nasbench101", cfg);
  ASSERT_NE(space, nullptr);
  EXPECT_EQ(space->name(), "nasbench101");
  const std::string text =
      "[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]|input," + kConv3 + "," + kPool + ",output";
  EXPECT_EQ(space->format(space->parse(text)), text);
  EXPECT_EQ(space->encodings(), (std::vector<std::string>{"adjacency", "path"}));
}

TEST(NasBench101Space, HashesEqualTheBenchmarkKeysOnThe30RealCells) {
  NASCPP_REQUIRE_DATA_DIR();
  NasBench101Space space;
  const auto cells = real_cells();
  ASSERT_EQ(cells.size(), 30u);
  for (const auto& c : cells) {
    const Architecture a = NasBench101Space::from_spec(c.matrix, c.ops);
    EXPECT_EQ(space.hash_spec(a), c.hash) << text_of(c.matrix, c.ops);
    // The benchmark stores pruned specs: pruning keeps them as they are.
    EXPECT_EQ(space.format(a), text_of(c.matrix, c.ops));
    EXPECT_EQ(space.parse(text_of(c.matrix, c.ops)), a);
  }
}

TEST(NasBench101Space, IsomorphicCellsShareAHashAndOthersDoNot) {
  NASCPP_REQUIRE_DATA_DIR();
  NasBench101Space space;
  std::set<std::string> hashes;
  for (const auto& c : real_cells()) {
    const size_t n = c.matrix.size();
    std::vector<size_t> perm(n - 2);
    std::iota(perm.begin(), perm.end(), 1);
    int relabelings = 0;
    // Every relabelling of the interior vertices that keeps the matrix upper
    // triangular describes the same cell.
    do {
      std::vector<size_t> p = {0};
      p.insert(p.end(), perm.begin(), perm.end());
      p.push_back(n - 1);
      Matrix m(n, std::vector<int>(n, 0));
      Ops ops(n);
      bool upper = true;
      for (size_t i = 0; i < n; ++i) {
        ops[p[i]] = c.ops[i];
        for (size_t j = 0; j < n; ++j) {
          m[p[i]][p[j]] = c.matrix[i][j];
          if (c.matrix[i][j] && p[i] >= p[j]) upper = false;
        }
      }
      if (!upper) continue;
      ++relabelings;
      EXPECT_EQ(space.hash_spec(NasBench101Space::from_spec(m, ops)), c.hash);
    } while (std::next_permutation(perm.begin(), perm.end()));
    EXPECT_GE(relabelings, 1);
    hashes.insert(c.hash);
    // A different op on one vertex is a different cell.
    Ops changed = c.ops;
    changed[1] = changed[1] == kConv3 ? kConv1 : kConv3;
    EXPECT_NE(space.hash_spec(NasBench101Space::from_spec(c.matrix, changed)), c.hash);
  }
  EXPECT_EQ(hashes.size(), 30u);
}

TEST(NasBench101Space, PrunesVerticesOffTheInputOutputPaths) {
  NasBench101Space space;
  // Vertex 2 has no path to the output, vertex 3 none from the input.
  const Matrix raw = {
      {0, 1, 1, 0, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
  const Architecture a =
      NasBench101Space::from_spec(raw, {"input", kConv3, kPool, kConv1, "output"});
  EXPECT_EQ(space.format(a), "[[0,1,0],[0,0,1],[0,0,0]]|input," + kConv3 + ",output");
  EXPECT_EQ(a.encoding(), (std::vector<int32_t>{3, 1, 0, 1, 0}));
  // The flattened form of the benchmark file parses to the same cell.
  EXPECT_EQ(space.parse("0110000001000000000100000|input," + kConv3 + "," + kPool + "," + kConv1 +
                        ",output"),
            a);
  // A raw 8x8 matrix is fine when it prunes to 7 vertices (as nasbench's ModelSpec).
  Matrix big(8, std::vector<int>(8, 0));
  for (int v = 0; v < 6; ++v) big[v][v + 1] = 1;
  big[6][7] = 1;
  big[0][2] = 1;  // vertex 1 .. 6 chain, plus a dangling input edge
  big[3][7] = 0;
  Ops big_ops(8, kConv3);
  big_ops.front() = "input";
  big_ops.back() = "output";
  // Make vertex 1 dangle: nothing reaches it from the input.
  big[0][1] = 0;
  const Architecture pruned = NasBench101Space::from_spec(big, big_ops);
  EXPECT_EQ(NasBench101Space::spec_of(pruned).num_vertices, 7);
}

// NAS-Bench-101's and NASLib's users have cells as {"matrix": ..., "ops": ...}.
TEST(NasBench101Space, ParsesTheJsonSpecForm) {
  NasBench101Space space;
  const std::string text = "[[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]|input,conv3x3-bn-relu,maxpool3x3,output";
  const Architecture a = space.parse(text);
  EXPECT_EQ(space.parse(R"( {"matrix": [[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]],
                            "ops": ["input", "conv3x3-bn-relu", "maxpool3x3", "output"]})"),
            a);
  EXPECT_EQ(space.format(space.parse(R"({"ops": ["input", "conv3x3-bn-relu", "maxpool3x3",
      "output"], "matrix": [[0,1,1,0],[0,0,0,1],[0,0,0,1],[0,0,0,0]]})")),
            text);
  NASCPP_EXPECT_THROW_WITH(space.parse(R"({"matrix": [[0,1],[0,0]]})"), ConfigError,
                           "the JSON spec lacks 'ops'");
  NASCPP_EXPECT_THROW_WITH(
      space.parse(R"({"matrix": [[0,1],[0,0]], "ops": ["input","output"], "hash": "x"})"),
      ConfigError, "unknown key 'hash' (known: matrix, ops)");
  NASCPP_EXPECT_THROW_WITH(space.parse(R"({"matrix": [[0,2],[0,0]], "ops": ["input","output"]})"),
                           ConfigError, "matrix entries are 0 or 1, got 2");
  NASCPP_EXPECT_THROW_WITH(
      space.parse(R"({"matrix": [[0,1],[0,0]], "ops": ["input","outptu"]})"), ConfigError,
      "unknown op 'outptu' (op 1); did you mean 'output'?");
  NASCPP_EXPECT_THROW_WITH(space.parse(R"({"matrix": [[0,1],[0,0]], "ops": )"), ConfigError,
                           "not valid JSON");
  NASCPP_EXPECT_THROW_WITH(space.parse(std::string(100, '{')), ConfigError, "malformed NAS-Bench-101 spec");
}

TEST(NasBench101Space, InvalidSpecsNameTheFailedRule) {
  NasBench101Space space;
  using Error = ConfigError;
  const Ops ops5 = {"input", kConv3, kConv3, kConv3, "output"};
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec({{0, 1, 0}, {0, 0, 0}, {0, 0, 0}}, {"input", kConv3, "output"}),
      Error, "the output is not reachable from the input");
  // 10 edges among 7 vertices, all on input-output paths.
  Matrix dense(7, std::vector<int>(7, 0));
  for (int v = 0; v < 6; ++v) dense[v][v + 1] = 1;
  dense[0][2] = dense[0][3] = dense[0][4] = dense[0][6] = 1;
  Ops ops7(7, kConv1);
  ops7.front() = "input";
  ops7.back() = "output";
  NASCPP_EXPECT_THROW_WITH(NasBench101Space::from_spec(dense, ops7), Error,
                           "too many edges: 10 after pruning, at most 9");
  Matrix chain(8, std::vector<int>(8, 0));
  for (int v = 0; v < 7; ++v) chain[v][v + 1] = 1;
  Ops ops8(8, kPool);
  ops8.front() = "input";
  ops8.back() = "output";
  NASCPP_EXPECT_THROW_WITH(NasBench101Space::from_spec(chain, ops8), Error,
                           "too many vertices: 8 after pruning, at most 7");
  const Matrix m5 = {
      {0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0}};
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec(m5, {kConv3, kConv3, kConv3, kConv3, "output"}), Error,
      "the first op must be 'input', got 'conv3x3-bn-relu'");
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec(m5, {"input", kConv3, kConv3, kConv3, kPool}), Error,
      "the last op must be 'output', got 'maxpool3x3'");
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec(m5, {"input", kConv3, "output", kConv3, "output"}), Error,
      "vertex 2 (after pruning) has op 'output'; interior ops must be one of: conv3x3-bn-relu, "
      "conv1x1-bn-relu, maxpool3x3");
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec(m5, {"input", "conv5x5", kConv3, kConv3, "output"}), Error,
      "unknown NAS-Bench-101 op 'conv5x5'");
  Matrix lower = m5;
  lower[3][1] = 1;
  NASCPP_EXPECT_THROW_WITH(
      NasBench101Space::from_spec(lower, ops5), Error,
      "must be upper triangular (zero on and below the diagonal): entry [3][1]");
  NASCPP_EXPECT_THROW_WITH(NasBench101Space::from_spec({{0, 1}, {0, 0, 0}}, {"input", "output"}),
                           Error, "must be square: row 1 has 3 entries, expected 2");
  NASCPP_EXPECT_THROW_WITH(NasBench101Space::from_spec(m5, {"input", "output"}), Error,
                           "has 2 ops for a 5x5 matrix");
  Matrix two = m5;
  two[0][1] = 2;
  NASCPP_EXPECT_THROW_WITH(NasBench101Space::from_spec(two, ops5), Error,
                           "entry [0][1] is 2; entries must be 0 or 1");

  // Text errors name the bad token and the valid ops.
  NASCPP_EXPECT_THROW_WITH(space.parse("[[0,1],[0,0]]|input,conv3x3,output"), Error,
                           "at character 20: unknown op 'conv3x3' (op 1)");
  NASCPP_EXPECT_THROW_WITH(
      space.parse("[[0,1],[0,0]]|input,conv3x3,output"), Error,
      "ops one of: input, conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3, output");
  NASCPP_EXPECT_THROW_WITH(space.parse("[[0,1],[0,0]]"), Error, "missing '|'");
  NASCPP_EXPECT_THROW_WITH(space.parse("[[0,1],[0,x]]|input,output"), Error,
                           "at character 10: expected a matrix entry 0 or 1 in row 1, found 'x'");
  NASCPP_EXPECT_THROW_WITH(space.parse("[[0,1],[0,0]|input,output"), Error,
                           "expected ']' or ',' after a row");
  NASCPP_EXPECT_THROW_WITH(space.parse("011|input,output"), Error,
                           "a flattened matrix has n*n digits, got 3");
  NASCPP_EXPECT_THROW_WITH(space.parse("[[0,0],[0,0]]|input,output"), Error,
                           "invalid NAS-Bench-101 spec: the output is not reachable");

  // Architecture values that are not pruned valid specs.
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench101", {3, 1, 1, 0, 0})), Error,
                           "is not pruned");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench101", {3, 1, 0, 1})), Error,
                           "has 5 encoding entries, got 4");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench201", {0, 0, 0, 0, 0, 0})), Error,
                           "architecture of search space 'nasbench201'");
}

TEST(NasBench101Space, SamplesAreValidDeterministicAndRoundTrip) {
  NasBench101Space space;
  Rng rng(7), again(7);
  std::set<Architecture> distinct;
  for (int i = 0; i < 300; ++i) {
    const Architecture a = space.sample(rng);
    EXPECT_EQ(a, space.sample(again));
    EXPECT_NO_THROW(space.validate(a));
    const NasBench101Spec s = NasBench101Space::spec_of(a);
    EXPECT_LE(s.num_edges(), 9);
    EXPECT_EQ(space.parse(space.format(a)), a);
    // The flattened form of the same spec parses to the same architecture.
    std::string flat;
    for (int r = 0; r < s.num_vertices; ++r) {
      for (int c = 0; c < s.num_vertices; ++c) flat += static_cast<char>('0' + s.matrix[r][c]);
    }
    const std::string text = space.format(a);
    EXPECT_EQ(space.parse(flat + text.substr(text.find('|'))), a);
    EXPECT_EQ(space.encode(a, "adjacency").size(), 36u);
    EXPECT_EQ(space.encode(a, "path").size(), 364u);
    distinct.insert(a);
  }
  // Uniform over raw specs: small pruned cells recur, but not degenerately.
  EXPECT_GT(distinct.size(), 150u);
}

TEST(NasBench101Space, MutationsAreValidAndChangeTheCell) {
  NasBench101Space space;
  Rng rng(11);
  Architecture a = space.sample(rng);
  for (int i = 0; i < 300; ++i) {
    const Architecture b = space.mutate(a, rng);
    EXPECT_NO_THROW(space.validate(b));
    EXPECT_NE(b, a);
    a = b;
  }
}

TEST(NasBench101Space, NeighboursOfAChainAreExactlyTheSingleChanges) {
  NasBench101Space space;
  const Architecture chain = space.parse("[[0,1,0],[0,0,1],[0,0,0]]|input," + kConv3 + ",output");
  std::vector<std::string> got;
  for (const auto& n : space.neighbours(chain)) got.push_back(space.format(n));
  // Two op changes, then the one edge flip that stays valid and changes the
  // pruned cell (input -> output); other flips disconnect the cell or touch
  // only vertices that pruning removes.
  EXPECT_EQ(got,
            (std::vector<std::string>{"[[0,1,0],[0,0,1],[0,0,0]]|input," + kConv1 + ",output",
                                      "[[0,1,0],[0,0,1],[0,0,0]]|input," + kPool + ",output",
                                      "[[0,1,1],[0,0,1],[0,0,0]]|input," + kConv3 + ",output"}));
}

TEST(NasBench101Space, NeighboursAreValidDistinctAndOneChangeAway) {
  NasBench101Space space;
  Rng rng(3);
  for (int i = 0; i < 50; ++i) {
    const Architecture a = space.sample(rng);
    const auto nbrs = space.neighbours(a);
    std::set<Architecture> unique(nbrs.begin(), nbrs.end());
    EXPECT_EQ(unique.size(), nbrs.size());
    EXPECT_EQ(unique.count(a), 0u);
    EXPECT_LE(nbrs.size(), 21u + 10u);
    const auto ea = space.encode(a, "adjacency");
    for (const auto& b : nbrs) {
      EXPECT_NO_THROW(space.validate(b));
      // One edge flip or op change of the padded spec; pruning may remove
      // more, so compare the op one-hots only when no vertex disappeared.
      const auto sa = NasBench101Space::spec_of(a);
      const auto sb = NasBench101Space::spec_of(b);
      if (sa.num_vertices == sb.num_vertices) {
        const auto eb = space.encode(b, "adjacency");
        int diff = 0;
        for (size_t k = 0; k < ea.size(); ++k) diff += ea[k] != eb[k];
        EXPECT_TRUE(diff == 1 || diff == 2) << space.format(a) << " -> " << space.format(b);
      }
    }
  }
}

TEST(NasBench101Space, EncodingsOfAKnownCell) {
  NasBench101Space space;
  // input -> conv1x1 -> maxpool -> output, plus input -> output.
  const Architecture a = space.parse("[[0,1,0,1],[0,0,1,0],[0,0,0,1],[0,0,0,0]]|input," + kConv1 +
                                     "," + kPool + ",output");
  const auto path = space.encode(a, "path");
  // Paths: [] -> feature 0; [conv1x1, maxpool] -> 3^0 (1 + 1) + 3^1 (2 + 1) = 11.
  std::vector<size_t> set;
  for (size_t k = 0; k < path.size(); ++k) {
    if (path[k] != 0.0f) set.push_back(k);
  }
  EXPECT_EQ(set, (std::vector<size_t>{0, 11}));
  const auto adj = space.encode(a, "adjacency");
  // Padded: vertices 0, 1, 2 in place, output at 6. Row-major upper triangle
  // positions: (0,1) = 0, (0,6) = 5, (1,2) = 6, (2,6) = 14.
  std::vector<size_t> on;
  for (size_t k = 0; k < adj.size(); ++k) {
    if (adj[k] != 0.0f) on.push_back(k);
  }
  // Op one-hots: vertex 1 conv1x1 -> 21 + 1, vertex 2 maxpool -> 24 + 2.
  EXPECT_EQ(on, (std::vector<size_t>{0, 5, 6, 14, 22, 26}));
  NASCPP_EXPECT_THROW_WITH(space.encode(a, "onehot"), ConfigError,
                           "unknown NAS-Bench-101 encoding 'onehot'");
}

}  // namespace
}  // namespace nascpp

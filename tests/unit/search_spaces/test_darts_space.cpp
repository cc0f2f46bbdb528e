// The DARTS search space: genotype and compact text forms (DARTS_V1/V2 from
// quark0/darts cnn/genotypes.py, the 725 NAS-Bench-301 keys of NASLib's
// zc_nasbench301.json), errors, sampling, mutation, neighbours, encodings.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "search_spaces/darts/darts.h"
#include "support/darts_genotypes.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

using test::kDartsV1;
using test::kDartsV2;

// Number of positions where two encodings differ.
int differences(const Architecture& a, const Architecture& b) {
  int n = 0;
  for (size_t i = 0; i < a.encoding().size(); ++i) n += a.encoding()[i] != b.encoding()[i];
  return n;
}

std::vector<std::string> nb301_keys() {
  std::ifstream in(test::data_dir() + "/nas-bench-suite-zero/zc_nasbench301.json");
  EXPECT_TRUE(in.good());
  nlohmann::json j;
  in >> j;
  std::vector<std::string> keys;
  for (const auto& item : j.at("cifar10").items()) keys.push_back(item.key());
  return keys;
}

TEST(DartsSpace, BuiltThroughTheRegistry) {
  auto cfg =
      ConfigNode::parse("channels: 16\nlayers: 8\nauxiliary: false\nsupernet:\n  layers: 5\n");
  auto space = search_space_registry().create("darts", cfg);
  ASSERT_NE(space, nullptr);
  EXPECT_EQ(space->name(), "darts");
  EXPECT_FALSE(space->size().has_value());
  EXPECT_EQ(space->format(space->parse(kDartsV2)), kDartsV2);
  const auto& darts = dynamic_cast<const DartsSpace&>(*space);
  EXPECT_EQ(darts.network_options().channels(), 16);
  EXPECT_EQ(darts.network_options().layers(), 8);
  EXPECT_FALSE(darts.network_options().auxiliary());
  EXPECT_EQ(darts.supernet_options().layers(), 5);
  EXPECT_EQ(darts.supernet_options().channels(), 16);
  NASCPP_EXPECT_THROW_WITH(space->enumerate(), Error, "darts");
}

TEST(DartsSpace, OptionsRejectBadValues) {
  auto odd = ConfigNode::parse("channels: 7\n");
  NASCPP_EXPECT_THROW_WITH(DartsSpace::from_config(odd), ConfigError, "even number");
  auto few = ConfigNode::parse("supernet:\n  layers: 2\n");
  NASCPP_EXPECT_THROW_WITH(DartsSpace::from_config(few), ConfigError, "at least 3");
  auto drop = ConfigNode::parse("drop_path_prob: 1.0\n");
  NASCPP_EXPECT_THROW_WITH(DartsSpace::from_config(drop), ConfigError, "[0, 1)");
}

TEST(DartsSpace, GenotypeTextRoundTripsDartsV1AndV2) {
  DartsSpace space;
  for (const auto& text : {kDartsV1, kDartsV2}) {
    const Architecture a = space.parse(text);
    EXPECT_EQ(space.format(a), text);
    EXPECT_EQ(space.parse(DartsSpace::format_compact(a)), a);
  }
  // DARTS_V2's normal cell: ('sep_conv_3x3', 0) is compact (0, 3); its last
  // pair ('dil_conv_3x3', 2) is (2, 5); the reduce cell starts (0, 0) = max pool.
  const auto v2 = space.parse(kDartsV2).encoding();
  EXPECT_EQ(std::vector<int32_t>(v2.begin(), v2.begin() + 4), (std::vector<int32_t>{0, 3, 1, 3}));
  EXPECT_EQ(v2[14], 2);
  EXPECT_EQ(v2[15], 5);
  EXPECT_EQ(v2[16], 0);
  EXPECT_EQ(v2[17], 0);
  EXPECT_EQ(DartsSpace::format_compact(space.parse(kDartsV2)),
            "[[(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 2), (0, 2), (2, 5)], "
            "[(0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)]]");
}

TEST(DartsSpace, ParsesPythonVariantsOfTheGenotype) {
  DartsSpace space;
  const Architecture v1 = space.parse(kDartsV1);
  // Python 3's print of a searched genotype: range concat, double quotes,
  // other spacing, positional fields, tuples instead of lists.
  std::string text = kDartsV1;
  for (const std::string from : {"normal_concat=[2, 3, 4, 5]", "reduce_concat=[2, 3, 4, 5]"}) {
    const std::string to = from.substr(0, from.find('=')) + " = range(2, 6)";
    text.replace(text.find(from), from.size(), to);
  }
  EXPECT_EQ(space.parse(text), v1);
  std::string quoted = kDartsV1;
  for (auto& c : quoted) c = c == '\'' ? '"' : c;
  EXPECT_EQ(space.parse("  " + quoted + "\n"), v1);
  EXPECT_EQ(
      space.parse("Genotype([('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
                  "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', "
                  "0), ('skip_connect', 2)], (2, 3, 4, 5), reduce=[('max_pool_3x3', 0), "
                  "('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0), ('max_pool_3x3', "
                  "0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)], "
                  "reduce_concat=[2, 3, 4, 5],)"),
      v1);
  // The compact form with tuples (NASLib's convert_genotype_to_compact).
  const std::string compact = DartsSpace::format_compact(v1);
  std::string tuples = compact;
  for (auto& c : tuples) c = c == '[' ? '(' : c == ']' ? ')' : c;
  EXPECT_EQ(space.parse(tuples), v1);
}

TEST(DartsSpace, CompactFormRoundTripsEveryNasBench301Key) {
  NASCPP_REQUIRE_DATA_DIR();
  DartsSpace space;
  const auto keys = nb301_keys();
  ASSERT_EQ(keys.size(), 725u);
  std::set<Architecture> distinct;
  for (const auto& key : keys) {
    const Architecture a = space.parse(key);
    EXPECT_EQ(DartsSpace::format_compact(a), key);
    EXPECT_EQ(space.parse(space.format(a)), a) << key;
    distinct.insert(a);
  }
  EXPECT_EQ(distinct.size(), 725u);
  // The first key of the file, decoded by hand: normal pair 1 is (1, 5) =
  // dil_conv_3x3 from c_{k-1}; reduce pair 7 is (3, 6) = dil_conv_5x5 from node 3.
  const Architecture first = space.parse(
      "[[(0, 0), (1, 5), (1, 1), (0, 1), (1, 3), (0, 3), (1, 3), (3, 2)], "
      "[(1, 0), (0, 2), (1, 3), (0, 3), (3, 0), (0, 1), (2, 0), (3, 6)]]");
  EXPECT_EQ(space.format(first),
            "Genotype(normal=[('max_pool_3x3', 0), ('dil_conv_3x3', 1), ('avg_pool_3x3', 1), "
            "('avg_pool_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
            "('skip_connect', 3)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 1), "
            "('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('max_pool_3x3', 3), "
            "('avg_pool_3x3', 0), ('max_pool_3x3', 2), ('dil_conv_5x5', 3)], "
            "reduce_concat=[2, 3, 4, 5])");
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(DartsSpace, MalformedGenotypesAreClearErrors) {
  DartsSpace space;
  auto bad = [&](const std::string& text, const std::string& substring) {
    NASCPP_EXPECT_THROW_WITH(space.parse(text), ConfigError, substring);
  };
  // Unknown op, with the valid names.
  bad(replace_once(kDartsV2, "'dil_conv_3x3'", "'sep_conv_7x7'"), "unknown op 'sep_conv_7x7'");
  bad(replace_once(kDartsV2, "'dil_conv_3x3'", "'sep_conv_7x7'"), "dil_conv_5x5");
  bad(replace_once(kDartsV2, "'dil_conv_3x3'", "'none'"), "only a candidate of the supernet");
  // Input out of range: pair 2 feeds node 3, which takes inputs 0..2.
  bad(replace_once(kDartsV2, "('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1)",
                   "('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1)"),
      "node 3 takes inputs 0..2");
  bad(replace_once(kDartsV2, "('sep_conv_3x3', 0)", "('sep_conv_3x3', -1)"), "input -1 of pair 0");
  // Duplicate inputs of one node.
  bad(replace_once(kDartsV2, "('sep_conv_3x3', 0), ('sep_conv_3x3', 1)",
                   "('sep_conv_3x3', 1), ('sep_conv_3x3', 1)"),
      "pairs 0 and 1 of the normal cell both take input 1");
  // Wrong number of pairs.
  bad(replace_once(kDartsV2, ", ('dil_conv_3x3', 2)", ""),
      "has 7 ('op', input) pair(s), expected 8");
  // Wrong concat.
  bad(replace_once(kDartsV2, "normal_concat=[2, 3, 4, 5]", "normal_concat=[2, 3, 4]"),
      "normal_concat must be [2, 3, 4, 5]");
  bad(replace_once(kDartsV2, "reduce_concat=[2, 3, 4, 5]", "reduce_concat=range(2, 7)"),
      "got [2, 3, 4, 5, 6]");
  // Fields.
  bad(replace_once(kDartsV2, ", reduce_concat=[2, 3, 4, 5]", ""),
      "field 'reduce_concat' is missing");
  bad(replace_once(kDartsV2, "reduce_concat=", "reduce_conat="), "did you mean 'reduce_concat'");
  bad(replace_once(kDartsV2, "Genotype(", "Genome("), "of 'Genome'");
  // Syntax.
  bad(kDartsV2.substr(0, 60), "malformed DARTS architecture");
  bad(kDartsV2 + ")", "after the end");
  bad("", "found the end of the text");
  bad(replace_once(kDartsV2, "('sep_conv_3x3', 0)", "('sep_conv_3x3', x)"),
      "expected '(' after 'x'");
  // Compact form.
  const std::string compact =
      "[[(0, 3), (1, 3), (0, 3), (1, 3), (1, 3), (0, 2), (0, 2), (2, 5)], "
      "[(0, 0), (1, 0), (2, 2), (1, 0), (0, 0), (2, 2), (2, 2), (1, 0)]]";
  EXPECT_EQ(space.parse(compact), space.parse(kDartsV2));
  bad(replace_once(compact, "(2, 5)", "(2, 7)"), "op id 7 of pair 7 (node 5)");
  bad(replace_once(compact, "(2, 5)", "(2, 7)"), "0=max_pool_3x3");
  bad(replace_once(compact, "(0, 0), (1, 0), (2, 2)", "(0, 0), (0, 0), (2, 2)"),
      "pairs 0 and 1 of the reduce cell both take input 0");
  bad(replace_once(compact, "(2, 2), (1, 0)]]", "(5, 2), (1, 0)]]"), "node 5 takes inputs 0..4");
  bad(replace_once(compact, ", (2, 5)]", "]"), "list of 8 (input, op id) pairs");
  bad("[" + compact.substr(1, compact.find("]")) + "]", "2 cells");
  bad(replace_once(compact, "(2, 5)", "(2, 'dil_conv_3x3')"), "op id of pair 7 must be a number");
}

// The parser recurses once per nesting level: 30,000 nested '[' overflowed
// the stack (SIGSEGV) before the depth was bounded.
TEST(DartsSpace, DeepNestingIsAnErrorNotAStackOverflow) {
  DartsSpace space;
  for (const char open : {'[', '('}) {
    const std::string deep(30000, open);
    NASCPP_EXPECT_THROW_WITH(space.parse(deep), ConfigError,
                             "lists and calls nested deeper than 64 levels");
    // The message shows the start of the text, not all of it.
    try {
      space.parse(deep);
    } catch (const ConfigError& e) {
      EXPECT_LT(std::string(e.what()).size(), 2000u);
      EXPECT_NE(std::string(e.what()).find("... (30000 characters)"), std::string::npos)
          << e.what();
    }
  }
  std::string calls;
  for (int i = 0; i < 30000; ++i) calls += "Genotype(";
  NASCPP_EXPECT_THROW_WITH(space.parse(calls), ConfigError, "nested deeper than 64 levels");
  // 64 levels are within the bound and fail for what they are.
  const std::string limit = std::string(64, '[') + std::string(64, ']');
  NASCPP_EXPECT_THROW_WITH(space.parse(limit), ConfigError, "the compact form has 2 cells");
  const std::string over = std::string(65, '[') + std::string(65, ']');
  NASCPP_EXPECT_THROW_WITH(space.parse(over), ConfigError, "nested deeper than 64 levels");
  // Genotypes of ordinary length are shown whole.
  NASCPP_EXPECT_THROW_WITH(space.parse(kDartsV2 + ")"), ConfigError, kDartsV2 + ")'");
}

TEST(DartsSpace, ValidateRejectsForeignAndMalformedEncodings) {
  DartsSpace space;
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("nasbench201", {0, 1, 2, 3, 4, 0})),
                           ConfigError, "search space 'nasbench201'");
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("darts", {0, 1})), ConfigError,
                           "has 32 integers");
  auto enc = space.parse(kDartsV1).encoding();
  enc[31] = 9;
  NASCPP_EXPECT_THROW_WITH(space.validate(Architecture("darts", enc)), ConfigError,
                           "op id 9 of pair 7 (node 5) of the reduce cell");
  NASCPP_EXPECT_THROW_WITH(space.format(Architecture("darts", enc)), ConfigError, "op id 9");
  NASCPP_EXPECT_THROW_WITH(space.encode(space.parse(kDartsV1), "onehot"), ConfigError,
                           "adjacency, compact, path");
}

// Every node's two inputs are distinct and in range (validate), and the
// sampler reaches every op and every input of every node.
TEST(DartsSpace, SamplesAreValidAndCoverTheChoices) {
  DartsSpace space;
  Rng rng(11);
  std::set<std::pair<int, int32_t>> ops_seen, inputs_seen;  // (position, value)
  std::set<Architecture> distinct;
  for (int i = 0; i < 2000; ++i) {
    const Architecture a = space.sample(rng);
    ASSERT_NO_THROW(space.validate(a));
    distinct.insert(a);
    for (int p = 0; p < 16; ++p) {
      inputs_seen.insert({p, a.encoding()[2 * p]});
      ops_seen.insert({p, a.encoding()[2 * p + 1]});
    }
  }
  EXPECT_EQ(distinct.size(), 2000u);
  EXPECT_EQ(ops_seen.size(), 16u * 7u);
  // Pair p of a cell feeds node p/2 + 2, which has p/2 + 2 possible inputs.
  size_t expected_inputs = 0;
  for (int p = 0; p < 16; ++p) expected_inputs += static_cast<size_t>((p % 8) / 2 + 2);
  EXPECT_EQ(inputs_seen.size(), expected_inputs);
}

TEST(DartsSpace, NeighboursAreAllSingleChangesWithoutDuplicates) {
  DartsSpace space;
  Rng rng(5);
  for (int i = 0; i < 50; ++i) {
    const Architecture a = space.sample(rng);
    const auto nbrs = space.neighbours(a);
    // Per cell: 8 pairs x 6 other ops, plus input moves: node 2 none, node 3
    // one per pair, node 4 two, node 5 three: 2 * (1 + 2 + 3) = 12.
    ASSERT_EQ(nbrs.size(), 2u * (48u + 12u));
    std::set<Architecture> unique(nbrs.begin(), nbrs.end());
    EXPECT_EQ(unique.size(), nbrs.size());
    EXPECT_EQ(unique.count(a), 0u);
    for (const auto& n : nbrs) {
      ASSERT_NO_THROW(space.validate(n));
      EXPECT_EQ(differences(a, n), 1);
    }
  }
}

TEST(DartsSpace, MutationChangesOneOpOrInputAndStaysValid) {
  DartsSpace space;
  Rng rng(7);
  int op_changes = 0, input_changes = 0;
  Architecture a = space.sample(rng);
  for (int i = 0; i < 2000; ++i) {
    const Architecture m = space.mutate(a, rng);
    ASSERT_NO_THROW(space.validate(m));
    ASSERT_EQ(differences(a, m), 1);
    const auto nbrs = space.neighbours(a);
    EXPECT_NE(std::find(nbrs.begin(), nbrs.end(), m), nbrs.end());
    for (size_t k = 0; k < 32; ++k) {
      if (a.encoding()[k] != m.encoding()[k]) (k % 2 == 0 ? input_changes : op_changes)++;
    }
    a = m;
  }
  // Ops change in about half the draws plus the input draws of node 2.
  EXPECT_GT(op_changes, 1000);
  EXPECT_GT(input_changes, 600);
  // Same seed, same walk.
  Rng r1(3), r2(3);
  const Architecture start = space.parse(kDartsV1);
  EXPECT_EQ(space.mutate(start, r1), space.mutate(start, r2));
}

TEST(DartsSpace, EncodingsFollowNasLib) {
  DartsSpace space;
  const Architecture v2 = space.parse(kDartsV2);
  const auto compact = space.encode(v2, "compact");
  ASSERT_EQ(compact.size(), 32u);
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(compact[i], static_cast<float>(v2.encoding()[i]));

  // NASLib encode_adj: per cell a 7x7 matrix, row-major, then the 8 op ids.
  const auto adj = space.encode(v2, "adjacency");
  ASSERT_EQ(adj.size(), 2u * (49u + 8u));
  auto at = [&](int cell, int from, int to) { return adj[cell * 57 + from * 7 + to]; };
  // Normal cell: node 2 <- 0, 1; node 3 <- 0, 1; node 4 <- 1, 0; node 5 <- 0, 2.
  float normal_sum = 0, reduce_sum = 0;
  for (int k = 0; k < 49; ++k) {
    normal_sum += adj[k];
    reduce_sum += adj[57 + k];
  }
  EXPECT_EQ(normal_sum, 12.0f);  // 8 op edges + 4 edges into the output
  EXPECT_EQ(reduce_sum, 12.0f);
  EXPECT_EQ(at(0, 0, 2), 1.0f);
  EXPECT_EQ(at(0, 2, 5), 1.0f);
  EXPECT_EQ(at(0, 3, 5), 0.0f);
  EXPECT_EQ(at(0, 5, 6), 1.0f);
  EXPECT_EQ(at(1, 2, 3), 1.0f);       // reduce pair 2: ('skip_connect', 2)
  EXPECT_EQ(adj[49 + 7], 5.0f);       // normal pair 7: dil_conv_3x3
  EXPECT_EQ(adj[57 + 49 + 2], 2.0f);  // reduce pair 2: skip_connect

  // NASLib encode_paths: 4 blocks (normal/reduce x input 0/1) of 2801 slots;
  // a path (o_1, ..., o_l) sits at sum_j 7^(j-1) (o_j + 1).
  const auto path = space.encode(v2, "path");
  ASSERT_EQ(path.size(), 4u * 2801u);
  // Normal cell of DARTS_V2: from input 0 the paths (sep3) [nodes 2, 3],
  // (skip) [node 4, node 5], (sep3, dil3) [0 -> 2 -> 5]; from input 1 (sep3)
  // [nodes 2, 3, 4], (sep3, dil3) [1 -> 2 -> 5].
  const int sep3 = 3 + 1, skip = 2 + 1, dil3 = 5 + 1;
  std::set<size_t> expected_normal = {static_cast<size_t>(sep3), static_cast<size_t>(skip),
                                      static_cast<size_t>(sep3 + 7 * dil3), 2801u + sep3,
                                      2801u + sep3 + 7 * dil3};
  std::set<size_t> normal_ones;
  for (size_t i = 0; i < 2u * 2801u; ++i) {
    if (path[i] != 0.0f) normal_ones.insert(i);
  }
  EXPECT_EQ(normal_ones, expected_normal);
  // Reduce cell: node 2 <- max(0), max(1); node 3 <- skip(2), max(1);
  // node 4 <- max(0), skip(2); node 5 <- skip(2), max(1). From input 0:
  // (max), (max, skip); from input 1: (max), (max, skip).
  const int max = 0 + 1;
  std::set<size_t> expected_reduce = {2u * 2801u + max, 2u * 2801u + max + 7 * skip,
                                      3u * 2801u + max, 3u * 2801u + max + 7 * skip};
  std::set<size_t> reduce_ones;
  for (size_t i = 2u * 2801u; i < path.size(); ++i) {
    if (path[i] != 0.0f) reduce_ones.insert(i);
  }
  EXPECT_EQ(reduce_ones, expected_reduce);
}

TEST(DartsSpace, PathEncodingReachesLengthFourPaths) {
  DartsSpace space;
  // A chain 0 -> 2 -> 3 -> 4 -> 5 with ops sep5, dil3, dil5, avg in the normal cell.
  const Architecture chain = space.parse(
      "[[(0, 4), (1, 0), (2, 5), (1, 0), (3, 6), (1, 0), (4, 1), (1, 0)], "
      "[(0, 0), (1, 0), (0, 0), (1, 0), (0, 0), (1, 0), (0, 0), (1, 0)]]");
  const auto path = space.encode(chain, "path");
  const size_t slot = (4 + 1) + 7 * (5 + 1) + 49 * (6 + 1) + 343 * (1 + 1);
  EXPECT_EQ(path[slot], 1.0f);
  EXPECT_EQ(path[(4 + 1) + 7 * (5 + 1) + 49 * (6 + 1)], 1.0f);
}

}  // namespace
}  // namespace nascpp

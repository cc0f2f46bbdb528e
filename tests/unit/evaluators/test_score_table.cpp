// The score-table evaluator: precomputed scores from a CSV file, as
// `nascpp zero-cost --csv` writes them, and errors that name the file, the
// line and the valid columns.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "nascpp/evaluators/score_table.h"
#include "nascpp/registries.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

const char* kA =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|";
const char* kB = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|";
const char* kC =
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|"
    "skip_connect~2|";
const char* kD =
    "|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|"
    "nor_conv_1x1~2|";

std::string write(const test::TempDir& tmp, const std::string& name, const std::string& text) {
  std::ofstream(tmp.file(name)) << text;
  return tmp.file(name);
}

TEST(ScoreTableEvaluator, LooksUpTheColumnOfNascppZeroCostOutput) {
  test::TempDir tmp;
  auto space = std::make_shared<NasBench201Space>();
  // The form `nascpp zero-cost --csv` prints: comment lines, quoted arch.
  const std::string file =
      write(tmp, "scores.csv",
            std::string("# batch: random\n# seed 0\narch,synflow,params,seconds\n") + "\"" + kA +
                "\",82.5,0.8,0.12\n\"" + kB + "\",-inf,0.07,0.01\n" + kC + ",nan,0.07,0.02\r\n");
  auto cfg = ConfigNode::parse("file: '" + file + "'\ncost_column: seconds\n");
  auto eval = evaluator_registry().create("score_table", cfg, space);
  cfg.finish();
  EXPECT_EQ(eval->objective_name(), "synflow");
  EXPECT_EQ(eval->data_files(), std::vector<std::string>{file});
  EXPECT_EQ(eval->search_space(), "nasbench201");
  Rng rng(0);
  const auto a = eval->evaluate(space->parse(kA), Fidelity(), rng);
  ASSERT_FALSE(a.failed()) << a.failure;
  EXPECT_EQ(a.objective, 82.5);
  EXPECT_EQ(a.metrics.at("synflow"), 82.5);
  EXPECT_EQ(a.cost, 0.12);
  EXPECT_EQ(a.epochs, 0);
  // -inf, nan and a missing row are failures (a non-finite objective is one).
  const auto b = eval->evaluate(space->parse(kB), Fidelity(), rng);
  ASSERT_TRUE(b.failed());
  EXPECT_NE(b.failure.find("non-finite"), std::string::npos) << b.failure;
  const auto c = eval->evaluate(space->parse(kC), Fidelity(), rng);
  ASSERT_TRUE(c.failed());
  EXPECT_NE(c.failure.find("is nan in"), std::string::npos) << c.failure;
  const auto d = eval->evaluate(space->parse(kD), Fidelity(), rng);
  ASSERT_TRUE(d.failed());
  EXPECT_NE(d.failure.find("is not in '" + file + "'"), std::string::npos) << d.failure;

  ScoreTableEvaluator params(space, file, "params");
  EXPECT_EQ(params.evaluate(space->parse(kA), Fidelity(), rng).objective, 0.8);
  EXPECT_EQ(params.evaluate(space->parse(kA), Fidelity(), rng).cost, 0.0);
  EXPECT_EQ(params.size(), 3u);
}

TEST(ScoreTableEvaluator, BadFilesAndColumnsAreNamed) {
  test::TempDir tmp;
  auto space = std::make_shared<NasBench201Space>();
  const std::string header = "arch,synflow\n";
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "a.csv", header + kA + ",1\n"), "nwot"), ConfigError,
      "column of '" + tmp.file("a.csv") + "' 'nwot'");
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "b.csv", header + kA + ",abc\n"), "synflow"), DataError,
      "b.csv, line 2: synflow 'abc' is not a number");
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "c.csv", header + kA + ",1\n" + kA + ",2\n"),
                          "synflow"),
      DataError, "c.csv, line 3: architecture");
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "d.csv", header + "|bogus~0|,1\n"), "synflow"),
      DataError, "d.csv, line 2: the architecture is not one of search space 'nasbench201'");
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "e.csv", header + "\"" + kA + ",1\n"), "synflow"),
      DataError, "e.csv, line 2: a quoted field is not closed");
  NASCPP_EXPECT_THROW_WITH(ScoreTableEvaluator(space, tmp.file("missing.csv"), "synflow"),
                           DataError, "missing.csv");
  NASCPP_EXPECT_THROW_WITH(ScoreTableEvaluator(space, "", "synflow"), ConfigError,
                           "`file` is required");
  NASCPP_EXPECT_THROW_WITH(
      ScoreTableEvaluator(space, write(tmp, "f.csv", header + kA + ",1,2\n"), "synflow"), DataError,
      "f.csv, line 2: 3 fields, the header has 2");
}

}  // namespace
}  // namespace nascpp

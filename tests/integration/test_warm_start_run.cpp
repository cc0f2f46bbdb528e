// A zero-cost warm start through `nascpp run` (examples/configs/
// search_nb201_warm_start.yaml): the pool is scored on the networks (the
// front end hands the run to nascpp-torch), ranked into warm_start.csv, its
// best are the first evaluations, and a resume reads the ranking back
// instead of scoring again. Bad warm-start settings are refused before a run
// directory exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nascpp/core/io.h"
#include "nascpp/warm_start.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/experiment_support.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::vector<std::string> logged_archs(const std::string& dir) {
  std::vector<std::string> out;
  std::istringstream in(read_file(dir + "/results.jsonl"));
  std::string line;
  while (std::getline(in, line)) out.push_back(Json::parse(line)["arch"].get<std::string>());
  return out;
}

std::string run_line(const std::string& out, const std::string& extra = "") {
  return test::cli_path() + " --threads 1 run '" +
         test::example_config("search_nb201_warm_start.yaml") + "' --set evaluator.data_dir='" +
         test::data_dir() +
         "' --set optimizer.warm_start.pool=30 --set optimizer.population_size=8 "
         "--set budget.max_queries=40 " +
         extra + " --out '" + out + "'";
}

TEST(WarmStartRun, BestScoredCellsAreEvaluatedFirstAndResumeReadsTheRankingBack) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string full = tmp.file("full");
  const auto r = test::run_command(run_line(full));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  NasBench201Space space;
  const auto ranked = read_warm_start_csv(full + "/warm_start.csv", space);
  ASSERT_GE(ranked.size(), 25u);  // 30 draws of 15,625 cells: repeats are rare
  ASSERT_LE(ranked.size(), 30u);
  for (size_t i = 1; i < ranked.size(); ++i) EXPECT_GE(ranked[i - 1].score, ranked[i].score);
  const std::string csv = read_file(full + "/warm_start.csv");
  EXPECT_NE(csv.find("scored by evaluator 'zero_cost' (synflow)"), std::string::npos) << csv;
  const auto archs = logged_archs(full);
  ASSERT_EQ(archs.size(), 40u);
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(archs[i], space.format(ranked[i].arch)) << i;
  // Scored on the networks: the front end handed the run over.
  const Json manifest = Json::parse(read_file(full + "/manifest.json"));
  EXPECT_TRUE(manifest["libtorch_loaded"].get<bool>());

  // Cut after 20 evaluations, before any checkpoint: the resume replays the
  // log and ends as the uninterrupted run.
  const std::string cut = tmp.file("cut");
  fs::copy(full, cut, fs::copy_options::recursive);
  {
    // The first 20 lines as logged.
    std::istringstream in(read_file(full + "/results.jsonl"));
    std::ofstream results(cut + "/results.jsonl", std::ios::trunc);
    std::string line;
    for (int i = 0; i < 20 && std::getline(in, line); ++i) results << line << "\n";
  }
  fs::remove(cut + "/summary.json");
  fs::remove(cut + "/checkpoints/search.json");
  fs::remove(cut + "/trajectory.csv");
  const auto resumed =
      test::run_command(test::cli_path() + " --threads 1 run --resume '" + cut + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  test::expect_same_runs(full, cut);
  EXPECT_NE(read_file(cut + "/run.log").find("ranked architectures read back from"),
            std::string::npos);

  // The ranking is read back, not scored again: a resume from nothing runs
  // the (edited) ranking's order.
  const std::string edited = tmp.file("edited");
  fs::copy(full, edited, fs::copy_options::recursive);
  auto swapped = ranked;
  std::swap(swapped[0], swapped[1]);
  write_warm_start_csv(edited + "/warm_start.csv", swapped, space, "edited");
  { std::ofstream(edited + "/results.jsonl", std::ios::trunc); }
  fs::remove(edited + "/summary.json");
  fs::remove(edited + "/checkpoints/search.json");
  const auto again =
      test::run_command(test::cli_path() + " --threads 1 -q run --resume '" + edited + "'");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const auto edited_archs = logged_archs(edited);
  ASSERT_GE(edited_archs.size(), 2u);
  EXPECT_EQ(edited_archs[0], archs[1]);
  EXPECT_EQ(edited_archs[1], archs[0]);
}

TEST(WarmStartRun, BadSettingsAreRefusedBeforeARunDirectoryExists) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  struct Case {
    std::string set, message;
  };
  const std::vector<Case> cases = {
      {"--set optimizer.name=random_search",
       "optimizer 'random_search' takes no warm start (optimizers that do: "
       "regularized_evolution, bananas, npenas, bp)"},
      {"--set optimizer.warm_start.top=9", "warm_start.top (9) exceeds the 8 initial"},
      {"--set optimizer.warm_start.pool=-3", "warm_start.pool must be in [0, 10000000]"},
      {"--set optimizer.warm_start.evaluator.proxy=synflwo", "synflwo"},
      {"--set optimizer.warm_start.evaluator.name=score_table "
       "--set optimizer.warm_start.evaluator.file=" +
           tmp.file("none.csv"),
       "none.csv"},
      {"--set optimizer.warm_start.pol=3", "pol"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const std::string out = tmp.file("run" + std::to_string(i));
    const auto r = test::run_command(run_line(out, cases[i].set));
    EXPECT_NE(r.exit_code, 0) << cases[i].set;
    EXPECT_NE(r.output.find(cases[i].message), std::string::npos) << cases[i].set << "\n"
                                                                  << r.output;
    EXPECT_FALSE(fs::exists(out)) << cases[i].set;
  }
}

}  // namespace
}  // namespace nascpp

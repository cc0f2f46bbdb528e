// The two programs: the front end `nascpp` runs tabular studies without
// loading LibTorch and hands everything else over to nascpp-torch
// (tools/cli/front). Both run as real child processes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/test_support.h"

namespace nascpp {
namespace {

namespace fs = std::filesystem;
using test::cli_path;
using test::run_command;

std::string full_path() { return (fs::path(cli_path()).parent_path() / "nascpp-torch").string(); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A run's results without the measured wall-clock seconds (the only values
// that differ between two runs of the same configuration).
std::string results_without_wall_time(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line, out;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("wall_s")) << line;
    j.erase("wall_s");
    out += j.dump() + "\n";
  }
  return out;
}

// trajectory.csv without its wall_s column.
std::string trajectory_without_wall_time(const std::string& path) {
  std::istringstream in(slurp(path));
  std::string line, out;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("step,cost_s,time_s,wall_s,", 0), 0u) << line;
  do {
    size_t at = 0;
    for (int comma = 0; comma < 3; ++comma) at = line.find(',', at) + 1;
    out += line.substr(0, at) + line.substr(line.find(',', at) + 1) + "\n";
  } while (std::getline(in, line));
  return out;
}

nlohmann::json manifest_environment(const std::string& run_dir) {
  return nlohmann::json::parse(slurp(run_dir + "/manifest.json"));
}

std::string example(const std::string& name) {
  return std::string(NASCPP_TEST_SOURCE_DIR) + "/examples/configs/" + name;
}

TEST(FrontEnd, LinksNoLibTorch) {
  // Every shared library the dynamic loader would map for it (ldd: the
  // dependencies of the dependencies too).
  const auto r = run_command("ldd " + cli_path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("libtorch"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("libc10"), std::string::npos) << r.output;
  const auto full = run_command("ldd " + full_path());
  ASSERT_EQ(full.exit_code, 0) << full.output;
  EXPECT_NE(full.output.find("libtorch_cpu"), std::string::npos) << full.output;
}

TEST(FrontEnd, TabularStudyIsTheSameAsNascppTorchs) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string common = " -q run " + example("search_nb201_regularized_evolution.yaml") +
                             " --seeds 0-2 --jobs 2 --set budget.max_queries=60 --set "
                             "evaluator.data_dir=" +
                             test::data_dir() + " --out ";
  auto r = run_command(cli_path() + common + tmp.file("front"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(full_path() + common + tmp.file("full"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* seed : {"seed-0", "seed-1", "seed-2"}) {
    const std::string front = tmp.file("front") + "/" + seed;
    const std::string full = tmp.file("full") + "/" + seed;
    const auto results = results_without_wall_time(front + "/results.jsonl");
    EXPECT_GT(results.size(), 10000u);
    EXPECT_EQ(results, results_without_wall_time(full + "/results.jsonl")) << seed;
    EXPECT_EQ(trajectory_without_wall_time(front + "/trajectory.csv"),
              trajectory_without_wall_time(full + "/trajectory.csv"))
        << seed;
    const auto front_summary = nlohmann::json::parse(slurp(front + "/summary.json"));
    const auto full_summary = nlohmann::json::parse(slurp(full + "/summary.json"));
    EXPECT_EQ(front_summary.at("architecture"), full_summary.at("architecture"));
    EXPECT_EQ(front_summary.at("objective"), full_summary.at("objective"));
    // The manifests say which process loaded LibTorch.
    EXPECT_FALSE(manifest_environment(front).at("libtorch_loaded").get<bool>());
    EXPECT_FALSE(manifest_environment(front).contains("gpu"));
    EXPECT_TRUE(manifest_environment(full).at("libtorch_loaded").get<bool>());
    EXPECT_GE(manifest_environment(full).at("threads").at("intra_op").get<int>(), 1);
    EXPECT_TRUE(manifest_environment(front).at("sessions").at(0).at("threads").is_null());
  }
}

TEST(FrontEnd, HandsOverARunThatNeedsLibTorch) {
  test::TempDir tmp;
  const std::string out = tmp.file("zc");
  // The zero-cost evaluator scores untrained LibTorch networks: composing
  // the run in the front end finds that, before anything is written, and
  // nascpp-torch runs it from the start.
  const auto r =
      run_command(cli_path() + " run " + example("search_nb201_zero_cost.yaml") +
                  " --set budget.max_queries=3 --set evaluator.data=random --out " + out + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("run: " + out), std::string::npos) << r.output;
  EXPECT_TRUE(manifest_environment(out).at("libtorch_loaded").get<bool>());
  // One run, logged once: the front end wrote nothing before handing over.
  const std::string log = slurp(out + "/run.log");
  EXPECT_NE(log.find("regularized_evolution search"), std::string::npos) << log;
  EXPECT_EQ(log.find("regularized_evolution search"), log.rfind("regularized_evolution search"))
      << log;
  // Checking such a configuration is handed over too.
  const auto check =
      run_command(cli_path() + " run " + example("search_nb201_gdas.yaml") + " --check");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("is valid"), std::string::npos) << check.output;
}

TEST(FrontEnd, HandsOverTheOtherCommandsAndTheirErrors) {
  auto r = run_command(cli_path() + " --help");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* command : {"zero-cost", "predictors", "describe", "evaluate", "run"}) {
    EXPECT_NE(r.output.find(command), std::string::npos) << command << "\n" << r.output;
  }
  r = run_command(cli_path() + " --version");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("nascpp 0.1.0"), std::string::npos) << r.output;
  // An unknown command: nascpp-torch names it and the valid ones.
  r = run_command(cli_path() + " -q rnu");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'rnu'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("zero-cost"), std::string::npos) << r.output;
  // An unknown evaluator in a run: the error lists every evaluator, also
  // those the front end does not run itself.
  test::TempDir tmp;
  r = run_command(cli_path() + " run " + example("search_nb201_regularized_evolution.yaml") +
                  " --set evaluator.name=trainign --out " + tmp.file("x"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("did you mean 'training'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp.file("x")));
}

TEST(FrontEnd, SaysSoWhenNascppTorchIsMissing) {
  test::TempDir tmp;
  const std::string alone = tmp.file("nascpp");
  fs::copy_file(cli_path(), alone);
  const auto r = run_command(alone + " list datasets");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot start '" + tmp.file("nascpp-torch") + "'"), std::string::npos)
      << r.output;
  // What it runs itself still works.
  const auto v = run_command(alone + " run --help");
  EXPECT_EQ(v.exit_code, 0) << v.output;
}

}  // namespace
}  // namespace nascpp

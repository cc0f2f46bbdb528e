// Run directories under faults: nothing nascpp did not write is deleted,
// no logged result is discarded, a study finishes every seed, a run killed
// at any moment can be resumed or restarted, a resumed run refuses changed
// data or configuration, and two processes never write into one directory.
#include "nascpp/run_directory.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/experiment.h"
#include "support/experiment_support.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::vector<std::string> cli_run(const std::string& config, std::vector<std::string> sets) {
  std::vector<std::string> args = {test::cli_path(), "--threads", "1", "-q", "run",
                                   test::example_config(config)};
  sets.insert(sets.begin(), "evaluator.data_dir=" + test::data_dir());
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  return args;
}

std::string cli(const std::string& args) { return test::cli_path() + " --threads 1 -q " + args; }

void write_text(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// --force replaces only what nascpp wrote: a user folder that happens to hold
// a config.yaml keeps every file.
TEST(RunDirectory, ForceNeverDeletesFilesNascppDidNotWrite) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string user = tmp.file("project");
  write_text(user + "/config.yaml", "seed: 1\n");
  write_text(user + "/notes.txt", "my notes");
  write_text(user + "/src/main.c", "int main() {}");
  const auto r = test::run_command(test::shell_line(
      test::with_out(cli_run("search_nb201_random_search.yaml", {"budget.max_queries=5"}), user)) +
                                   " --force");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a run directory"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("notes.txt, src"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(user + "/notes.txt"), "my notes");
  EXPECT_EQ(read_file(user + "/src/main.c"), "int main() {}");
  EXPECT_EQ(read_file(user + "/config.yaml"), "seed: 1\n");

  // A previous run is replaced, and the log says what was replaced.
  const std::string run = tmp.file("run");
  auto args = test::with_out(cli_run("search_nb201_random_search.yaml", {"budget.max_queries=5"}),
                             run);
  ASSERT_EQ(test::run_command(test::shell_line(args)).exit_code, 0);
  args[3] = "-v";  // the warning is what we check
  const auto again = test::run_command(test::shell_line(args) + " --force");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("replaced the previous run"), std::string::npos) << again.output;
  EXPECT_NE(again.output.find("results.jsonl"), std::string::npos) << again.output;
}

// A black-box run whose checkpoint is gone is rebuilt from its log: no
// logged result is discarded, and the run ends as the uninterrupted one.
TEST(RunDirectory, ResumeWithoutACheckpointReplaysTheLog) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const auto args = cli_run("search_nb201_regularized_evolution.yaml", {"budget.max_queries=150"});
  const std::string full = tmp.file("full"), cut = tmp.file("cut");
  ASSERT_EQ(test::run_command(test::shell_line(test::with_out(args, full))).exit_code, 0);
  ASSERT_EQ(test::run_command(test::shell_line(test::with_out(args, cut))).exit_code, 0);
  // The state of a run killed after 100 evaluations, without its checkpoint.
  auto lines = read_complete_lines(cut + "/results.jsonl");
  lines.resize(100);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file_atomic(cut + "/results.jsonl", text);
  fs::remove(cut + "/checkpoints/search.json");
  fs::remove(cut + "/summary.json");
  fs::remove(cut + "/trajectory.csv");
  const auto r = test::run_command(cli("-v run --resume '" + cut + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("100 logged evaluations"), std::string::npos) << r.output;
  test::expect_same_runs(full, cut);
}

// Killed during seed 1 of --seeds 0-2: --resume of the study folder
// finishes seed 1 and runs seed 2, which had not started.
TEST(RunDirectory, ResumeOfAStudyRunsTheSeedsNotStarted) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const auto args = cli_run("search_nb201_bananas.yaml", {"budget.max_queries=60"});
  const std::string full = tmp.file("full"), killed = tmp.file("killed");
  auto seeds = test::with_out(args, full);
  seeds.insert(seeds.end(), {"--seeds", "0-2"});
  ASSERT_EQ(test::run_command(test::shell_line(seeds)).exit_code, 0);
  seeds = test::with_out(args, killed);
  seeds.insert(seeds.end(), {"--seeds", "0-2"});
  test::run_and_kill(seeds, killed + "/seed-1/results.jsonl", 20, 0);
  ASSERT_FALSE(fs::exists(killed + "/seed-2"));
  ASSERT_TRUE(fs::exists(killed + "/seed-0/summary.json"));
  const auto r = test::run_command(cli("run --resume '" + killed + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("all 3 seeds done"), std::string::npos) << r.output;
  for (const char* s : {"seed-0", "seed-1", "seed-2"}) {
    const auto a = test::results_without_wall(full + "/" + s);
    const auto b = test::results_without_wall(killed + "/" + s);
    EXPECT_EQ(a, b) << s;
    EXPECT_EQ(read_summary(full + "/" + s).architecture, read_summary(killed + "/" + s).architecture);
  }
}

// A study writes only into a folder of studies: never into a user's folder.
TEST(RunDirectory, AStudyNeverWritesIntoAUserFolder) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string user = tmp.file("mine");
  write_text(user + "/notes.txt", "my notes");
  auto args =
      test::with_out(cli_run("search_nb201_random_search.yaml", {"budget.max_queries=5"}), user);
  args.insert(args.end(), {"--seeds", "0-1", "--force"});
  const auto r = test::run_command(test::shell_line(args));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a study folder"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(user + "/study.yaml"));
  EXPECT_FALSE(fs::exists(user + "/seed-0"));
  EXPECT_EQ(read_file(user + "/notes.txt"), "my notes");
}

// A run killed before its config.yaml was renamed into place can be started
// again with --force; --resume says so.
TEST(RunDirectory, ARunKilledBeforeItStartedCanBeRestarted) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  write_text(dir + "/.nascpp.lock", "pid 1 on host h since then\n");
  write_text(dir + "/config.yaml.tmp", "seed: 0\noptim");
  fs::create_directories(dir + "/checkpoints");
  auto r = test::run_command(cli("run --resume '" + dir + "'"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("killed before it started"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--force"), std::string::npos) << r.output;
  const auto args =
      test::with_out(cli_run("search_nb201_random_search.yaml", {"budget.max_queries=5"}), dir);
  r = test::run_command(test::shell_line(args));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--force starts it again"), std::string::npos) << r.output;
  r = test::run_command(test::shell_line(args) + " --force");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_summary(dir).steps, 5);
  EXPECT_FALSE(fs::exists(dir + "/config.yaml.tmp"));
}

// The state of a run killed after `keep` evaluations (no checkpoint, no summary).
void cut_run(const std::string& dir, size_t keep) {
  auto lines = read_complete_lines(dir + "/results.jsonl");
  lines.resize(keep);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  write_file_atomic(dir + "/results.jsonl", text);
  fs::remove(dir + "/checkpoints/search.json");
  fs::remove(dir + "/summary.json");
}

// --resume after a benchmark table changed refuses, naming the file; after
// config.yaml was edited it refuses, naming the changed key.
TEST(RunDirectory, ResumeRefusesChangedDataOrConfiguration) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  // A data directory of links to the real files, except one copied table.
  const std::string data = tmp.file("data");
  for (const auto& entry : fs::recursive_directory_iterator(test::data_dir())) {
    const auto rel = fs::relative(entry.path(), test::data_dir());
    if (entry.is_directory()) {
      fs::create_directories(fs::path(data) / rel);
    } else {
      fs::create_symlink(entry.path(), fs::path(data) / rel);
    }
  }
  const std::string merged = data + "/nasbench201/nb201_merged.csv";
  const std::string text = read_file(merged);
  fs::remove(merged);
  write_file_atomic(merged, text);

  const std::string dir = tmp.file("run");
  auto args = test::with_out(
      cli_run("search_nb201_random_search.yaml", {"budget.max_queries=20"}), dir);
  args[7] = "evaluator.data_dir=" + data;
  ASSERT_EQ(test::run_command(test::shell_line(args)).exit_code, 0);
  cut_run(dir, 10);
  // One accuracy of the table changes (still a valid table).
  const auto pos = text.find(",9");
  ASSERT_NE(pos, std::string::npos);
  std::string changed = text;
  changed[pos + 1] = '8';
  write_file_atomic(merged, changed);
  auto r = test::run_command(cli("run --resume '" + dir + "'"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("nb201_merged.csv' changed since the run started"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_complete_lines(dir + "/results.jsonl").size(), 10u);  // nothing lost
  write_file_atomic(merged, text);

  // config.yaml edited between the kill and the resume.
  const std::string config = read_file(dir + "/config.yaml");
  const auto at = config.find("max_queries: 20");
  ASSERT_NE(at, std::string::npos);
  std::string edited = config;
  edited.replace(at, 15, "max_queries: 30");
  write_file_atomic(dir + "/config.yaml", edited);
  r = test::run_command(cli("run --resume '" + dir + "'"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("budget.max_queries: 20 -> 30"), std::string::npos) << r.output;
  EXPECT_EQ(read_complete_lines(dir + "/results.jsonl").size(), 10u);
  write_file_atomic(dir + "/config.yaml", config);
  r = test::run_command(cli("run --resume '" + dir + "'"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_summary(dir).steps, 20);
}

// Two processes on one directory: the second is refused, naming the first;
// the first's results are whole.
TEST(RunDirectory, ASecondProcessOnTheSameDirectoryIsRefused) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  const auto args = test::with_out(
      cli_run("search_nb201_bananas.yaml", {"budget.max_queries=80"}), dir);
  const int pid = test::spawn(args);
  ASSERT_GT(pid, 0);
  // Wait until the first run has written results.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_complete_lines(dir + "/results.jsonl").size() < 3 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto resume = test::run_command(cli("run --resume '" + dir + "'"));
  const auto fresh = test::run_command(test::shell_line(args) + " --force");
  const int status = test::wait_for(pid);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(resume.exit_code, 2) << resume.output;
  EXPECT_NE(resume.output.find("in use by another nascpp process (pid " + std::to_string(pid)),
            std::string::npos)
      << resume.output;
  EXPECT_EQ(fresh.exit_code, 2) << fresh.output;
  EXPECT_NE(fresh.output.find("in use"), std::string::npos) << fresh.output;
  const auto lines = read_complete_lines(dir + "/results.jsonl");
  ASSERT_EQ(lines.size(), 80u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(Json::parse(lines[i]).at("query").get<size_t>(), i);
  }
  EXPECT_EQ(read_summary(dir).steps, 80);
}

// --check builds exactly what the run builds: what a run would reject
// after writing is found before, and a run rejects it before writing anything.
TEST(RunDirectory, CheckRejectsWhatTheRunWouldReject) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  struct Case {
    const char* config;
    std::vector<std::string> sets;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"search_nb201_random_search.yaml", {"constraints.metrics=[{metric: flops, max: 3}]"},
       "flops"},
      {"search_nb201_random_search.yaml", {"pareto.metric=flops_m"}, "flops_m"},
      {"search_nb201_random_search.yaml", {"fidelity_epochs=50"}, "12, 200 (full)"},
      {"search_nb201_random_search.yaml", {"search_space.name=nasbench101"},
       "answers for search space 'nasbench201'"},
      {"search_nb201_random_search.yaml", {"executor.name=simulated", "executor.workers=0"},
       "workers must be between 1 and 4096"},
      {"search_nb201_gdas.yaml", {"search.train_limit=-5"}, "train_limit must be >= 0"},
  };
  for (const auto& c : cases) {
    auto args = cli_run(c.config, c.sets);
    if (std::string(c.config).find("gdas") != std::string::npos) {
      args[7] = "benchmark.required=false";
    }
    auto check = args;
    check.push_back("--check");
    const auto r = test::run_command(test::shell_line(check));
    EXPECT_EQ(r.exit_code, 2) << c.sets[0] << ": " << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.sets[0] << ": " << r.output;
    const std::string dir = tmp.file("run");
    const auto run = test::run_command(test::shell_line(test::with_out(args, dir)));
    EXPECT_EQ(run.exit_code, 2) << c.sets[0] << ": " << run.output;
    EXPECT_FALSE(fs::exists(dir)) << c.sets[0] << ": the rejected run wrote " << dir;
  }
}

// The error that ends a run is in its run.log, not only on stderr.
TEST(RunDirectory, TheFatalErrorIsInTheRunLog) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  // A fatal error after the start: a results line corrupted before a resume.
  const auto args =
      test::with_out(cli_run("search_nb201_random_search.yaml", {"budget.max_queries=10"}), dir);
  ASSERT_EQ(test::run_command(test::shell_line(args)).exit_code, 0);
  cut_run(dir, 5);
  auto lines = read_complete_lines(dir + "/results.jsonl");
  write_file_atomic(dir + "/results.jsonl", lines[0] + "\n{\"query\": 1}\n");
  const auto r = test::run_command(cli("run --resume '" + dir + "'"));
  EXPECT_EQ(r.exit_code, 3) << r.output;
  const std::string log = read_file(dir + "/run.log");
  EXPECT_NE(log.find("[error] the run stopped"), std::string::npos) << log;
  EXPECT_NE(log.find("results.jsonl' line 2"), std::string::npos) << log;
}

// A run killed at random moments with four evaluations in flight (simulated
// workers) resumes to exactly the uninterrupted run: from a checkpoint plus
// the log past it, and from the log alone.
TEST(RunDirectory, SeveralInFlightKilledAtRandomMomentsResumeExactly) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  std::mt19937 gen(20261202);
  for (const char* every : {"checkpoint.every=7", "checkpoint.every=1000"}) {
    // BANANAS fits its ensemble every round: slow enough to be killed mid-run.
    const auto args = cli_run("search_nb201_bananas.yaml",
                              {"budget.max_queries=70", "executor.name=simulated",
                               "executor.workers=4", every});
    const std::string full = tmp.file(std::string("full-") + every);
    ASSERT_EQ(test::run_command(test::shell_line(test::with_out(args, full))).exit_code, 0);
    const std::string killed = tmp.file(std::string("killed-") + every);
    const size_t lines = std::uniform_int_distribution<size_t>(5, 50)(gen);
    const int delay = std::uniform_int_distribution<int>(0, 10)(gen);
    test::run_and_kill(test::with_out(args, killed), killed + "/results.jsonl", lines, delay);
    const auto r = test::run_command(cli("run --resume '" + killed + "'"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    test::expect_same_runs(full, killed);
    // Four workers: the trajectory records overlapping evaluations.
    const auto rows = RunDirectory::open_read_only(killed)->trajectory();
    ASSERT_EQ(rows.size(), 70u);
    std::set<int64_t> workers;
    for (const auto& row : rows) workers.insert(row.worker);
    EXPECT_EQ(workers.size(), 4u);
  }
}

// Hyperband with real training: promotions continue the lower rung's
// training from its checkpoint and pay only the extra epochs.
TEST(RunDirectory, HyperbandWithRealTrainingContinuesPromotedTrials) {
  test::TempDir tmp;
  auto cfg = ConfigNode::load_file(test::example_config("search_nb201_hyperband_fashion_mnist.yaml"));
  const std::string dir = tmp.file("run");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(dir));
  EXPECT_EQ(s.steps, 13);
  EXPECT_EQ(s.objective_epochs, 9);  // the incumbent is at the full fidelity
  int promotions = 0;
  std::map<int64_t, int64_t> epochs_of;
  for (const auto& line : read_complete_lines(dir + "/results.jsonl")) {
    const Json j = Json::parse(line);
    epochs_of[j.at("trial").get<int64_t>()] = j.at("epochs").get<int64_t>();
    if (!j.contains("continues")) {
      EXPECT_EQ(j.at("epochs_paid"), j.at("epochs"));
      continue;
    }
    ++promotions;
    const auto from = j.at("continues").at(0).get<int64_t>();
    EXPECT_EQ(j.at("continues").at(1).get<int64_t>(), epochs_of.at(from));
    EXPECT_EQ(j.at("epochs_paid").get<int64_t>(),
              j.at("epochs").get<int64_t>() - epochs_of.at(from));
    EXPECT_TRUE(fs::exists(dir + "/checkpoints/trials/trial-" + std::to_string(from) + ".ckpt"));
  }
  EXPECT_EQ(promotions, 4);  // 3 to 3 epochs, 1 to 9
}

}  // namespace
}  // namespace nascpp

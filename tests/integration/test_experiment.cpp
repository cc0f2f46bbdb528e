// Experiments end to end: run directories (files, manifest, refusal to
// overwrite), seeds, reports, and resuming a run killed with SIGKILL at a
// random moment (a real child process: the nascpp program) to exactly the
// results of an uninterrupted run, for a black-box and a one-shot search.
#include "nascpp/experiment.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/report.h"
#include "nascpp/run_directory.h"
#include "support/experiment_support.h"
#include "support/log_capture.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string examples(const std::string& name) { return test::example_config(name); }
using test::expect_same_runs;
using test::results_without_wall;
using test::run_and_kill;
using test::shell_line;
using test::tabular_config;
using test::with_out;

TEST(SeedList, ParsesListsAndRanges) {
  EXPECT_EQ(parse_seed_list("3"), (std::vector<uint64_t>{3}));
  EXPECT_EQ(parse_seed_list("0-3"), (std::vector<uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(parse_seed_list("0,2,5-7"), (std::vector<uint64_t>{0, 2, 5, 6, 7}));
  NASCPP_EXPECT_THROW_WITH(parse_seed_list("5-2"), ConfigError, "runs backwards");
  NASCPP_EXPECT_THROW_WITH(parse_seed_list("1,x"), ConfigError, "'x' is not a non-negative");
  NASCPP_EXPECT_THROW_WITH(parse_seed_list("1,1"), ConfigError, "repeat");
  NASCPP_EXPECT_THROW_WITH(parse_seed_list(""), ConfigError, "no seeds");
  NASCPP_EXPECT_THROW_WITH(parse_seed_list("-3"), ConfigError, "valid forms");
}

TEST(Experiment, BlackBoxRunWritesTheRunDirectory) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  const auto s = run_experiment(tabular_config("regularized_evolution", 40),
                                ExperimentOptions().run_dir(dir).command_line("test"));
  for (const char* f : {"config.yaml", "manifest.json", "results.jsonl", "trajectory.csv",
                        "summary.json", "pareto.csv", "pareto.json", "checkpoints/search.json"}) {
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  }
  EXPECT_EQ(s.kind, "black_box");
  EXPECT_EQ(s.optimizer, "regularized_evolution");
  EXPECT_EQ(s.dataset, "cifar10-valid");
  EXPECT_EQ(s.steps, 40);
  EXPECT_EQ(s.stop_reason, "max_queries");
  ASSERT_TRUE(s.report_value.has_value());
  EXPECT_EQ(s.report_metric, "test_acc");

  // results.jsonl: one line per query; the summary's incumbent is the best
  // feasible line by objective (first among equals).
  const auto lines = read_complete_lines(dir + "/results.jsonl");
  ASSERT_EQ(lines.size(), 40u);
  double best = -1.0;
  std::string best_arch;
  double best_report = 0.0;
  for (const auto& l : lines) {
    const Json j = Json::parse(l);
    if (j["feasible"].get<bool>() && j["objective"].get<double>() > best) {
      best = j["objective"];
      best_arch = j["arch"];
      best_report = j["metrics"]["test_acc"];
    }
  }
  EXPECT_EQ(s.architecture, best_arch);
  EXPECT_DOUBLE_EQ(s.objective, best);
  EXPECT_DOUBLE_EQ(*s.report_value, best_report);
  const auto stored = read_summary(dir);
  EXPECT_EQ(stored.architecture, s.architecture);

  // The resolved configuration holds the defaults that were used.
  const auto resolved = ConfigNode::load_file(dir + "/config.yaml");
  EXPECT_EQ(resolved.raw()["optimizer"]["population_size"].as<int>(), 50);
  EXPECT_EQ(resolved.raw()["budget"]["max_queries"].as<int>(), 40);

  // The manifest's hashes agree with sha256sum's.
  const Json manifest = Json::parse(read_file(dir + "/manifest.json"));
  ASSERT_GE(manifest["data_files"].size(), 2u);
  const Json& first = manifest["data_files"][0];
  const auto r = test::run_command("sha256sum '" + first["path"].get<std::string>() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.substr(0, 64), first["sha256"].get<std::string>());
  EXPECT_EQ(manifest["seed"], 0);
  EXPECT_EQ(manifest["sessions"].size(), 1u);
  EXPECT_EQ(manifest["sessions"][0]["command"], "test");
  EXPECT_TRUE(manifest.contains("libtorch"));
  EXPECT_TRUE(manifest["threads"]["intra_op"].get<int>() >= 1);
}

TEST(Experiment, NeverWritesIntoAnExistingDirectoryUnasked) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  run_experiment(tabular_config("random_search", 5), ExperimentOptions().run_dir(dir));
  const std::string before = read_file(dir + "/results.jsonl");
  NASCPP_EXPECT_THROW_WITH(
      run_experiment(tabular_config("random_search", 7), ExperimentOptions().run_dir(dir)),
      ConfigError, "--resume");
  EXPECT_EQ(read_file(dir + "/results.jsonl"), before);

  // --force replaces a run directory ...
  run_experiment(tabular_config("random_search", 7), ExperimentOptions().run_dir(dir).force(true));
  EXPECT_EQ(read_complete_lines(dir + "/results.jsonl").size(), 7u);

  // ... but never a folder that is not one.
  const std::string other = tmp.file("other");
  fs::create_directories(other);
  write_file_atomic(other + "/notes.txt", "mine");
  NASCPP_EXPECT_THROW_WITH(run_experiment(tabular_config("random_search", 5),
                                          ExperimentOptions().run_dir(other).force(true)),
                           ConfigError, "not a run directory");
  EXPECT_EQ(read_file(other + "/notes.txt"), "mine");

  // A bad configuration leaves nothing behind.
  auto bad = tabular_config("random_search", 5);
  bad.apply_override("optimizer.name=annealing");
  NASCPP_EXPECT_THROW_WITH(run_experiment(bad, ExperimentOptions().run_dir(tmp.file("bad"))),
                           ConfigError, "regularized_evolution");
  EXPECT_FALSE(fs::exists(tmp.file("bad")));
  auto typo = tabular_config("random_search", 5);
  typo.apply_override("budget.max_querys=3");
  NASCPP_EXPECT_THROW_WITH(run_experiment(typo, ExperimentOptions().run_dir(tmp.file("typo"))),
                           ConfigError, "max_querys");
  EXPECT_FALSE(fs::exists(tmp.file("typo")));

  // Resuming a complete run returns its summary and changes nothing.
  const std::string complete = read_file(dir + "/summary.json");
  const auto again = run_experiment(ConfigNode(), ExperimentOptions().run_dir(dir).resume(true));
  EXPECT_EQ(read_file(dir + "/summary.json"), complete);
  EXPECT_EQ(again.steps, 7);
  NASCPP_EXPECT_THROW_WITH(
      run_experiment(ConfigNode(), ExperimentOptions().run_dir(tmp.file("nowhere")).resume(true)),
      ConfigError, "no such run directory");
}

TEST(Experiment, BlackBoxRunKilledAtARandomMomentResumesExactly) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  std::mt19937 gen(20261128);
  const std::string config = examples("search_nb201_bananas.yaml");
  const std::vector<std::string> common = {
      test::cli_path(), "--threads", "1", "-q", "run", config,
      "--set", "evaluator.data_dir=" + test::data_dir(), "--set", "budget.max_queries=60"};
  const auto r = test::run_command(shell_line(with_out(common, tmp.file("full"))));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const std::string killed = tmp.file("killed");
  // The ensemble fits after 50 queries take a good part of a second: the run
  // is still going when the kill comes.
  const size_t lines = std::uniform_int_distribution<size_t>(5, 45)(gen);
  const int delay = std::uniform_int_distribution<int>(0, 20)(gen);
  run_and_kill(with_out(common, killed), killed + "/results.jsonl", lines, delay);
  EXPECT_FALSE(fs::exists(killed + "/summary.json"));
  const auto resumed = test::run_command(test::cli_path() + " --threads 1 -q run --resume '" +
                                         killed + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_runs(tmp.file("full"), killed);
}

TEST(Experiment, OneShotRunKilledAtARandomMomentResumesExactly) {
  test::TempDir tmp;
  std::mt19937 gen(1128);
  // A tiny GDAS search (4 epochs) and a one-epoch final training.
  const std::vector<std::string> common = {test::cli_path(),
                                           "--threads",
                                           "1",
                                           "-q",
                                           "run",
                                           examples("search_nb201_gdas.yaml"),
                                           "--set",
                                           "benchmark.required=false",
                                           "--set",
                                           "search.train_limit=768",
                                           "--set",
                                           "optimizer.epochs=4",
                                           "--set",
                                           "final={train: {epochs: 1, train_limit: 512, "
                                           "batch_size: 128, log_every: 0}}"};
  const auto r = test::run_command(shell_line(with_out(common, tmp.file("full"))));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const std::string killed = tmp.file("killed");
  const size_t lines = std::uniform_int_distribution<size_t>(1, 3)(gen);
  const int delay = std::uniform_int_distribution<int>(0, 400)(gen);
  run_and_kill(with_out(common, killed), killed + "/results.jsonl", lines, delay);
  const auto resumed = test::run_command(test::cli_path() + " --threads 1 -q run --resume '" +
                                         killed + "'");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_runs(tmp.file("full"), killed);
  EXPECT_TRUE(read_summary(killed).has_final);
}

// A tiny one-shot search on Fashion-MNIST (2 epochs, 2 steps each).
ConfigNode tiny_one_shot(const std::string& optimizer) {
  auto cfg = ConfigNode::load_file(examples("search_nb201_" + optimizer + ".yaml"));
  cfg.apply_override("benchmark.required=false");
  cfg.apply_override("search.train_limit=256");
  cfg.apply_override("optimizer.epochs=2");
  return cfg;
}

TEST(Experiment, ADivergedOneShotSearchIsAResultWithStatusDiverged) {
  // The first step moves the weights to about 1e30; the second's activations
  // overflow. The run used to go on with NaN alphas, checkpoint them and report
  // "complete" with an all-none architecture.
  test::TempDir tmp;
  auto cfg = tiny_one_shot("darts");
  cfg.apply_override("optimizer.learning_rate=1e30");
  cfg.apply_override("optimizer.min_learning_rate=1e29");
  cfg.apply_override("final={train: {epochs: 1, train_limit: 64, batch_size: 32, log_every: 0}}");
  test::LogCapture log;
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "diverged");
  EXPECT_EQ(s.stop_reason, "diverged");
  EXPECT_EQ(s.steps, 0);
  EXPECT_EQ(s.architecture, "");
  EXPECT_NE(s.status_reason.find("optimizer 'darts' diverged at epoch 1, step 2: "),
            std::string::npos)
      << s.status_reason;
  EXPECT_NE(s.status_reason.find("no epoch completed"), std::string::npos) << s.status_reason;
  EXPECT_FALSE(s.has_final);
  EXPECT_TRUE(s.benchmark.empty());
  EXPECT_FALSE(fs::exists(tmp.file("run/checkpoints/search.ckpt")));
  EXPECT_TRUE(read_complete_lines(tmp.file("run/results.jsonl")).empty());
  EXPECT_EQ(log.count("final training skipped: the search diverged"), 1) << log.text();
  EXPECT_EQ(
      log.count(
          "[warning] one-shot search stopped: optimizer 'darts' diverged at epoch 1, step 2: "),
      1)
      << log.text();
  // summary.json says so and reads back; a resume returns it as it is.
  const Json j = Json::parse(read_file(tmp.file("run/summary.json")));
  EXPECT_EQ(j.at("status"), "diverged");
  EXPECT_EQ(j.at("status_reason"), s.status_reason);
  EXPECT_FALSE(j.contains("final"));
  const auto stored = read_summary(tmp.file("run"));
  EXPECT_EQ(stored.status, "diverged");
  EXPECT_EQ(stored.status_reason, s.status_reason);
  const auto resumed =
      run_experiment(ConfigNode(), ExperimentOptions().run_dir(tmp.file("run")).resume(true));
  EXPECT_EQ(resumed.status, "diverged");
}

TEST(Experiment, ADivergedFinalTrainingIsRecordedInsteadOfATestAccuracy) {
  test::TempDir tmp;
  auto cfg = tiny_one_shot("gdas");
  cfg.apply_override(
      "final={train: {epochs: 1, train_limit: 64, batch_size: 32, log_every: 0, "
      "learning_rate: 1e30}}");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "diverged");
  EXPECT_EQ(s.stop_reason, "epochs");
  EXPECT_EQ(s.steps, 2);
  EXPECT_FALSE(s.architecture.empty());
  EXPECT_NE(s.status_reason.find("the final training of " + s.architecture + " diverged"),
            std::string::npos)
      << s.status_reason;
  EXPECT_NE(s.status_reason.find("checkpoints/final.ckpt"), std::string::npos) << s.status_reason;
  EXPECT_FALSE(s.has_final);
  const Json j = Json::parse(read_file(tmp.file("run/summary.json")));
  EXPECT_EQ(j.at("status"), "diverged");
  EXPECT_FALSE(j.contains("final"));
}

TEST(Experiment, ACompleteRunSaysSo) {
  test::TempDir tmp;
  auto cfg = tiny_one_shot("darts");
  cfg.apply_override("optimizer.epochs=1");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "complete");
  EXPECT_EQ(s.status_reason, "");
  const Json j = Json::parse(read_file(tmp.file("run/summary.json")));
  EXPECT_EQ(j.at("status"), "complete");
  EXPECT_FALSE(j.contains("status_reason"));
  EXPECT_EQ(read_summary(tmp.file("run")).status, "complete");
}

// Candidates whose training diverges are failed results: the search goes on
// and the run finishes, saying that every evaluation failed and why.
TEST(Experiment, ARunWhoseEveryTrainingDivergesFinishesAndSaysWhy) {
  test::TempDir tmp;
  auto cfg = ConfigNode::load_file(test::example_config("search_nb201_hyperband_fashion_mnist.yaml"));
  cfg.apply_override("evaluator.train.learning_rate=1e30");
  cfg.apply_override("budget.max_queries=3");
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_EQ(s.status, "infeasible");
  EXPECT_EQ(s.steps, 3);
  EXPECT_EQ(s.failed_steps, 3);
  EXPECT_NE(s.status_reason.find("every evaluation failed"), std::string::npos) << s.status_reason;
  const auto lines = read_complete_lines(tmp.file("run/results.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& l : lines) {
    EXPECT_NE(Json::parse(l).at("failure").get<std::string>().find("training diverged"),
              std::string::npos)
        << l;
  }
}

TEST(Report, WarnsAboutDivergedRuns) {
  test::TempDir tmp;
  auto ok = tiny_one_shot("darts");
  ok.apply_override("optimizer.epochs=1");
  run_experiment(ok, ExperimentOptions().run_dir(tmp.file("runs/ok")));
  auto bad = tiny_one_shot("darts");
  bad.apply_override("optimizer.learning_rate=1e30");
  bad.apply_override("optimizer.min_learning_rate=1e29");
  run_experiment(bad, ExperimentOptions().run_dir(tmp.file("runs/bad")));
  const auto report = make_report({tmp.file("runs")}, ReportOptions());
  ASSERT_EQ(report.groups.size(), 1u);
  EXPECT_EQ(report.groups[0].runs, 1);  // the diverged run has nothing to count
  bool warned = false;
  for (const auto& w : report.warnings) {
    warned = warned ||
             (w.find(tmp.file("runs/bad") + "' ended with status 'diverged' (optimizer "
                                            "'darts' diverged at epoch 1") != std::string::npos);
  }
  EXPECT_TRUE(warned) << ::testing::PrintToString(report.warnings);
}

TEST(RunCommand, ADivergedSearchExitsZeroWithAWarningAndLogsWhatDiverged) {
  test::TempDir tmp;
  const std::string dir = tmp.file("run");
  const auto r = test::run_command(
      test::cli_path() + " --threads 1 run " + examples("search_nb201_gdas.yaml") +
      " --set benchmark.required=false --set search.train_limit=256 --set optimizer.epochs=2"
      " --set optimizer.learning_rate=1e30 --set optimizer.min_learning_rate=1e29 --out '" +
      dir + "' 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("status: diverged: optimizer 'gdas' diverged at epoch 1, step 2: "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("architecture: none\n"), std::string::npos) << r.output;
  const std::string run_log = read_file(dir + "/run.log");
  EXPECT_NE(
      run_log.find(
          "[warning] one-shot search stopped: optimizer 'gdas' diverged at epoch 1, step 2: "),
      std::string::npos)
      << run_log;
  EXPECT_NE(run_log.find("no checkpoint was written"), std::string::npos) << run_log;
}

TEST(Report, SummarisesSeedsBesideRandomSearch) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  std::map<std::string, std::vector<double>> values;
  for (const std::string opt : {"random_search", "regularized_evolution"}) {
    for (uint64_t seed = 0; seed < 4; ++seed) {
      const auto s = run_experiment(
          tabular_config(opt, 30, seed),
          ExperimentOptions().run_dir(tmp.file("runs/" + opt + "/seed-" + std::to_string(seed))));
      values[opt].push_back(*s.report_value);
    }
  }
  const auto report =
      make_report({tmp.file("runs")}, ReportOptions().out_dir(tmp.file("report")));
  ASSERT_EQ(report.groups.size(), 2u);
  EXPECT_EQ(report.groups[0].optimizer, "random_search");  // the baseline first
  const auto& re = report.groups[1];
  EXPECT_EQ(re.optimizer, "regularized_evolution");
  EXPECT_EQ(re.runs, 4);
  EXPECT_EQ(re.metric, "test_acc");
  const auto& v = values["regularized_evolution"];
  const double mean = (v[0] + v[1] + v[2] + v[3]) / 4.0;
  double ss = 0.0;
  for (double x : v) ss += (x - mean) * (x - mean);
  EXPECT_NEAR(re.mean, mean, 1e-9);
  EXPECT_NEAR(re.std, std::sqrt(ss / 3.0), 1e-9);
  auto sorted = v;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NEAR(re.median, (sorted[1] + sorted[2]) / 2.0, 1e-9);
  ASSERT_TRUE(re.vs_random_search.has_value());
  EXPECT_NEAR(*re.vs_random_search, re.mean - report.groups[0].mean, 1e-9);
  EXPECT_NE(report.table().find("regularized_evolution"), std::string::npos);

  // The anytime curve over steps ends at the mean of the final values.
  const auto curve = read_complete_lines(tmp.file("report/curves_steps.csv"));
  std::string last_re;
  for (const auto& l : curve) {
    if (l.find("regularized_evolution") != std::string::npos) last_re = l;
  }
  ASSERT_FALSE(last_re.empty());
  EXPECT_NE(last_re.find("\",30,"), std::string::npos) << last_re;
  EXPECT_NEAR(std::stod(last_re.substr(last_re.find(",30,") + 4)), mean, 1e-6);
  if (test::run_command("command -v gnuplot").exit_code == 0) {
    for (const char* svg : {"anytime_steps.svg", "anytime_cost.svg", "pareto.svg"}) {
      const std::string text = read_file(tmp.file(std::string("report/") + svg));
      EXPECT_NE(text.find("<svg"), std::string::npos) << svg;
    }
  }

  // Without random search the report says the baseline is missing.
  const auto alone = make_report({tmp.file("runs/regularized_evolution")}, ReportOptions());
  ASSERT_EQ(alone.warnings.size(), 1u);
  EXPECT_NE(alone.warnings[0].find("baseline is missing"), std::string::npos);
  fs::create_directories(tmp.file("empty"));
  NASCPP_EXPECT_THROW_WITH(make_report({tmp.file("empty")}, ReportOptions()), ConfigError,
                           "holds no run");
}

// A multi-fidelity incumbent evaluated at 12 epochs has a 12-epoch test
// accuracy; the report compares methods by the architecture's full-training
// value (the benchmark: section), over the runs and along the anytime curve.
TEST(Report, MultiFidelityRunsAreComparedAtFullTraining) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  std::map<std::string, std::vector<double>> values;
  bool low_fidelity_incumbent = false;
  for (const std::string opt : {"random_search", "hyperband"}) {
    for (uint64_t seed = 0; seed < 3; ++seed) {
      auto cfg = tabular_config("hyperband", 40, seed);
      cfg.apply_override("optimizer={name: " + opt + "}");
      const std::string dir = tmp.file("runs/" + opt + "/seed-" + std::to_string(seed));
      const auto s = run_experiment(cfg, ExperimentOptions().run_dir(dir));
      ASSERT_EQ(s.benchmark_report, "cifar10/test_acc");
      ASSERT_EQ(s.benchmark.count("cifar10/test_acc"), 1u);
      values[opt].push_back(s.benchmark.at("cifar10/test_acc"));
      // Every trajectory row carries its incumbent's full-training value;
      // rows with a 12-epoch incumbent differ from its 12-epoch test accuracy.
      const auto rows = RunDirectory::open_read_only(dir)->trajectory();
      ASSERT_FALSE(rows.empty());
      std::map<std::string, double> by_arch;
      for (const auto& row : rows) {
        ASSERT_TRUE(row.benchmark.has_value()) << dir << " step " << row.step;
        auto [it, fresh] = by_arch.emplace(row.architecture, *row.benchmark);
        EXPECT_EQ(it->second, *row.benchmark) << row.architecture;
        if (row.report && *row.report != *row.benchmark) low_fidelity_incumbent = true;
      }
      EXPECT_EQ(*rows.back().benchmark, s.benchmark.at("cifar10/test_acc"));
    }
  }
  EXPECT_TRUE(low_fidelity_incumbent) << "no hyperband run had a 12-epoch incumbent";
  const auto report = make_report({tmp.file("runs")}, ReportOptions());
  ASSERT_EQ(report.groups.size(), 2u);
  for (const auto& g : report.groups) {
    EXPECT_EQ(g.metric, "cifar10/test_acc") << g.optimizer;
    const auto& v = values[g.optimizer];
    EXPECT_NEAR(g.mean, (v[0] + v[1] + v[2]) / 3.0, 1e-9) << g.optimizer;
  }
  ASSERT_TRUE(report.groups[1].vs_random_search.has_value());
  EXPECT_TRUE(report.warnings.empty()) << report.warnings[0];
}

// One corrupt run made `nascpp report` fail as a whole.
TEST(Report, ReportsTheReadableRunsAndNamesTheBadOnes) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const auto seed_dir = [&tmp](int seed) { return tmp.file("runs/seed-" + std::to_string(seed)); };
  for (int seed = 0; seed < 5; ++seed) {
    run_experiment(tabular_config("random_search", 10, static_cast<uint64_t>(seed)),
                   ExperimentOptions().run_dir(seed_dir(seed)));
  }
  write_file_atomic(seed_dir(1) + "/summary.json", "{\"optimizer\": ");
  write_file_atomic(seed_dir(2) + "/trajectory.csv",
                    read_file(seed_dir(2) + "/trajectory.csv") + "11,not-a-number\n");
  write_file_atomic(seed_dir(3) + "/pareto.csv",
                    "query,arch,objective,params_mb,feasible\n0,|x|,oops,1.5,true\n");
  fs::remove(seed_dir(4) + "/summary.json");  // as if interrupted

  const auto report = make_report({tmp.file("runs")}, ReportOptions().out_dir(tmp.file("report")));
  ASSERT_EQ(report.groups.size(), 1u);
  EXPECT_EQ(report.groups[0].runs, 1);  // seed 0
  ASSERT_EQ(report.skipped.size(), 4u);
  std::map<std::string, std::string> why;
  for (const auto& s : report.skipped) why[s.dir] = s.reason;
  EXPECT_NE(why[seed_dir(1)].find("summary.json' is not valid JSON"), std::string::npos);
  EXPECT_NE(why[seed_dir(2)].find("trajectory.csv' line 12: 2 fields, the header has 13"), std::string::npos)
      << why[seed_dir(2)];
  EXPECT_NE(why[seed_dir(3)].find("pareto.csv' line 2: malformed number"), std::string::npos)
      << why[seed_dir(3)];
  EXPECT_NE(why[seed_dir(4)].find("not complete"), std::string::npos);
  const std::string md = read_file(tmp.file("report/report.md"));
  EXPECT_NE(md.find("Skipped runs (4):"), std::string::npos) << md;
  EXPECT_NE(md.find("- `" + seed_dir(1) + "`: "), std::string::npos) << md;

  // The program: the report of the good run, each bad run named on stderr.
  auto r = test::run_command(test::cli_path() + " report '" + tmp.file("runs") + "'");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| random_search |"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("skipped run '" + seed_dir(3) + "': "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("Skipped runs (4):"), std::string::npos) << r.output;

  // No run readable: a data error (exit 3) naming each run and why.
  fs::remove_all(seed_dir(0));
  NASCPP_EXPECT_THROW_WITH(make_report({tmp.file("runs")}, ReportOptions()), DataError,
                           "no run could be read:\n  '");
  NASCPP_EXPECT_THROW_WITH(
      make_report({tmp.file("runs")}, ReportOptions()), DataError,
      "\n  '" + seed_dir(1) + "': '" + seed_dir(1) + "/summary.json' is not valid JSON");
  r = test::run_command(test::cli_path() + " report '" + tmp.file("runs") + "'");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("no run could be read"), std::string::npos) << r.output;
}

TEST(RunCommand, SeedsHelpAndErrors) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string cli = test::cli_path();
  const std::string data = "NASCPP_DATA='" + test::data_dir() + "' ";
  auto r = test::run_command(data + cli + " -q run " + examples("search_nb201_random_search.yaml") +
                             " --set budget.max_queries=10 --seeds 0-2 --out " + tmp.file("rs"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (int s = 0; s < 3; ++s) {
    EXPECT_TRUE(fs::exists(tmp.file("rs/seed-" + std::to_string(s) + "/summary.json")));
    EXPECT_EQ(read_summary(tmp.file("rs/seed-" + std::to_string(s))).seed,
              static_cast<uint64_t>(s));
  }
  EXPECT_NE(r.output.find("nascpp report"), std::string::npos);
  r = test::run_command(cli + " report " + tmp.file("rs"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("| random_search | nasbench201 | cifar10-valid | 3 |"),
            std::string::npos)
      << r.output;

  // Errors: exit 2 and a message naming the problem; nothing overwritten.
  r = test::run_command(data + cli + " run " + examples("search_nb201_random_search.yaml") +
                        " --seeds 1-3 --out " + tmp.file("rs"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("seed-1"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp.file("rs/seed-3")));
  r = test::run_command(cli + " run --seeds 3-1 " + examples("search_nb201_random_search.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("runs backwards"), std::string::npos) << r.output;
  r = test::run_command(cli + " run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("no configuration file"), std::string::npos) << r.output;
  r = test::run_command(cli + " run --resume " + tmp.file("rs") + " " +
                        examples("search_nb201_random_search.yaml"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("stored configuration"), std::string::npos) << r.output;
  r = test::run_command(data + cli + " run " + examples("search_nb201_random_search.yaml") +
                        " --set optimizer.name=hill_climbing --out " + tmp.file("x"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("hill_climbing"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("local_search"), std::string::npos) << r.output;
  fs::create_directories(tmp.file("empty"));
  r = test::run_command(cli + " report " + tmp.file("empty"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("holds no run"), std::string::npos) << r.output;
  for (const char* sub : {"run", "report"}) {
    r = test::run_command(cli + " " + sub + " --help");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.output.find("Usage"), std::string::npos);
  }
}

// `run --check` builds everything and checks every key, runs and writes nothing.
TEST(RunCommand, CheckValidatesWithoutRunning) {
  NASCPP_REQUIRE_DATA_DIR();
  test::TempDir tmp;
  const std::string cli = test::cli_path();
  const std::string data = "NASCPP_DATA='" + test::data_dir() + "' ";
  const std::string cwd = "cd '" + tmp.path() + "' && ";
  auto r = test::run_command(cwd + data + cli + " -q run --check " +
                             examples("search_nb201_bananas.yaml") + " --seeds 0-1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("search_nb201_bananas.yaml is valid"), std::string::npos) << r.output;
  // A bad key deep in a section: exit 2 naming it and the valid keys.
  r = test::run_command(cwd + data + cli + " -q run --check " +
                        examples("search_nb201_bananas.yaml") + " --set optimizer.num_candidats=3");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("num_candidats"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("num_candidates"), std::string::npos) << r.output;
  // A benchmark directory that does not exist is found by the check too.
  r = test::run_command(cwd + cli + " -q run --check " + examples("search_nb201_bananas.yaml") +
                        " --set evaluator.data_dir=/nonexistent");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("/nonexistent"), std::string::npos) << r.output;
  r = test::run_command(cwd + cli + " run --check " + examples("search_nb201_bananas.yaml") +
                        " --out x");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  // Nothing was written: no runs/ directory, no run directory.
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

// Every example configuration runs as it is (each is sized for CI).
class ExampleConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ExampleConfigTest, Runs) {
  if (GetParam().find("nb201") != std::string::npos &&
      GetParam().find("darts") == std::string::npos &&
      GetParam().find("gdas") == std::string::npos) {
    NASCPP_REQUIRE_DATA_DIR();
  }
  test::TempDir tmp;
  auto cfg = ConfigNode::load_file(examples(GetParam() + ".yaml"));
  if (cfg.raw()["evaluator"] && cfg.raw()["evaluator"]["data_dir"]) {
    cfg.apply_override("evaluator.data_dir=" + test::data_dir());
  }
  if (cfg.raw()["benchmark"]) cfg.apply_override("benchmark.data_dir=" + test::data_dir());
  const auto s = run_experiment(cfg, ExperimentOptions().run_dir(tmp.file("run")));
  EXPECT_GT(s.steps, 0);
  EXPECT_FALSE(s.architecture.empty());
  EXPECT_EQ(read_complete_lines(tmp.file("run/results.jsonl")).size(),
            static_cast<size_t>(s.steps));
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ExampleConfigTest,
    ::testing::Values("search_nb201_random_search", "search_nb201_regularized_evolution",
                      "search_nb201_local_search", "search_nb201_bananas", "search_nb201_darts",
                      "search_nb201_gdas", "search_nb101_random_search",
                      "search_nb101_regularized_evolution", "search_nb101_local_search",
                      "search_nb101_bananas", "search_darts_random_search",
                      "search_darts_regularized_evolution", "search_darts_local_search",
                      "search_darts_bananas", "search_darts_darts", "search_darts_gdas",
                      "search_nb201_successive_halving", "search_nb201_hyperband",
                      "search_nb201_bohb", "search_nb201_dehb", "search_nb201_asha",
                      "search_nb201_hyperband_fashion_mnist", "search_graph_tiny",
                      "search_nb201_zero_cost"));

}  // namespace
}  // namespace nascpp

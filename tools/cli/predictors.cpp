// `nascpp predictors`: the predictor evaluation protocol of White et al.
// (2021) on a tabular benchmark (nascpp/predictor_evaluation.h): the table
// on stdout, and with --out the CSV, a gnuplot script and (when gnuplot is
// installed) the plot of Kendall tau against the training set size.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/gnuplot.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/evaluators/score_table.h"
#include "nascpp/predictor_evaluation.h"
#include "nascpp/registries.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct PredictorsArgs {
  std::string benchmark = "nasbench201";
  std::string dataset = "cifar10-valid";
  std::string metric = "valid_acc";
  std::string data_dir;
  std::vector<std::string> predictors{"mlp_ensemble"};
  std::vector<std::string> overrides;
  std::string encoding = "path";
  std::vector<int64_t> train_sizes{5, 8, 14, 24, 42, 71, 121, 205};
  int64_t test_size = 200;
  int64_t trials = 100;
  uint64_t seed = 0;
  std::string out;
  std::string zero_cost_file;
  std::vector<std::string> zero_cost_columns{"synflow"};
  int64_t low_fidelity_epochs = 0;
};

void run_predictors(const PredictorsArgs& args) {
  // Everything that can be checked without the benchmark first: a typo fails
  // at once, not after loading the data.
  ConfigNode predictor_cfg;
  for (const auto& o : args.overrides) predictor_cfg.apply_override(o);
  for (const auto& name : args.predictors) {
    // Build one of each, so that a bad name or key fails here.
    auto section = predictor_cfg.section(name);
    predictor_registry().create(name, section);
    section.finish();
  }
  for (const auto& key : predictor_cfg.keys()) {
    NASCPP_CHECK_CONFIG(
        std::find(args.predictors.begin(), args.predictors.end(), key) != args.predictors.end(),
        "--set {}.…: '{}' is not one of the evaluated predictors ({})", key, key,
        join(args.predictors));
  }
  auto options = PredictorEvaluationOptions()
                     .train_sizes(args.train_sizes)
                     .test_size(args.test_size)
                     .trials(args.trials)
                     .seed(args.seed)
                     .encoding(args.encoding);
  options.validate();
  NASCPP_CHECK_CONFIG(
      !args.zero_cost_file.empty() || args.zero_cost_columns == std::vector<std::string>{"synflow"},
      "--zero-cost-columns {} needs --zero-cost-features FILE (the scores)",
      join(args.zero_cost_columns));
  ConfigNode eval_cfg;
  eval_cfg.apply_override("benchmark=" + args.benchmark);
  eval_cfg.apply_override("dataset=" + args.dataset);
  eval_cfg.apply_override("metric=" + args.metric);
  // Only the objective: the default extra metric (params_mb) is not every benchmark's.
  eval_cfg.apply_override("extra_metrics=[]");
  if (!args.data_dir.empty()) eval_cfg.apply_override("data_dir=" + args.data_dir);
  auto evaluator = evaluator_registry().create("tabular", eval_cfg, nullptr);
  eval_cfg.finish();
  ConfigNode space_cfg;
  auto space = search_space_registry().create(evaluator->search_space(), space_cfg);
  // NASLib's "omni" features: zero-cost scores and a low-fidelity accuracy
  // beside the encoding.
  std::vector<PredictorFeature> features;
  for (const auto& column : args.zero_cost_columns) {
    if (args.zero_cost_file.empty()) break;
    features.push_back({column,
                        std::make_shared<ScoreTableEvaluator>(space, args.zero_cost_file, column),
                        Fidelity()});
  }
  if (args.low_fidelity_epochs > 0) {
    ConfigNode low_cfg;
    low_cfg.apply_override("benchmark=" + args.benchmark);
    low_cfg.apply_override("dataset=" + args.dataset);
    low_cfg.apply_override("metric=" + args.metric);
    low_cfg.apply_override("extra_metrics=[]");
    if (!args.data_dir.empty()) low_cfg.apply_override("data_dir=" + args.data_dir);
    std::shared_ptr<Evaluator> low = evaluator_registry().create("tabular", low_cfg, nullptr);
    Fidelity fidelity;
    fidelity.epochs = args.low_fidelity_epochs;
    features.push_back(
        {fmt::format("{}@{}", args.metric, args.low_fidelity_epochs), low, fidelity});
  }
  options.features(features);
  options.validate();
  std::string feature_names;
  for (const auto& f : features) feature_names += (feature_names.empty() ? "" : ", ") + f.name;
  std::cout << fmt::format(
      "predictor evaluation (White et al. 2021): {} {} {}, encoding {}{}, {} test "
      "architectures, {} trials from seed {}\n",
      args.benchmark, args.dataset, args.metric, args.encoding,
      feature_names.empty() ? "" : " + features " + feature_names, args.test_size, args.trials,
      args.seed);
  std::cout << "| predictor | train size | Kendall tau | Spearman | precision@10 | precision@20 | "
               "fit s | query s |\n|---|---|---|---|---|---|---|---|\n";
  std::string csv =
      "predictor,train_size,kendall_tau,kendall_tau_std,spearman,spearman_std,precision_at_10,"
      "precision_at_20,fit_seconds,query_seconds,failed_trials,constant_trials\n";
  for (const auto& name : args.predictors) {
    const auto rows = evaluate_predictor(
        [&] {
          auto cfg = predictor_cfg.section(name);
          return predictor_registry().create(name, cfg);
        },
        *space, *evaluator, options);
    for (const auto& r : rows) {
      std::cout << fmt::format(
                       "| {} | {} | {:.3f} ± {:.3f} | {:.3f} ± {:.3f} | {:.3f} | {:.3f} | {:.4f} "
                       "| {:.4f} |{}{}\n",
                       name, r.train_size, r.kendall_tau, r.kendall_tau_std, r.spearman,
                       r.spearman_std, r.precision_at_10, r.precision_at_20, r.fit_seconds,
                       r.query_seconds,
                       r.failed_trials ? fmt::format(" {} trials failed", r.failed_trials) : "",
                       r.constant_trials
                           ? fmt::format(" {} trials predicted one value for all (correlation 0)",
                                         r.constant_trials)
                           : "")
                << std::flush;
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", name, r.train_size, r.kendall_tau,
                         r.kendall_tau_std, r.spearman, r.spearman_std, r.precision_at_10,
                         r.precision_at_20, r.fit_seconds, r.query_seconds, r.failed_trials,
                         r.constant_trials);
    }
  }
  if (args.out.empty()) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(args.out, ec);
  NASCPP_CHECK_DATA(!ec, "cannot create the output folder '{}': {}", args.out, ec.message());
  const auto out = [&](const std::string& file) { return (fs::path(args.out) / file).string(); };
  write_file_atomic(out("predictors.csv"), csv);
  std::string gp =
      "# gnuplot script written by nascpp predictors: gnuplot plots.gp\n"
      "set terminal svg size 720,480\nset output 'kendall_tau.svg'\nset datafile separator ','\n"
      "set logscale x\nset xlabel 'training set size'\nset ylabel 'Kendall tau'\nset key bottom "
      "right\n";
  gp += fmt::format(
      "set title {}\nplot ",
      gnuplot_label(fmt::format("{} {} ({} test architectures, {} trials)", args.benchmark,
                                args.dataset, args.test_size, args.trials)));
  for (size_t i = 0; i < args.predictors.size(); ++i) {
    gp += fmt::format(
        "{}'predictors.csv' skip 1 using 2:(strcol(1) eq {} ? $3 : 1/0) with linespoints title {}",
        i ? ", " : "", gnuplot_literal(args.predictors[i]), gnuplot_label(args.predictors[i]));
  }
  gp += "\n";
  write_file_atomic(out("plots.gp"), gp);
  if (!gnuplot_available()) {
    logger()->warn(
        "gnuplot is not installed (Debian: apt-get install gnuplot-nox): no plot drawn; run "
        "`gnuplot plots.gp` in '{}' later",
        args.out);
    return;
  }
  run_gnuplot(args.out, "plots.gp");
  std::cout << "wrote " << out("predictors.csv") << " and " << out("kendall_tau.svg") << "\n";
}

}  // namespace

void add_predictors_command(CLI::App& app) {
  auto args = std::make_shared<PredictorsArgs>();
  auto* cmd = app.add_subcommand(
      "predictors",
      "Evaluate performance predictors by the protocol of White et al. (2021) on a tabular "
      "benchmark");
  cmd->add_option("--predictors", args->predictors,
                  "predictors to evaluate, comma separated (default mlp_ensemble; `nascpp list "
                  "predictors`)")
      ->delimiter(',');
  cmd->add_option("--benchmark", args->benchmark, "tabular benchmark (default nasbench201)")
      ->check(non_empty());
  cmd->add_option("--dataset", args->dataset, "benchmark dataset (default cifar10-valid)")
      ->check(non_empty());
  cmd->add_option("--metric", args->metric, "the predicted metric (default valid_acc)")
      ->check(non_empty());
  cmd->add_option("--data-dir", args->data_dir, "benchmark data directory (default: $NASCPP_DATA)")
      ->check(non_empty());
  cmd->add_option("--encoding", args->encoding, "the space's encoding (default path)")
      ->check(non_empty());
  cmd->add_option("--train-sizes", args->train_sizes,
                  "training set sizes, comma separated (default 5,8,14,24,42,71,121,205)")
      ->delimiter(',');
  cmd->add_option("--test-size", args->test_size, "test architectures per trial (default 200)");
  cmd->add_option("--trials", args->trials, "trials (default 100)");
  cmd->add_option("--seed", args->seed, "trial t uses seed + t (default 0)")
      ->check(whole_number_in(0, std::numeric_limits<uint64_t>::max()));
  cmd->add_option("--set", args->overrides,
                  "a predictor option: NAME.key=value, e.g. gp.kernel=matern52 (repeatable)");
  cmd->add_option("--zero-cost-features", args->zero_cost_file,
                  "also feed the predictors these zero-cost scores: a CSV with `arch` and one "
                  "column per proxy (nascpp zero-cost --csv, bench/zero_cost_check --scores-out)")
      ->check(non_empty());
  cmd->add_option("--zero-cost-columns", args->zero_cost_columns,
                  "the proxies of --zero-cost-features used, comma separated (default synflow)")
      ->delimiter(',');
  cmd->add_option("--low-fidelity-epochs", args->low_fidelity_epochs,
                  "also feed the predictors the metric after this many epochs (NAS-Bench-201: "
                  "12; NASLib's omni predictor)")
      ->check(whole_number_in(1, 100000));
  cmd->add_option("--out", args->out, "also write predictors.csv and kendall_tau.svg here")
      ->check(non_empty());
  cmd->callback([args] { run_predictors(*args); });
}

}  // namespace nascpp::cli

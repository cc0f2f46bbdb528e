#pragma once
/// `make_report`: summarises finished run directories (run_experiment's) the
/// way Lindauer & Hutter (2020) ask: per optimizer, search space and dataset
/// the mean ± standard deviation (and median and quartiles) over seeds, the
/// random-search baseline beside every other optimizer, and anytime curves of
/// the incumbent over steps and over cost with a spread band.
///
///     nascpp::Report r = nascpp::make_report({"runs/re", "runs/rs"},
///                                            nascpp::ReportOptions().out_dir("report"));
///     std::cout << r.table();
///
/// With an output folder it writes report.md, curves_steps.csv,
/// curves_cost.csv, the gnuplot script plots.gp and, when gnuplot is
/// installed (Debian: gnuplot-nox), anytime_steps.svg, anytime_cost.svg and
/// (for runs with a Pareto front) pareto.svg.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/options.h"

namespace nascpp {

struct ReportOptions {
  /// Folder for the report's files ("": compute only). Existing report files
  /// in it are replaced; other files are left alone.
  NASCPP_ARG(std::string, out_dir);
  /// Draw the plots with gnuplot (when installed).
  NASCPP_ARG(bool, plots) = true;
  /// Points of the anytime curve over cost (log-spaced).
  NASCPP_ARG(int64_t, cost_points) = 40;
};

/// One optimizer on one search space and dataset, over its runs (seeds).
struct ReportGroup {
  std::string optimizer;
  std::string search_space;
  std::string dataset;
  /// The value summarised: the full-training benchmark value of the
  /// `benchmark:` section ("cifar10/test_acc") when every run has the same
  /// one (a multi-fidelity incumbent evaluated at 12 epochs counts with its
  /// 200-epoch accuracy), else the reported metric (e.g. test_acc) when every
  /// run has it, else the search objective. "vs random search" only compares
  /// groups with the same `metric`.
  std::string metric;
  int64_t runs = 0;
  /// Of the final incumbent's `metric` over runs (std: sample standard
  /// deviation; quartiles by linear interpolation).
  double mean = 0.0, std = 0.0, median = 0.0, q1 = 0.0, q3 = 0.0;
  /// Of the final incumbent's search objective.
  std::string objective_name;
  double objective_mean = 0.0, objective_std = 0.0;
  /// Test top-1 of the final training, when every run has one.
  std::optional<double> final_mean, final_std;
  /// `mean` minus random search's on the same space and dataset, if present.
  std::optional<double> vs_random_search;
  /// Label used in tables and plots: "optimizer (space, dataset)".
  std::string label() const;
};

/// A run directory the report could not use, and why.
struct SkippedRun {
  std::string dir;
  std::string reason;
};

struct Report {
  std::vector<ReportGroup> groups;
  /// Runs left out: incomplete ones (no summary.json) and ones whose files
  /// cannot be read (a malformed summary, trajectory or Pareto front).
  std::vector<SkippedRun> skipped;
  /// A missing random-search baseline, missing gnuplot.
  std::vector<std::string> warnings;
  /// Files written.
  std::vector<std::string> files;
  /// The groups as a Markdown table.
  std::string table() const;
  /// The skipped runs as a Markdown list under a heading ("" when none).
  std::string skipped_list() const;
};

/// Reads every run under `paths` (a run directory, or a folder holding run
/// directories, e.g. a multi-seed run). A path with no run in it is a
/// ConfigError naming it. Runs that are incomplete or cannot be read are
/// skipped (`Report::skipped`, and listed in report.md); the others are
/// reported. When no run at all can be read it is a DataError naming each
/// run and why.
Report make_report(const std::vector<std::string>& paths, const ReportOptions& options);

}  // namespace nascpp

// `nascpp report DIR...`: mean ± std, median and quartiles over seeds per
// optimizer, search space and dataset, the random-search baseline beside the
// others, anytime curves and plots (nascpp/report.h).
#include <iostream>

#include "commands.h"
#include "nascpp/core/log.h"
#include "nascpp/report.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct ReportArgs {
  std::vector<std::string> dirs;
  std::string out;
  bool no_plots = false;
};

void report_command(const ReportArgs& args) {
  const auto report =
      make_report(args.dirs, ReportOptions().out_dir(args.out).plots(!args.no_plots));
  std::cout << report.table() << report.skipped_list();
  for (const auto& s : report.skipped) logger()->warn("skipped run '{}': {}", s.dir, s.reason);
  for (const auto& w : report.warnings) logger()->warn("{}", w);
  if (!args.out.empty()) {
    std::cout << "\nwritten:\n";
    for (const auto& f : report.files) {
      if (f.find(".dat") == std::string::npos) std::cout << "  " << f << "\n";
    }
  }
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "Summarise finished runs: mean ± std (median, quartiles) over seeds per optimizer and "
      "dataset beside random search, anytime curves over steps and cost, plots");
  cmd->add_option("dirs", args->dirs, "run directories, or folders holding them (e.g. runs/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--out", args->out,
                  "write report.md, curve CSVs and SVG plots (gnuplot) into this folder")
      ->check(non_empty());
  cmd->add_flag("--no-plots", args->no_plots, "do not run gnuplot");
  cmd->callback([args] { report_command(*args); });
}

}  // namespace nascpp::cli

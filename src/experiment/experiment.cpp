// run_experiment: builds the parts of an experiment from the registries (the
// composition is in parts.cpp), runs the search into its run directory
// (black_box_run.cpp, one_shot_run.cpp) and trains the found architecture
// (see include/nascpp/experiment.h).
#include "nascpp/experiment.h"

#include <chrono>

#include "nascpp/core/error.h"
#include "nascpp/core/libtorch.h"
#include "nascpp/core/log.h"
#include "parts.h"

namespace nascpp {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ExperimentSummary run_experiment(ConfigNode config, const ExperimentOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& path = options.run_dir();
  std::unique_ptr<RunDirectory> dir;
  detail::Parts parts;
  if (options.resume()) {
    dir = RunDirectory::open_for_resume(path);
    NASCPP_CHECK_CONFIG(config.keys().empty(),
                        "a resumed run uses its stored configuration '{}/config.yaml'; pass no "
                        "other configuration (or start a new run with --out)",
                        path);
    if (auto done = dir->summary()) {
      logger()->info("run '{}' is already complete", path);
      return *done;
    }
    config = dir->config();
    parts = detail::build_parts(config);
    dir->resume_session(parts.data_files(), options.command_line());
  } else {
    // Cheap checks first (a bad --out fails before any data is read); the
    // directory is created, atomically and locked, only once every part
    // is built and checked, so a bad configuration leaves nothing behind.
    RunDirectory::check_new(path, options.force());
    parts = detail::build_parts(config);
    dir = RunDirectory::create(path, options.force());
    dir->write_config(config);
    dir->write_manifest(parts.seed, parts.deterministic, parts.data_files(),
                        options.command_line());
  }
  if (parts.deterministic) libtorch::use_deterministic_algorithms();
  if (options.on_ready()) options.on_ready()(path);

  try {
    ExperimentSummary summary;
    summary.search_space = parts.space->name();
    summary.optimizer = parts.optimizer->name();
    summary.seed = parts.seed;
    std::vector<TrajectoryRow> trajectory;
    logger()->info("run '{}': {} search in {} (seed {})", path, parts.optimizer->name(),
                   parts.space->name(), parts.seed);
    if (parts.optimizer->kind() == Optimizer::Kind::kBlackBox) {
      detail::run_black_box_search(parts, *dir, options, options.resume(), summary, trajectory);
    } else {
      detail::run_one_shot(parts, *dir, options, summary, trajectory);
    }
    dir->write_trajectory(trajectory);
    if (!summary.architecture.empty()) {
      logger()->info("found {} ({} {:.4f})", summary.architecture, summary.objective_name,
                     summary.objective);
    }
    if (parts.final_training.enabled) {
      if (summary.status == "diverged") {
        logger()->warn("final training skipped: the search diverged");
      } else if (summary.architecture.empty()) {
        logger()->warn("final training skipped: the search found no architecture");
      } else {
        parts.final_training.run(summary.architecture, *dir, options, summary);
      }
    }
    summary.wall_s = seconds_since(start);
    dir->write_summary(summary);
    return summary;
  } catch (const std::exception& e) {
    // The error that ends the run belongs in its log too (the program prints
    // it on stderr only).
    try {
      dir->append_log("error", fmt::format("the run stopped: {}", e.what()));
    } catch (const std::exception&) {
    }
    throw;
  }
}

void check_experiment_config(ConfigNode config) { detail::build_parts(config); }

void check_run_directory(const ExperimentOptions& options) {
  if (options.resume()) return;
  RunDirectory::check_new(options.run_dir(), options.force());
}

ExperimentSummary read_summary(const std::string& run_dir) {
  auto summary = RunDirectory::open_read_only(run_dir)->summary();
  NASCPP_CHECK_DATA(summary.has_value(), "'{}' has no summary.json: the run is not complete",
                    run_dir);
  return *summary;
}

}  // namespace nascpp

#pragma once
/// Experiments: one YAML configuration run end to end into a run directory
/// (the search, then the final evaluation of the architecture it found), which
/// a kill at any instant leaves resumable.
///
///     auto cfg = nascpp::ConfigNode::load_file("examples/configs/main.yaml");
///     nascpp::ExperimentSummary s = nascpp::run_experiment(
///         cfg, nascpp::ExperimentOptions().run_dir("runs/main"));
///     s.architecture;               // the found architecture's text form
///     s.final_test_top1;            // its test accuracy after training (if configured)
///
/// The run directory (docs/experiments.md has every field):
///
///     config.yaml       the resolved configuration: every key, defaults filled in
///     manifest.json     versions, git revision, compiler, CPU/GPU, threads,
///                       determinism, seed, sha256 of every data file; one
///                       entry per (re)start in "sessions"
///     results.jsonl     one line per evaluation (black-box) or search epoch (one-shot)
///     trajectory.csv    the incumbent after each step, over steps, cost and wall time
///     final.jsonl       per-epoch metrics of the final training (when configured)
///     pareto.csv, .json the Pareto front (black-box with `pareto.metric`)
///     summary.json      the outcome; written last, so it marks a complete run
///     checkpoints/      the search state after every step, the final training's
///                       state after every epoch
///
/// Every file is written atomically (temporary file, then rename) or appended
/// line by line; a resumed run restores the last checkpoint and replays the
/// logged results past it (black-box: no evaluation runs twice; one-shot:
/// epochs past the checkpoint are repeated identically), so it ends with the
/// same results as an uninterrupted run. A running experiment holds a lock
/// on its directory: a second process on the same directory is refused.
///
/// Configuration (docs/configuration.md): `seed`, `deterministic`,
/// `search_space`, `optimizer`; for black-box optimizers `evaluator`,
/// `budget`, `constraints`, `pareto`; for one-shot optimizers `dataset` and
/// `search`; `benchmark` (look the found architecture up in a tabular
/// benchmark) and `final` (train the found architecture from scratch).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/progress.h"
#include "nascpp/run_directory.h"

namespace nascpp {

struct ExperimentOptions {
  /// The run directory. It must not exist or be empty, unless `resume` or `force`.
  NASCPP_ARG(std::string, run_dir);
  /// Continue the run in `run_dir` (its config.yaml is the configuration).
  NASCPP_ARG(bool, resume) = false;
  /// Replace an existing run directory (only one that holds a config.yaml or
  /// manifest.json; any other non-empty folder is refused).
  NASCPP_ARG(bool, force) = false;
  /// The command line, recorded in the manifest.
  NASCPP_ARG(std::string, command_line);
  /// Progress of the search (per step) and of the final training (per batch).
  NASCPP_ARG(std::function<void(const Progress&)>, on_progress);
  /// Called when a phase (search, final training) ends, e.g. to end a progress bar.
  NASCPP_ARG(std::function<void()>, on_phase_end);
  /// Called once the run directory exists, before the search starts (e.g. to
  /// add a log file inside it).
  NASCPP_ARG(std::function<void(const std::string&)>, on_ready);
};

/// Runs (or resumes) the experiment that `config` describes into
/// `options.run_dir()`. With `resume` the directory's config.yaml is used and
/// `config` must be empty; a run that is already complete returns its summary. Bad configuration is a ConfigError naming the
/// key, the value and the valid choices; nothing is written before the
/// directory checks pass.
ExperimentSummary run_experiment(ConfigNode config, const ExperimentOptions& options);

/// Builds everything `run_experiment` would build from `config` (search
/// space, optimizer, evaluator or dataset, benchmark, final training; data
/// files are read) and checks every key, without running or writing
/// anything: the ConfigError of a bad configuration, before any compute.
void check_experiment_config(ConfigNode config);

/// The directory checks of `run_experiment` alone (for checking several runs
/// before starting the first): ConfigError when the directory may not be used.
void check_run_directory(const ExperimentOptions& options);

/// Reads summary.json of a complete run; DataError when missing or malformed.
ExperimentSummary read_summary(const std::string& run_dir);

/// A study: one configuration run for several seeds into `out/seed-<n>`.
struct StudyOptions {
  /// The study folder; it also keeps the configuration and the seed list
  /// (study.yaml, study.json), so that `resume_study` finishes every seed,
  /// also those not started yet.
  NASCPP_ARG(std::string, out);
  NASCPP_ARG(std::vector<uint64_t>, seeds);
  /// Replace seed directories of an earlier study (only run directories).
  NASCPP_ARG(bool, force) = false;
  /// Seeds run at once (threads in this process); 1: one after the other.
  NASCPP_ARG(int64_t, jobs) = 1;
  /// The options of every run (its run_dir is set per seed).
  NASCPP_ARG(ExperimentOptions, run) = ExperimentOptions();
  /// Called after each seed's run, with its directory and summary (from the
  /// thread that ran it).
  NASCPP_ARG(std::function<void(const std::string&, const ExperimentSummary&)>, on_done);
};

/// Runs `config` once per seed (the key `seed` set to each). Every seed
/// directory is checked before the first run starts; the benchmark tables
/// are read once and the data files hashed once for all manifests. The first
/// error stops the study (runs already going finish their current seed).
/// Returns the summaries in seed order.
std::vector<ExperimentSummary> run_study(ConfigNode config, const StudyOptions& options);

/// Finishes the study in `options.out()` (its stored configuration and
/// seeds): resumes the seeds that started and runs those that did not.
/// ConfigError when the folder is not a study.
std::vector<ExperimentSummary> resume_study(const StudyOptions& options);

/// True when `dir` is a study folder (has study.json).
bool is_study(const std::string& dir);

/// Seeds from a command-line list: "3", "0-9", "0,2,5-7" (ascending ranges,
/// no duplicates). ConfigError naming the bad part otherwise.
std::vector<uint64_t> parse_seed_list(const std::string& text);

/// The machine and software facts of a manifest (versions, CPU, GPU,
/// threads, determinism), as a JSON object text.
std::string environment_json();

}  // namespace nascpp

#pragma once
/// `RunDirectory`: the one owner of a run directory's files, for writing and
/// for reading (run_experiment writes through it, `nascpp report` and resume
/// read through it; nothing else spells their names or fields).
///
///     auto dir = nascpp::RunDirectory::create("runs/re", /*force=*/false);  // locked
///     dir->write_config(cfg);
///     dir->write_manifest(seed, deterministic, data_files, "nascpp run ...");
///     dir->append_evaluation(evaluation, space);
///     // ...
///     auto read = nascpp::RunDirectory::open_read_only("runs/re");
///     std::optional<nascpp::ExperimentSummary> s = read->summary();
///
/// Files (docs/experiments.md has every field): config.yaml, manifest.json,
/// results.jsonl, trajectory.csv, pareto.csv/.json, warm_start.csv, final.jsonl,
/// summary.json (written last: it marks a complete run), run.log,
/// checkpoints/ (search.json or search.ckpt, final.ckpt, trials/), and
/// .nascpp.lock, which a running process holds (flock) so that no second
/// process writes into the same directory.
///
/// Safety rules: a new run takes a folder that does not exist (created
/// atomically) or is empty; `force` replaces only a folder whose every entry
/// is a file nascpp writes, and logs what it replaces; a resumed run checks
/// that config.yaml and the data files are those the run started with.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/search.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// The outcome of a run (summary.json).
struct ExperimentSummary {
  /// "complete" or "diverged" (a one-shot search or final training stopped
  /// at a non-finite value; `status_reason` says where and what was kept).
  std::string status = "complete";
  std::string status_reason;
  /// "black_box" or "one_shot".
  std::string kind;
  std::string search_space;
  std::string optimizer;
  /// The dataset searched on (the evaluator's, or the one-shot search's).
  std::string dataset;
  uint64_t seed = 0;
  /// The found architecture (the incumbent, or the one-shot derivation; for
  /// a diverged search the one derived after its last finite epoch, "" when
  /// it diverged in the first or no evaluation was feasible).
  std::string architecture;
  /// Name and value of the search objective for it (e.g. valid_acc; the
  /// supernet's validation accuracy in percent for one-shot searches).
  std::string objective_name;
  double objective = 0.0;
  /// The fidelity (epochs) the objective is at (0: not known).
  int64_t objective_epochs = 0;
  /// The reported metric (e.g. test_acc of the report dataset) when known.
  std::string report_metric;
  std::optional<double> report_value;
  /// Steps done (queries or epochs), failed evaluations among them, and why
  /// the search stopped.
  int64_t steps = 0;
  int64_t failed_steps = 0;
  std::string stop_reason;
  /// Search cost in (simulated or real) seconds, and the wall seconds of the
  /// session that completed the run.
  double search_cost_s = 0.0;
  double wall_s = 0.0;
  /// Benchmark values of the found architecture, "<dataset>/<metric>" -> value.
  std::map<std::string, double> benchmark;
  /// The key in `benchmark` of the `benchmark:` section's reported metric
  /// (its full-training value, whatever fidelity the search evaluated the
  /// architecture at); "" without a `benchmark:` section.
  std::string benchmark_report;
  /// The final training, when configured.
  bool has_final = false;
  std::string final_dataset;
  int64_t final_parameters = 0;
  double final_test_top1 = 0.0;
  double final_test_top5 = 0.0;
  double final_test_loss = 0.0;
};

/// One row of trajectory.csv: the incumbent after a step.
struct TrajectoryRow {
  int64_t step = 0;
  /// Cumulative cost (s), the executor's clock at the step's end (s), wall
  /// seconds, epochs paid so far.
  double cost_s = 0.0;
  double time_s = 0.0;
  double wall_s = 0.0;
  double epochs = 0.0;
  /// The step's own trial: id, fidelity (epochs), start (executor clock), worker.
  int64_t trial = -1;
  int64_t fidelity_epochs = 0;
  double start_s = 0.0;
  int64_t worker = 0;
  /// The incumbent: text form, objective (NaN while none) and reported value.
  std::string architecture;
  double objective = 0.0;
  std::optional<double> report;
  /// The incumbent architecture's full-training value of the `benchmark:`
  /// section's reported metric (none without that section).
  std::optional<double> benchmark;
};

/// One results line of a one-shot search (an epoch).
struct OneShotEpochLine {
  int64_t epoch = 0;
  std::string arch;
  double train_loss = 0, train_acc = 0, valid_loss = 0, valid_acc = 0, learning_rate = 0;
  std::vector<std::vector<std::vector<double>>> alpha_softmax;
  std::optional<double> benchmark;
  /// Wall seconds of the epoch.
  double cost = 0.0;
};

class RunDirectory {
 public:
  /// Creates `path` for a new run and locks it. The folder must not exist
  /// (it is created with its parents, atomically), or be empty; with `force`
  /// it may also hold a previous run, i.e. only entries nascpp writes (those
  /// are deleted, and the log says which). Anything else is a ConfigError
  /// naming the foreign entries; a folder another process holds is a
  /// ConfigError naming that process.
  static std::unique_ptr<RunDirectory> create(const std::string& path, bool force);
  /// The checks of `create` without creating or deleting anything.
  static void check_new(const std::string& path, bool force);
  /// Opens a run to resume it, locked. ConfigError when `path` is no run
  /// directory or the run was killed before its configuration was written
  /// (then `--force` starts it again).
  static std::unique_ptr<RunDirectory> open_for_resume(const std::string& path);
  /// Opens a run for reading only (no lock, no writes).
  static std::unique_ptr<RunDirectory> open_read_only(const std::string& path);
  /// True when `path` holds a configuration (a run that started).
  static bool is_run(const std::string& path);

  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  const std::string& path() const { return path_; }

  // ---- configuration and manifest ----

  /// Writes config.yaml (the resolved configuration) atomically.
  void write_config(const ConfigNode& config);
  /// Reads config.yaml.
  ConfigNode config() const;
  /// Writes manifest.json (environment, seed, determinism, path + size +
  /// sha256 of every data file, the config's sha256, the first session).
  void write_manifest(uint64_t seed, bool deterministic,
                      const std::vector<std::string>& data_files, const std::string& command);
  /// Checks a resumed run against its manifest, then appends a session: a
  /// config.yaml edited since the start is a ConfigError that says which keys
  /// changed; a data file whose size or sha256 changed (or that is missing,
  /// or new) is a DataError naming it.
  void resume_session(const std::vector<std::string>& data_files, const std::string& command);

  // ---- black-box results and checkpoints ----

  /// Appends the evaluation's line to results.jsonl (written at once: a kill
  /// leaves at most a partial last line, which readers drop).
  void append_evaluation(const Evaluation& e, const SearchSpace& space);
  /// The complete lines of results.jsonl as evaluations (a partial last line
  /// is dropped and, on a resumable directory, cut off the file).
  std::vector<Evaluation> evaluations(const SearchSpace& space);
  /// Writes checkpoints/search.json atomically.
  void write_search_checkpoint(const SearchCheckpoint& checkpoint);
  /// checkpoints/search.json, if written; DataError when malformed.
  std::optional<SearchCheckpoint> search_checkpoint() const;
  /// The folder for per-trial training checkpoints (continued trials).
  std::string trial_checkpoint_dir() const;
  /// warm_start.csv: a warm start's ranked pool (nascpp/warm_start.h),
  /// written before the first evaluation and read back on resume.
  std::string warm_start_path() const;

  // ---- one-shot results ----

  /// Appends one epoch's line.
  void append_epoch(const OneShotEpochLine& line);
  /// The complete epoch lines.
  std::vector<OneShotEpochLine> epochs() const;
  /// Keeps only the lines of epochs before `epoch` (lines past a checkpoint
  /// belong to an interrupted attempt and are repeated identically).
  void keep_epochs_before(int64_t epoch);
  /// checkpoints/search.ckpt, the final training's checkpoint and metrics file.
  std::string one_shot_checkpoint_path() const;
  std::string final_checkpoint_path() const;
  std::string final_metrics_path() const;
  /// run.log.
  std::string log_path() const;
  /// Appends a line to run.log directly (not through the logger): the error
  /// that ended the run, which the program prints on stderr only.
  void append_log(const std::string& level, const std::string& message);

  // ---- trajectory, Pareto front, summary ----

  void write_trajectory(const std::vector<TrajectoryRow>& rows);
  std::vector<TrajectoryRow> trajectory() const;
  void write_pareto(const std::vector<Evaluation>& evaluations, const std::vector<size_t>& front,
                    const std::string& metric, const SearchSpace& space);
  /// pareto.csv's path when the run has a front ("" otherwise).
  std::string pareto_csv() const;
  /// Writes summary.json atomically (the run is complete afterwards).
  void write_summary(const ExperimentSummary& summary);
  /// summary.json when the run is complete; DataError when malformed.
  std::optional<ExperimentSummary> summary() const;

 private:
  RunDirectory(std::string path, bool writable);
  void lock();
  std::string file(const char* name) const;

  std::string path_;
  bool writable_ = false;
  int lock_fd_ = -1;
  int results_fd_ = -1;
};

/// The seed folders ("seed-<n>", sorted by n) of a multi-seed study folder.
std::vector<std::string> seed_directories(const std::string& study);

}  // namespace nascpp

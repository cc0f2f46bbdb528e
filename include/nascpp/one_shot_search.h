#pragma once
/// `run_one_shot_search`: a whole DARTS / GDAS search on a dataset. It splits
/// the training images (train_portion, seeded), builds the space's supernet,
/// runs the optimizer's epochs, derives the architecture after each epoch
/// (and looks it up in a benchmark when one is given), reports a record per
/// epoch, and checkpoints the whole state atomically after every epoch.
///
///     auto space = nascpp::NasBench201Space::from_config(cfg);
///     nascpp::DartsOptimizer darts;
///     auto result = nascpp::run_one_shot_search(*space, darts, *dataset,
///         nascpp::OneShotSearchOptions().seed(1).checkpoint_path("run/search.ckpt"),
///         benchmark.get(), [](const nascpp::OneShotEpochRecord& r) { /* ... */ });
///     space->format(result.architecture);
///
/// A search resumed from its checkpoint (`resume(true)`) continues exactly
/// where it stopped: the same batches, Gumbel samples, weights and
/// architecture parameters as an uninterrupted run.
///
/// A search that diverges (a step's loss, gradient or updated parameters
/// become NaN or infinite; see `OneShotOptimizer::step`) stops at that step
/// and returns a result that says so (`divergence`): the epoch is not
/// recorded, no checkpoint is written (the last completed epoch's stays), and
/// the architecture is the one derived after the last completed epoch. The
/// optimizer keeps the diverged state in memory; the log gets a warning that
/// says what diverged where and which checkpoint was kept.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/benchmark.h"
#include "nascpp/core/options.h"
#include "nascpp/core/progress.h"
#include "nascpp/dataset.h"
#include "nascpp/one_shot.h"
#include "nascpp/search_space.h"

namespace nascpp {

struct OneShotSearchOptions {
  /// Seeds the split, the supernet's initialisation, the batch order and
  /// torch's generator (Gumbel samples).
  NASCPP_ARG(uint64_t, seed) = 0;
  /// "cpu", "cuda", "cuda:N" or "auto".
  NASCPP_ARG(std::string, device) = "cpu";
  /// Use only the first N training images before splitting (0: all).
  NASCPP_ARG(int64_t, train_limit) = 0;
  /// Checkpoint file written after every epoch ("" : none).
  NASCPP_ARG(std::string, checkpoint_path);
  /// Continue from `checkpoint_path` when that file exists.
  NASCPP_ARG(bool, resume) = false;
  /// Stop after this many epochs in this call (0: run to the end); the
  /// checkpoint lets a later call continue.
  NASCPP_ARG(int64_t, max_epochs_per_call) = 0;
  /// Benchmark look-up of each epoch's architecture (when a benchmark is
  /// given): the dataset and metric names of `Benchmark::query`.
  NASCPP_ARG(std::string, benchmark_dataset) = "cifar10-valid";
  NASCPP_ARG(std::string, benchmark_metric) = "valid_acc";
  /// Called after every step with the epoch's progress (may be empty).
  NASCPP_ARG(std::function<void(const Progress&)>, on_progress);

 public:
  /// Throws ConfigError naming the bad value.
  void validate() const;
};

/// What one epoch did.
struct OneShotEpochRecord {
  /// 0-based epoch index.
  int64_t epoch = 0;
  /// Means over the epoch's steps.
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  double valid_loss = 0.0;
  double valid_accuracy = 0.0;
  /// Weight learning rate of the epoch.
  double learning_rate = 0.0;
  /// The architecture derived after the epoch, and its text form.
  Architecture architecture;
  std::string architecture_text;
  /// The softmax of each cell type's architecture parameters after the epoch.
  std::vector<std::vector<std::vector<double>>> alpha_softmax;
  /// The benchmark's value of the derived architecture, when a benchmark was
  /// given and has one.
  std::optional<double> benchmark_value;
  /// Wall-clock seconds of the epoch's steps.
  double seconds = 0.0;
};

/// Where and how a search diverged.
struct OneShotDivergence {
  /// 0-based epoch (as OneShotEpochRecord::epoch) and 1-based step within it
  /// (0: found after the epoch's steps, in its end-of-epoch check).
  int64_t epoch = 0;
  int64_t step = 0;
  /// The DivergenceError's message: the optimizer, the epoch and step, what
  /// became NaN or infinite first, the learning rates.
  std::string message;
};

/// The outcome of a (partial) search.
struct OneShotSearchResult {
  /// The architecture derived at the end; after a divergence the one derived
  /// after the last completed epoch (empty when none completed).
  Architecture architecture;
  /// Records of the epochs run by this call (never the diverged one).
  std::vector<OneShotEpochRecord> epochs;
  /// Epochs completed in total (including those before a resume); after a
  /// divergence the epoch the checkpoint keeps.
  int64_t completed_epochs = 0;
  /// Set when the search stopped because it diverged.
  std::optional<OneShotDivergence> divergence;
  bool diverged() const { return divergence.has_value(); }
};

/// Runs (or resumes) a search; see the file comment. `optimizer` is attached
/// to a new supernet of `space` for `dataset`'s image shape and classes
/// (afterwards `optimizer.supernet()` is the trained supernet). `benchmark`
/// may be null; it must answer for `space`. `on_epoch` is called after each
/// epoch, just before its checkpoint is written (so a record may be repeated
/// by a resumed search, identically, but never lost). A corrupt checkpoint,
/// or one that holds non-finite state, is a DataError naming the file. A
/// divergence is not an exception but a result (see the file comment).
OneShotSearchResult run_one_shot_search(
    const SearchSpace& space, OneShotOptimizer& optimizer, const Dataset& dataset,
    const OneShotSearchOptions& options, const Benchmark* benchmark = nullptr,
    const std::function<void(const OneShotEpochRecord&)>& on_epoch = {});

}  // namespace nascpp

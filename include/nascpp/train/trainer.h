#pragma once
/// Training and evaluation of a `Network` on an in-memory `ImageSet`:
/// SGD with momentum (Nesterov option), weight decay, cosine learning-rate
/// schedule, gradient clipping, auxiliary-head loss, drop path ramped over the
/// epochs, augmentation through a prefetching `BatchLoader`; top-1 and top-5
/// evaluation; CPU or CUDA; a checkpoint after every epoch from which a
/// resumed training continues identically; per-epoch metrics as JSON lines.
/// Defaults are NAS-Bench-201's training protocol (Dong & Yang 2020, Sec. 3).

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/progress.h"
#include "nascpp/data/augment.h"
#include "nascpp/dataset.h"
#include "nascpp/network.h"

namespace nascpp {

struct TrainerOptions {
  /// Passes over the training images.
  NASCPP_ARG(int64_t, epochs) = 1;
  /// Images per mini-batch.
  NASCPP_ARG(int64_t, batch_size) = 256;
  /// Initial learning rate of the cosine schedule.
  NASCPP_ARG(double, learning_rate) = 0.1;
  /// Final learning rate of the cosine schedule.
  NASCPP_ARG(double, min_learning_rate) = 0.0;
  NASCPP_ARG(double, momentum) = 0.9;
  NASCPP_ARG(bool, nesterov) = true;
  NASCPP_ARG(double, weight_decay) = 5e-4;
  /// Maximal gradient norm (0 disables clipping).
  NASCPP_ARG(double, grad_clip) = 5.0;
  /// Use only the first N training / evaluation images (0: all), for quick runs.
  NASCPP_ARG(int64_t, train_limit) = 0;
  NASCPP_ARG(int64_t, eval_limit) = 0;
  /// "cpu", "cuda", "cuda:N" or "auto".
  NASCPP_ARG(std::string, device) = "cpu";
  /// Log a progress line every this many steps (0: once per epoch). Used
  /// when no progress callback is set.
  NASCPP_ARG(int64_t, log_every) = 50;
  /// Seed of the data order and augmentation (per epoch, see BatchLoader).
  NASCPP_ARG(uint64_t, seed) = 0;
  /// Weight of the auxiliary head's loss (DARTS: 0.4) for networks with one.
  NASCPP_ARG(double, auxiliary_weight) = 0.4;
  /// Drop-path probability, ramped linearly from 0 at the first epoch to
  /// p * (epochs - 1) / epochs at the last, as in DARTS (DARTS: 0.2).
  NASCPP_ARG(double, drop_path_prob) = 0.0;
  /// Training-set augmentation (the `augment:` subsection).
  NASCPP_ARG(AugmentOptions, augment) = AugmentOptions();
  /// Batches prepared ahead on a background thread (0: none).
  NASCPP_ARG(int64_t, prefetch) = 2;
  /// Checkpoint file written atomically after every epoch ("" disables).
  NASCPP_ARG(std::string, checkpoint) = "";
  /// Continue from `checkpoint` when it exists. Without `resume`, an existing
  /// checkpoint file is an error (it is never overwritten silently).
  NASCPP_ARG(bool, resume) = false;
  /// File that receives one JSON object per epoch ("" disables).
  NASCPP_ARG(std::string, metrics_file) = "";
  /// Stop after this many epochs of the `epochs`-long schedule (0: train all
  /// `epochs`). The learning-rate and drop-path schedules stay those of
  /// `epochs`, so a later `fit` that resumes from the checkpoint with a larger
  /// value continues exactly as one training straight through would
  /// (multi-fidelity promotions). Not a configuration key.
  NASCPP_ARG(int64_t, stop_after_epochs) = 0;

 public:
  /// Reads every key of the `train:` section; unknown keys are reported by
  /// the section's `finish()`.
  static TrainerOptions from_config(ConfigNode& cfg);
  /// Throws ConfigError naming the first invalid value.
  void validate() const;
};

/// Metrics of one training epoch.
struct EpochMetrics {
  int64_t epoch = 0;
  double train_loss = 0.0;
  double train_top1 = 0.0;  // percent
  /// Validation metrics when a validation set is given (else NaN).
  double valid_loss = std::numeric_limits<double>::quiet_NaN();
  double valid_top1 = std::numeric_limits<double>::quiet_NaN();
  double learning_rate = 0.0;
  double drop_path_prob = 0.0;
  double seconds = 0.0;
  double images_per_second = 0.0;
};

/// `m` as one JSON object (NaN fields are left out).
std::string to_json_line(const EpochMetrics& m);

/// Metrics of an evaluation pass.
struct EvalMetrics {
  double loss = 0.0;
  double top1 = 0.0;  // percent
  double top5 = 0.0;  // percent
  int64_t images = 0;
};

class Trainer {
 public:
  /// `mean`/`stddev`: per-channel normalisation of images scaled to [0, 1].
  Trainer(TrainerOptions options, std::vector<double> mean, std::vector<double> stddev);

  /// Receives progress reports (about 10 per second at most are useful);
  /// without one, the trainer logs a line every `log_every` steps.
  void on_progress(std::function<void(const Progress&)> callback) {
    on_progress_ = std::move(callback);
  }

  /// Trains `network` on `train` and, when `valid` is given, evaluates it on
  /// `valid` after every epoch; calls `on_epoch` after every epoch (after the
  /// checkpoint is written). Returns every epoch's metrics, including those of
  /// epochs restored from a checkpoint.
  ///
  /// Divergence: a non-finite training loss (checked every step, from the
  /// value the step reads anyway) or non-finite weights or batch-norm
  /// statistics (one fused check per epoch, before the epoch is evaluated,
  /// recorded or checkpointed) throw a DivergenceError naming what diverged,
  /// the epoch and step, and the checkpoint that keeps the last finite epoch
  /// (it is not overwritten). Resuming from a checkpoint that holds
  /// non-finite weights is a DataError.
  std::vector<EpochMetrics> fit(Network& network, const ImageSet& train,
                                const ImageSet* valid = nullptr,
                                const std::function<void(const EpochMetrics&)>& on_epoch = {});
  /// Loss, top-1 and top-5 accuracy on `data`, in eval mode without gradients.
  /// DivergenceError when the network's outputs are not finite (accuracies
  /// of NaN logits would be meaningless).
  EvalMetrics evaluate(Network& network, const ImageSet& data);
  const TrainerOptions& options() const { return options_; }

 private:
  TrainerOptions options_;
  torch::Device device_;
  std::vector<double> mean_list_, stddev_list_;
  torch::Tensor mean_;
  torch::Tensor stddev_;
  std::function<void(const Progress&)> on_progress_;
};

}  // namespace nascpp

#pragma once
/// Training and evaluation of a `Network` on an in-memory `ImageSet`:
/// SGD with momentum (Nesterov option), weight decay, cosine learning-rate
/// schedule, gradient clipping; top-1 and top-5 evaluation; CPU or CUDA.
/// Defaults are NAS-Bench-201's training protocol (Dong & Yang 2020, Sec. 3).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
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
  /// Log a progress line every this many steps (0: once per epoch).
  NASCPP_ARG(int64_t, log_every) = 50;

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
  double learning_rate = 0.0;
  double seconds = 0.0;
  double images_per_second = 0.0;
};

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

  /// Trains `network` on `train` (in place, shuffled with torch's generator);
  /// calls `on_epoch` after every epoch. A non-finite loss throws an Error
  /// naming the epoch and step.
  std::vector<EpochMetrics> fit(Network& network, const ImageSet& train,
                                const std::function<void(const EpochMetrics&)>& on_epoch = {});

  /// Loss, top-1 and top-5 accuracy on `data`, in eval mode without gradients.
  EvalMetrics evaluate(Network& network, const ImageSet& data);

  const TrainerOptions& options() const { return options_; }

 private:
  torch::Tensor prepare(const torch::Tensor& images) const;

  TrainerOptions options_;
  torch::Device device_;
  torch::Tensor mean_;
  torch::Tensor stddev_;
};

}  // namespace nascpp

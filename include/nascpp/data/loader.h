#pragma once
/// `BatchLoader`: mini-batches of an in-memory `ImageSet`, shuffled,
/// augmented and normalised on a background thread while the caller trains on
/// the previous batch, so the data never waits on the network (see
/// docs/performance.md for the numbers). Batches for CUDA are copied from
/// pinned memory without blocking.
///
/// Every epoch's order and augmentation come from a generator seeded by
/// (seed, epoch), so epoch k is the same whether or not epochs 0..k-1 ran in
/// this process: a resumed training sees exactly the data of an uninterrupted one.

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "nascpp/core/options.h"
#include "nascpp/data/augment.h"
#include "nascpp/dataset.h"

namespace nascpp {

struct LoaderOptions {
  /// Images per batch (the last batch of an epoch may be smaller).
  NASCPP_ARG(int64_t, batch_size) = 64;
  /// Shuffle the examples every epoch.
  NASCPP_ARG(bool, shuffle) = true;
  /// Use only the first `limit` examples of the (shuffled) order (0: all).
  NASCPP_ARG(int64_t, limit) = 0;
  /// Batches prepared ahead on the background thread (0: prepare each batch
  /// on the calling thread when it is asked for).
  NASCPP_ARG(int64_t, prefetch) = 2;
  /// Seed of the per-epoch order and augmentation.
  NASCPP_ARG(uint64_t, seed) = 0;
  NASCPP_ARG(AugmentOptions, augment) = AugmentOptions();
  /// Where the batches go ("cpu", "cuda", "cuda:N").
  NASCPP_ARG(torch::Device, device) = torch::Device(torch::kCPU);

 public:
  /// Throws ConfigError for non-positive batch sizes and negative counts.
  void validate() const;
};

/// A normalised batch: float32 images [B, C, H, W] and int64 labels [B].
struct Batch {
  torch::Tensor images;
  torch::Tensor labels;
};

class BatchLoader {
 public:
  /// `set` must outlive the loader. `mean`/`stddev` per channel in [0, 1].
  BatchLoader(const ImageSet& set, const std::vector<double>& mean,
              const std::vector<double>& stddev, LoaderOptions options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  /// Starts epoch `epoch` (0-based); any unfinished epoch is abandoned.
  void start_epoch(int64_t epoch);
  /// The next batch of the current epoch, or nullopt at its end. Rethrows
  /// errors of the background thread.
  std::optional<Batch> next();

  /// Examples per epoch (after `limit`).
  int64_t examples_per_epoch() const { return examples_; }
  /// Batches per epoch.
  int64_t batches_per_epoch() const;
  const LoaderOptions& options() const { return options_; }

 private:
  Batch make_batch(const torch::Tensor& index, Rng& rng) const;
  void stop();
  void produce(int64_t epoch);

  const ImageSet& set_;
  LoaderOptions options_;
  torch::Tensor mean_, stddev_;
  int64_t examples_ = 0;

  // Synchronous mode (prefetch 0).
  std::optional<Rng> sync_rng_;
  torch::Tensor sync_order_;
  int64_t sync_next_ = 0;

  // Background mode.
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool done_ = false;
  bool cancel_ = false;
  std::exception_ptr error_;
};

/// Seed of the generator of `epoch` for a loader seeded with `seed`
/// (splitmix64 of both, so neighbouring seeds and epochs are unrelated).
uint64_t epoch_seed(uint64_t seed, int64_t epoch);

}  // namespace nascpp

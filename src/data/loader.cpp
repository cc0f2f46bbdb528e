#include "nascpp/data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <numeric>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// The epoch's order: the first `n` of a seeded permutation (or 0..n-1).
torch::Tensor epoch_order(int64_t size, int64_t n, bool shuffle, Rng& rng) {
  std::vector<int64_t> order(static_cast<size_t>(size));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (shuffle) std::shuffle(order.begin(), order.end(), rng.engine());
  order.resize(static_cast<size_t>(n));
  return torch::tensor(order, torch::kInt64);
}

}  // namespace

uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  return splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(epoch));
}

void LoaderOptions::validate() const {
  NASCPP_CHECK_CONFIG(batch_size_ >= 1 && batch_size_ <= kMaxBatchSize,
                      "batch_size must be in [1, {}], got {}", kMaxBatchSize, batch_size_);
  NASCPP_CHECK_CONFIG(limit_ >= 0, "limit must be >= 0 (0: all), got {}", limit_);
  NASCPP_CHECK_CONFIG(prefetch_ >= 0, "prefetch must be >= 0, got {}", prefetch_);
  augment_.validate();
}

BatchLoader::BatchLoader(const ImageSet& set, const std::vector<double>& mean,
                         const std::vector<double>& stddev, LoaderOptions options)
    : set_(set), options_(std::move(options)) {
  options_.validate();
  NASCPP_CHECK(set_.size() > 0, "cannot load batches from an empty data set");
  NASCPP_CHECK(set_.images.scalar_type() == torch::kUInt8 && set_.images.dim() == 4,
               "images must be uint8 [N, C, H, W]");
  std::tie(mean_, stddev_) = normalization_tensors(mean, stddev);
  NASCPP_CHECK(mean_.size(1) == set_.images.size(1),
               "normalisation has {} channels but the images have {}", mean_.size(1),
               set_.images.size(1));
  examples_ = options_.limit() > 0 ? std::min(options_.limit(), set_.size()) : set_.size();
}

BatchLoader::~BatchLoader() { stop(); }

int64_t BatchLoader::batches_per_epoch() const {
  return (examples_ + options_.batch_size() - 1) / options_.batch_size();
}

Batch BatchLoader::make_batch(const torch::Tensor& index, Rng& rng) const {
  auto images = set_.images.index_select(0, index);
  images = crop_and_flip(images, options_.augment(), rng);
  auto x = normalize(images, mean_, stddev_);
  cutout_(x, options_.augment().cutout_length(), rng);
  auto y = set_.labels.index_select(0, index);
  if (options_.device().is_cuda()) {
    x = x.pin_memory().to(options_.device(), /*non_blocking=*/true);
    y = y.pin_memory().to(options_.device(), /*non_blocking=*/true);
  }
  return Batch{x, y};
}

void BatchLoader::stop() {
  if (worker_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      cancel_ = true;
    }
    changed_.notify_all();
    worker_.join();
  }
  queue_.clear();
  done_ = false;
  cancel_ = false;
  error_ = nullptr;
}

void BatchLoader::produce(int64_t epoch) {
  try {
    Rng rng(epoch_seed(options_.seed(), epoch));
    const auto order = epoch_order(set_.size(), examples_, options_.shuffle(), rng);
    for (int64_t start = 0; start < examples_; start += options_.batch_size()) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [&] {
          return cancel_ || static_cast<int64_t>(queue_.size()) < options_.prefetch();
        });
        if (cancel_) return;
      }
      auto batch = make_batch(
          order.slice(0, start, std::min(examples_, start + options_.batch_size())), rng);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(batch));
      }
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
}

void BatchLoader::start_epoch(int64_t epoch) {
  stop();
  if (options_.prefetch() == 0) {
    sync_rng_.emplace(epoch_seed(options_.seed(), epoch));
    sync_order_ = epoch_order(set_.size(), examples_, options_.shuffle(), *sync_rng_);
    sync_next_ = 0;
    return;
  }
  worker_ = std::thread([this, epoch] { produce(epoch); });
}

std::optional<Batch> BatchLoader::next() {
  if (options_.prefetch() == 0) {
    NASCPP_CHECK(sync_rng_.has_value(), "BatchLoader::next() before start_epoch()");
    if (sync_next_ >= examples_) return std::nullopt;
    const int64_t end = std::min(examples_, sync_next_ + options_.batch_size());
    auto batch = make_batch(sync_order_.slice(0, sync_next_, end), *sync_rng_);
    sync_next_ = end;
    return batch;
  }
  NASCPP_CHECK(worker_.joinable(), "BatchLoader::next() before start_epoch()");
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || done_; });
  if (!queue_.empty()) {
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return batch;
  }
  if (error_) std::rethrow_exception(error_);
  return std::nullopt;
}

}  // namespace nascpp

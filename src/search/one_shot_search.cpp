#include "nascpp/one_shot_search.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <numeric>
#include <sstream>
#include <utility>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/core/random.h"
#include "nascpp/data/split.h"

namespace nascpp {

void OneShotSearchOptions::validate() const {
  NASCPP_CHECK_CONFIG(train_limit_ >= 0, "one-shot train_limit must be >= 0 (0: all), got {}",
                      train_limit_);
  NASCPP_CHECK_CONFIG(max_epochs_per_call_ >= 0,
                      "one-shot max_epochs_per_call must be >= 0 (0: no limit), got {}",
                      max_epochs_per_call_);
  NASCPP_CHECK_CONFIG(!resume_ || !checkpoint_path_.empty(),
                      "one-shot resume needs a checkpoint_path");
}

namespace {

constexpr const char* kCheckpointFormat = "nascpp-one-shot-search-1";

// The search's data: normalised float images of both splits, kept on the CPU.
struct SearchData {
  torch::Tensor train_images, train_labels, valid_images, valid_labels;
};

torch::Tensor normalise(const torch::Tensor& images, const std::vector<double>& mean,
                        const std::vector<double>& stddev) {
  const int64_t channels = images.size(1);
  NASCPP_CHECK_DATA(static_cast<int64_t>(mean.size()) == channels &&
                        static_cast<int64_t>(stddev.size()) == channels,
                    "the dataset has {} channels but {} means and {} standard deviations", channels,
                    mean.size(), stddev.size());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32);
  const auto m = torch::tensor(mean, torch::kFloat64).to(torch::kFloat32).view({1, channels, 1, 1});
  const auto s =
      torch::tensor(stddev, torch::kFloat64).to(torch::kFloat32).view({1, channels, 1, 1});
  return ((images.to(opts) / 255.0) - m) / s;
}

SearchData prepare_data(const Dataset& dataset, const OneShotOptions& common,
                        const OneShotSearchOptions& options) {
  ImageSet train = dataset.train();
  if (options.train_limit() > 0 && options.train_limit() < train.size()) {
    train = subset(train, torch::arange(options.train_limit(), torch::kInt64));
  }
  const auto split = split_train_valid(train, common.train_portion(), options.seed());
  NASCPP_CHECK_CONFIG(split.train.size() >= 2 && split.valid.size() >= 2,
                      "a one-shot search needs at least 2 images in each split; train_portion {} "
                      "of {} images gives {} and {}",
                      common.train_portion(), train.size(), split.train.size(), split.valid.size());
  SearchData data;
  data.train_images = normalise(split.train.images, dataset.mean(), dataset.stddev());
  data.train_labels = split.train.labels;
  data.valid_images = normalise(split.valid.images, dataset.mean(), dataset.stddev());
  data.valid_labels = split.valid.labels;
  return data;
}

// A uniformly random permutation of [0, n) drawn with the run's generator
// (Fisher-Yates, so it does not depend on the standard library's shuffle).
torch::Tensor permutation(int64_t n, Rng& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.index(i)]);
  return torch::tensor(order, torch::kInt64);
}

// Batches over a permutation: full batches, plus the last partial one when it
// holds at least 2 images (batch norm needs 2).
std::vector<torch::Tensor> batches(const torch::Tensor& order, int64_t batch_size) {
  std::vector<torch::Tensor> out;
  const int64_t n = order.size(0);
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    if (end - start >= 2) out.push_back(order.slice(0, start, end));
  }
  return out;
}

torch::Tensor torch_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_torch_rng_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

void write_checkpoint(const std::string& path, const OneShotOptimizer& optimizer,
                      const OneShotSearchOptions& options, int64_t completed, const Rng& rng) {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("seed", c10::IValue(static_cast<int64_t>(options.seed())));
  archive.write("completed_epochs", c10::IValue(completed));
  archive.write("rng", c10::IValue(rng.state()));
  archive.write("torch_rng", torch_rng_state());
  torch::serialize::OutputArchive opt;
  optimizer.save(opt);
  archive.write("optimizer", opt);
  std::ostringstream out;
  archive.save_to(out);
  write_file_atomic(path, out.str());
}

// Restores the state written by `write_checkpoint`; returns the number of
// completed epochs.
int64_t read_checkpoint(const std::string& path, OneShotOptimizer& optimizer,
                        const OneShotSearchOptions& options, Rng& rng) {
  const std::string bytes = read_file(path);
  try {
    torch::serialize::InputArchive archive;
    try {
      std::istringstream in(bytes);
      archive.load_from(in, optimizer.device());
    } catch (const c10::Error& e) {
      throw DataError(fmt::format("not a readable checkpoint ({} bytes): {}", bytes.size(),
                                  e.what_without_backtrace()));
    }
    const std::string format = detail::read_checkpoint_value(archive, "format").toStringRef();
    NASCPP_CHECK_DATA(format == kCheckpointFormat, "unknown checkpoint format '{}', expected '{}'",
                      format, kCheckpointFormat);
    const int64_t seed = detail::read_checkpoint_value(archive, "seed").toInt();
    NASCPP_CHECK_DATA(seed == static_cast<int64_t>(options.seed()),
                      "the checkpoint belongs to a search with seed {}, this one has seed {}", seed,
                      options.seed());
    const int64_t completed = detail::read_checkpoint_value(archive, "completed_epochs").toInt();
    torch::serialize::InputArchive opt;
    try {
      archive.read("optimizer", opt);
    } catch (const c10::Error&) {
      throw DataError("the checkpoint has no entry 'optimizer'");
    }
    optimizer.load(opt);
    rng.set_state(detail::read_checkpoint_value(archive, "rng").toStringRef());
    torch::Tensor torch_state;
    try {
      archive.read("torch_rng", torch_state);
    } catch (const c10::Error&) {
      throw DataError("the checkpoint has no entry 'torch_rng'");
    }
    set_torch_rng_state(torch_state.to(torch::kCPU));
    return completed;
  } catch (const DataError& e) {
    throw DataError(fmt::format("checkpoint '{}': {}", path, e.what()));
  } catch (const c10::Error& e) {
    throw DataError(
        fmt::format("checkpoint '{}' is corrupt: {}", path, e.what_without_backtrace()));
  }
}

std::vector<std::vector<std::vector<double>>> alpha_softmax(const Supernet& supernet) {
  std::vector<std::vector<std::vector<double>>> out;
  for (const auto& alpha : supernet.arch_parameters()) {
    const auto p = torch::softmax(alpha.detach().to(torch::kCPU, torch::kFloat64), -1).contiguous();
    std::vector<std::vector<double>> rows;
    for (int64_t r = 0; r < p.size(0); ++r) {
      const double* row = p.data_ptr<double>() + r * p.size(1);
      rows.emplace_back(row, row + p.size(1));
    }
    out.push_back(std::move(rows));
  }
  return out;
}

}  // namespace

OneShotSearchResult run_one_shot_search(
    const SearchSpace& space, OneShotOptimizer& optimizer, const Dataset& dataset,
    const OneShotSearchOptions& options, const Benchmark* benchmark,
    const std::function<void(const OneShotEpochRecord&)>& on_epoch) {
  options.validate();
  const OneShotOptions& common = optimizer.options();
  if (benchmark != nullptr) {
    NASCPP_CHECK_CONFIG(benchmark->search_space() == space.name(),
                        "benchmark '{}' answers for search space '{}', the search runs in '{}'",
                        benchmark->name(), benchmark->search_space(), space.name());
  }
  const torch::Device device = parse_device(options.device());
  const SearchData data = prepare_data(dataset, common, options);
  NASCPP_CHECK_DATA(data.train_images.size(2) == data.train_images.size(3),
                    "one-shot search needs square images, got {}x{}", data.train_images.size(2),
                    data.train_images.size(3));
  const auto spec = NetworkSpec()
                        .in_channels(data.train_images.size(1))
                        .image_size(data.train_images.size(2))
                        .num_classes(dataset.num_classes());

  seed_torch(options.seed());
  optimizer.attach(space.build_supernet(spec), device);
  Rng rng(options.seed());
  int64_t completed = 0;
  const std::string& path = options.checkpoint_path();
  if (options.resume() && std::filesystem::exists(path)) {
    completed = read_checkpoint(path, optimizer, options, rng);
    NASCPP_CHECK_DATA(completed >= 0 && completed <= common.epochs(),
                      "checkpoint '{}' has {} completed epochs, the search has {}", path, completed,
                      common.epochs());
    // Searches before divergence detection could checkpoint NaN state.
    const std::string bad = optimizer.non_finite_state();
    NASCPP_CHECK_DATA(bad.empty(),
                      "checkpoint '{}' holds non-finite {} (written by a search that diverged); "
                      "start the search again without it",
                      path, bad);
    logger()->info("one-shot search: resumed from '{}' after epoch {}", path, completed);
  }

  OneShotSearchResult result;
  const int64_t epochs = common.epochs();
  int64_t end = epochs;
  if (options.max_epochs_per_call() > 0) {
    end = std::min(epochs, completed + options.max_epochs_per_call());
  }
  // The architecture of the last finite state: a divergence returns it.
  Architecture last_finite = completed > 0 ? optimizer.derive() : Architecture();
  for (int64_t epoch = completed; epoch < end; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    OneShotEpochRecord record;
    int64_t step = 0;
    try {
      optimizer.new_epoch(epoch, epochs);
      const auto train_batches =
          batches(permutation(data.train_labels.size(0), rng), common.batch_size());
      const auto valid_batches =
          batches(permutation(data.valid_labels.size(0), rng), common.batch_size());
      record.epoch = epoch;
      record.learning_rate = optimizer.learning_rate();
      for (size_t s = 0; s < train_batches.size(); ++s) {
        step = static_cast<int64_t>(s) + 1;
        const auto& ti = train_batches[s];
        const auto& vi = valid_batches[s % valid_batches.size()];
        const auto m = optimizer.step(
            data.train_images.index_select(0, ti), data.train_labels.index_select(0, ti),
            data.valid_images.index_select(0, vi), data.valid_labels.index_select(0, vi));
        record.train_loss += m.train_loss;
        record.train_accuracy += m.train_accuracy;
        record.valid_loss += m.valid_loss;
        record.valid_accuracy += m.valid_accuracy;
        if (options.on_progress()) {
          Progress p;
          p.label = fmt::format("search epoch {}/{}", epoch + 1, epochs);
          p.done = static_cast<int64_t>(s) + 1;
          p.total = static_cast<int64_t>(train_batches.size());
          p.elapsed_s =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          p.rate = static_cast<double>(p.done) / std::max(p.elapsed_s, 1e-9);
          p.rate_unit = "step/s";
          p.detail = fmt::format("train acc {:.2f}%", record.train_accuracy / p.done);
          options.on_progress()(p);
        }
      }
      step = 0;
      // The steps check what they compute; this also covers state changed
      // between steps (and batch-norm statistics), so that no checkpoint
      // ever holds non-finite state.
      const std::string bad = optimizer.non_finite_state();
      if (!bad.empty()) {
        throw DivergenceError(
            fmt::format("optimizer '{}' diverged in epoch {}: its {} are not finite after the "
                        "epoch's steps",
                        optimizer.name(), epoch + 1, bad));
      }
      const auto steps = static_cast<double>(train_batches.size());
      record.train_loss /= steps;
      record.train_accuracy /= steps;
      record.valid_loss /= steps;
      record.valid_accuracy /= steps;
      record.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      record.architecture = optimizer.derive();
      record.architecture_text = space.format(record.architecture);
      record.alpha_softmax = alpha_softmax(optimizer.supernet());
    } catch (const DivergenceError& e) {
      OneShotDivergence d;
      d.epoch = epoch;
      d.step = step;
      d.message = e.what();
      std::string kept;
      if (path.empty()) {
        kept = "no checkpoint is configured";
      } else if (completed > 0) {
        kept = fmt::format("checkpoint '{}' keeps the state after epoch {}", path, completed);
      } else {
        kept = fmt::format("no checkpoint was written (none of the {} epochs completed)", epochs);
      }
      logger()->warn(
          "one-shot search stopped: {}. The diverged state is not saved: {}; the result is {}",
          d.message, kept,
          last_finite.empty()
              ? std::string("no architecture (it diverged before completing an epoch)")
              : fmt::format("the architecture derived after epoch {}: {}", completed,
                            space.format(last_finite)));
      result.divergence = std::move(d);
      break;
    }
    if (benchmark != nullptr) {
      record.benchmark_value = benchmark->query(record.architecture, options.benchmark_metric(),
                                                options.benchmark_dataset());
    }
    completed = epoch + 1;
    last_finite = record.architecture;
    // The caller's record first (e.g. a results line): a kill between the
    // two leaves a record the resumed search repeats identically.
    if (on_epoch) on_epoch(record);
    if (!path.empty()) write_checkpoint(path, optimizer, options, completed, rng);
    logger()->info(
        "one-shot epoch {}/{}: train loss {:.4f} acc {:.2f}%, valid loss {:.4f} acc {:.2f}%, lr "
        "{:.5f}, {:.1f} s; derived {}{}",
        epoch + 1, epochs, record.train_loss, record.train_accuracy, record.valid_loss,
        record.valid_accuracy, record.learning_rate, record.seconds, record.architecture_text,
        record.benchmark_value ? fmt::format(" ({} {} {:.2f})", options.benchmark_dataset(),
                                             options.benchmark_metric(), *record.benchmark_value)
                               : std::string());
    result.epochs.push_back(std::move(record));
  }
  result.completed_epochs = completed;
  result.architecture = last_finite;
  return result;
}

}  // namespace nascpp

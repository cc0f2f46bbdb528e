#include "nascpp/evaluators/training.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "nascpp/core/error.h"
#include "nascpp/registries.h"

namespace nascpp {

TrainingEvaluatorOptions TrainingEvaluatorOptions::from_config(ConfigNode& cfg) {
  TrainingEvaluatorOptions o;
  auto train = cfg.section("train");
  const bool quiet = !train.has("log_every");
  TrainerOptions trainer = TrainerOptions::from_config(train);
  if (quiet) trainer.log_every(0);  // one line per epoch at most, unless asked
  o.trainer(trainer);
  o.validation_fraction(cfg.get<double>("validation_fraction", o.validation_fraction()));
  o.split_seed(cfg.get<uint64_t>("split_seed", o.split_seed()));
  o.validate();
  return o;
}

void TrainingEvaluatorOptions::validate() const {
  trainer_.validate();
  NASCPP_CHECK_CONFIG(validation_fraction_ > 0 && validation_fraction_ < 1,
                      "training evaluator: validation_fraction must be in (0, 1), got {}",
                      validation_fraction_);
}

TrainingEvaluator::TrainingEvaluator(std::shared_ptr<const SearchSpace> space,
                                     std::shared_ptr<const Dataset> dataset,
                                     TrainingEvaluatorOptions options)
    : space_(std::move(space)), dataset_(std::move(dataset)), options_(std::move(options)) {
  NASCPP_CHECK_CONFIG(space_ != nullptr, "training evaluator: no search space given");
  NASCPP_CHECK_CONFIG(dataset_ != nullptr, "training evaluator: no dataset given");
  options_.validate();
  const ImageSet& full = dataset_->train();
  const int64_t n = full.size();
  const auto n_valid = static_cast<int64_t>(std::llround(n * options_.validation_fraction()));
  NASCPP_CHECK_CONFIG(n_valid >= 1 && n_valid < n,
                      "training evaluator: validation_fraction {} of dataset '{}' ({} training "
                      "images) leaves an empty training or validation part",
                      options_.validation_fraction(), dataset_->name(), n);
  // A seeded permutation of the training images: the first n_valid validate.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng split(options_.split_seed());
  std::shuffle(order.begin(), order.end(), split.engine());
  auto index = torch::tensor(order, torch::kInt64);
  auto valid_index = index.slice(0, 0, n_valid);
  auto train_index = index.slice(0, n_valid, n);
  valid_ =
      ImageSet{full.images.index_select(0, valid_index), full.labels.index_select(0, valid_index)};
  train_ =
      ImageSet{full.images.index_select(0, train_index), full.labels.index_select(0, train_index)};
  spec_ = NetworkSpec()
              .in_channels(full.images.size(1))
              .image_size(full.images.size(2))
              .num_classes(dataset_->num_classes());
  spec_.validate();
}

std::unique_ptr<Evaluator> TrainingEvaluator::from_config(
    ConfigNode& config, std::shared_ptr<const SearchSpace> space) {
  const std::string dataset_name = config.get<std::string>("dataset", "fashion_mnist");
  auto data_cfg = config.section("data");
  auto dataset = dataset_registry().create(dataset_name, data_cfg);
  return std::make_unique<TrainingEvaluator>(std::move(space), std::move(dataset),
                                             TrainingEvaluatorOptions::from_config(config));
}

std::vector<std::string> TrainingEvaluator::metric_names() const {
  return {"valid_acc", "train_acc", "train_loss", "params_mb", "train_time_s"};
}

FidelityRange TrainingEvaluator::fidelity_range() const {
  FidelityRange r;
  r.min_epochs = 1;
  r.max_epochs = options_.trainer().epochs();
  return r;
}

EvaluationResult TrainingEvaluator::do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) {
  const auto start = std::chrono::steady_clock::now();
  const Architecture& arch = trial.arch;
  // Trials of a search carry an id; a direct evaluate() call does not.
  const std::string who = trial.id >= 0 ? fmt::format("trial {}", trial.id) : "architecture";
  try {
    space_->validate(arch);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("training evaluator: {}: {}", who, e.what()));
  }
  seed_torch(rng.next_seed());
  TrainerOptions trainer_options = options_.trainer();
  trainer_options.stop_after_epochs(epochs);
  bool continued = false;
  if (!options_.checkpoint_dir().empty() && trial.id >= 0) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(options_.checkpoint_dir(), ec);
    NASCPP_CHECK_DATA(!ec, "training evaluator: cannot create the checkpoint folder '{}': {}",
                      options_.checkpoint_dir(), ec.message());
    const auto path = [this](int64_t id) {
      return (fs::path(options_.checkpoint_dir()) / fmt::format("trial-{}.ckpt", id)).string();
    };
    const std::string own = path(trial.id);
    // A checkpoint of this trial is one of an interrupted attempt: start over.
    fs::remove(own, ec);
    if (trial.continues && fs::exists(path(trial.continues->trial))) {
      fs::copy_file(path(trial.continues->trial), own, fs::copy_options::overwrite_existing, ec);
      NASCPP_CHECK_DATA(!ec, "training evaluator: cannot copy the checkpoint of trial {}: {}",
                        trial.continues->trial, ec.message());
      continued = true;
    }
    trainer_options.checkpoint(own).resume(true);
  }
  std::vector<EpochMetrics> history;
  EvalMetrics valid;
  int64_t parameters = 0;
  // Every error names the candidate, so that a failed evaluation in a long
  // search says which one failed; the error's type is kept.
  const auto prefix = [&]() {
    return fmt::format("training evaluator: {} '{}' ({} epochs): ", who, space_->format(arch),
                       epochs);
  };
  try {
    auto network = space_->build_network(arch, spec_);
    parameters = count_parameters(*network);
    Trainer trainer(trainer_options, dataset_->mean(), dataset_->stddev());
    history = trainer.fit(*network, train_);
    valid = trainer.evaluate(*network, valid_);
  } catch (const DivergenceError& e) {
    throw DivergenceError(prefix() + e.what());
  } catch (const ConfigError& e) {
    throw ConfigError(prefix() + e.what());
  } catch (const DataError& e) {
    throw DataError(prefix() + e.what());
  } catch (const c10::Error& e) {
    // The candidate's network failed in LibTorch (e.g. out of memory): a
    // failed evaluation, not the end of the search.
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return EvaluationResult::failed_with(
        prefix() + "LibTorch failed: " + e.what_without_backtrace(), seconds);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  EvaluationResult r;
  r.objective = valid.top1;
  r.metrics["valid_acc"] = valid.top1;
  r.metrics["train_acc"] = history.empty() ? 0.0 : history.back().train_top1;
  r.metrics["train_loss"] = history.empty() ? 0.0 : history.back().train_loss;
  r.metrics["params_mb"] = static_cast<double>(parameters) / 1e6;
  r.metrics["train_time_s"] = seconds;
  r.cost = seconds;
  r.epochs_paid = continued ? epochs - trial.continues->epochs : epochs;
  return r;
}

}  // namespace nascpp

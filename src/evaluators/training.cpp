#include "nascpp/evaluators/training.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
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

EvaluationResult TrainingEvaluator::do_evaluate(const Architecture& arch, const Fidelity& fidelity,
                                                Rng& rng) {
  const auto start = std::chrono::steady_clock::now();
  space_->validate(arch);
  seed_torch(rng.next_seed());
  auto network = space_->build_network(arch, spec_);
  TrainerOptions trainer_options = options_.trainer();
  if (fidelity.epochs > 0) trainer_options.epochs(fidelity.epochs);
  Trainer trainer(trainer_options, dataset_->mean(), dataset_->stddev());
  const auto epochs = trainer.fit(*network, train_);
  const EvalMetrics valid = trainer.evaluate(*network, valid_);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  EvaluationResult r;
  r.objective = valid.top1;
  r.metrics["valid_acc"] = valid.top1;
  r.metrics["train_acc"] = epochs.empty() ? 0.0 : epochs.back().train_top1;
  r.metrics["train_loss"] = epochs.empty() ? 0.0 : epochs.back().train_loss;
  r.metrics["params_mb"] = static_cast<double>(count_parameters(*network)) / 1e6;
  r.metrics["train_time_s"] = seconds;
  r.cost = seconds;
  return r;
}

}  // namespace nascpp

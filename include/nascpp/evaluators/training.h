#pragma once
/// The training evaluator: builds the candidate's network with its search
/// space and trains it with the `Trainer` on a held-out split of a dataset's
/// training set; the objective is the validation accuracy (%), the cost the
/// real wall time in seconds.
///
///     auto data = nascpp::dataset_registry().create("fashion_mnist", data_cfg);
///     nascpp::TrainingEvaluator eval(space, data, nascpp::TrainingEvaluatorOptions()
///         .trainer(nascpp::TrainerOptions().epochs(2).train_limit(2000)));
///     auto r = eval.evaluate(arch, nascpp::Fidelity::with_epochs(1), rng);
///
/// Metrics: valid_acc, train_acc (last epoch), train_loss, params_mb,
/// train_time_s. The split is drawn once from `split_seed`; the
/// network's initial weights come from the evaluation's generator
/// (`seed_torch(rng.next_seed())`), the data order from `train.seed`.
///
/// Fidelity: any epoch count from 1 to `train.epochs` (the full fidelity).
/// The learning-rate schedule always spans `train.epochs`; a trial of e
/// epochs stops after e of them. With `checkpoint_dir` set (a run directory
/// sets it) every trial leaves a checkpoint there, and a trial that continues
/// another starts from that one's checkpoint and pays only the extra epochs:
/// the same weights as one training straight through.
///
/// Every error of an evaluation names the trial and its architecture and
/// keeps its type: a training that diverges is a `DivergenceError`, which
/// the search records as a failed evaluation.

#include <memory>
#include <string>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/dataset.h"
#include "nascpp/evaluator.h"
#include "nascpp/search_space.h"
#include "nascpp/train/trainer.h"

namespace nascpp {

struct TrainingEvaluatorOptions {
  /// Training settings; `epochs` is the full fidelity.
  NASCPP_ARG(TrainerOptions, trainer) = TrainerOptions().log_every(0);
  /// Share of the official training set held out for validation, in (0, 1).
  NASCPP_ARG(double, validation_fraction) = 0.2;
  /// Seed of the train/validation split.
  NASCPP_ARG(uint64_t, split_seed) = 0;
  /// Folder for the trials' checkpoints (`trial-<id>.ckpt`), which
  /// continuations start from ("": no continuation; not a configuration key).
  NASCPP_ARG(std::string, checkpoint_dir) = "";

 public:
  /// Keys `validation_fraction`, `split_seed` and the section `train:`
  /// (TrainerOptions keys).
  static TrainingEvaluatorOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class TrainingEvaluator : public Evaluator {
 public:
  /// Splits `dataset`'s training set once (seeded); ConfigError for bad options.
  TrainingEvaluator(std::shared_ptr<const SearchSpace> space,
                    std::shared_ptr<const Dataset> dataset, TrainingEvaluatorOptions options);

  /// Registry factory: key `dataset` (dataset registry name, default
  /// "fashion_mnist"), section `data:` (the dataset's keys, e.g. root), and
  /// the option keys.
  static std::unique_ptr<Evaluator> from_config(ConfigNode& config,
                                                std::shared_ptr<const SearchSpace> space);

  std::string name() const override { return "training"; }
  std::string objective_name() const override { return "valid_acc"; }
  std::vector<std::string> metric_names() const override;
  /// 1 to `train.epochs`.
  FidelityRange fidelity_range() const override;
  /// With a `checkpoint_dir`.
  bool supports_continuation() const override { return !options_.checkpoint_dir().empty(); }
  /// Sets `checkpoint_dir`.
  void set_trial_storage(const std::string& dir) override { options_.checkpoint_dir(dir); }
  bool simulated_cost() const override { return false; }
  std::string dataset_name() const override { return dataset_->name(); }
  std::vector<std::string> data_files() const override { return dataset_->data_files(); }

  /// The training and validation parts of the split.
  const ImageSet& train_split() const { return train_; }
  const ImageSet& validation_split() const { return valid_; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) override;

  std::shared_ptr<const SearchSpace> space_;
  std::shared_ptr<const Dataset> dataset_;
  TrainingEvaluatorOptions options_;
  NetworkSpec spec_;
  ImageSet train_;
  ImageSet valid_;
};

}  // namespace nascpp

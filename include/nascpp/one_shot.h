#pragma once
/// One-shot (gradient-based) optimizers: DARTS and GDAS train a `Supernet`'s
/// weights and its architecture parameters together, then derive one discrete
/// Architecture from the parameters.
///
///     auto space = std::make_shared<nascpp::NasBench201Space>();
///     auto net = space->build_supernet(nascpp::NetworkSpec());
///     nascpp::DartsOptimizer darts{nascpp::DartsOptions()};
///     darts.attach(net, torch::kCPU);
///     for (int64_t epoch = 0; epoch < epochs; ++epoch) {
///       darts.new_epoch(epoch, epochs);             // lr schedule (and tau)
///       for (const auto& [tx, ty, vx, vy] : batches)  // one batch of each split
///         darts.step(tx, ty, vx, vy);
///       auto arch = darts.derive();
///     }
///
/// Each step first updates the architecture parameters on the validation
/// batch (Adam) and then the weights on the training batch (SGD with momentum,
/// cosine learning rate, gradient clipping), the order of DARTS' Algorithm 1.
/// A step whose losses, gradients or updated parameters are NaN or infinite
/// throws a `DivergenceError` naming what diverged, the epoch and the step
/// (one fused device-to-host check per step).
/// `run_one_shot_search` (one_shot_search.h) drives whole searches with
/// per-epoch logs and checkpoints.

#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/optim/sgd.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"
#include "nascpp/supernet.h"

namespace nascpp {

/// What DARTS and GDAS share: the search length, the data split and the two
/// optimizers (DARTS, Liu et al. 2019, Sec. 3 and its released code).
struct OneShotOptions {
  /// Passes over the training split.
  NASCPP_ARG(int64_t, epochs) = 50;
  /// Images per batch, for the training and the validation batch alike.
  NASCPP_ARG(int64_t, batch_size) = 64;
  /// Share of the training images that train the weights; the rest train the
  /// architecture parameters.
  NASCPP_ARG(double, train_portion) = 0.5;
  /// Initial learning rate of the weights (SGD).
  NASCPP_ARG(double, learning_rate) = 0.025;
  /// Final learning rate of the per-epoch cosine schedule.
  NASCPP_ARG(double, min_learning_rate) = 0.001;
  /// SGD momentum (no Nesterov, as DARTS).
  NASCPP_ARG(double, momentum) = 0.9;
  /// L2 weight decay of the weights.
  NASCPP_ARG(double, weight_decay) = 3e-4;
  /// Maximal norm of the weight gradient (0 disables clipping).
  NASCPP_ARG(double, grad_clip) = 5.0;
  /// Adam learning rate of the architecture parameters.
  NASCPP_ARG(double, arch_learning_rate) = 3e-4;
  /// Adam betas of the architecture parameters.
  NASCPP_ARG(double, arch_beta1) = 0.5;
  NASCPP_ARG(double, arch_beta2) = 0.999;
  /// Adam weight decay of the architecture parameters.
  NASCPP_ARG(double, arch_weight_decay) = 1e-3;

 public:
  /// Reads the keys above (same names) from an optimizer section.
  static OneShotOptions from_config(ConfigNode& cfg);
  /// Throws ConfigError naming the bad value.
  void validate() const;
};

/// Losses and accuracies of one step, on the two batches it used.
struct OneShotStepMetrics {
  /// Cross-entropy and accuracy (percent, as everywhere in nascpp) of the
  /// weight update's batch.
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  /// Cross-entropy and accuracy of the architecture update's batch (for
  /// second-order DARTS: with the unrolled weights w').
  double valid_loss = 0.0;
  double valid_accuracy = 0.0;
};

class OneShotOptimizer : public Optimizer {
 public:
  Kind kind() const final { return Kind::kOneShot; }

  /// Binds the optimizer to `supernet`, moves the supernet to `device` and
  /// creates the weight and architecture optimizers. Must come first.
  void attach(std::shared_ptr<Supernet> supernet, torch::Device device = torch::kCPU);
  /// Whether `attach` was called.
  bool attached() const { return supernet_ != nullptr; }

  /// Starts epoch `epoch` (0-based) of `epochs`: sets the cosine learning
  /// rate lr_min + (lr - lr_min) (1 + cos(pi epoch / epochs)) / 2 and lets
  /// the method update its own schedule (GDAS' tau).
  void new_epoch(int64_t epoch, int64_t epochs);

  /// One search step: an architecture update on the validation batch, then a
  /// weight update on the training batch. Images are float [N, C, H, W]
  /// (normalised), labels int64 [N]; they are moved to the device.
  /// DivergenceError when a loss, a gradient or an updated parameter is not
  /// finite; the message names the first of them in the order the step
  /// computes them (validation loss, architecture gradient, architecture
  /// parameters, training loss, weight gradient, weights), e.g. "optimizer
  /// 'darts' diverged at epoch 3, step 12: the updated weights are not finite
  /// (weight learning rate ..., architecture learning rate ...); lower the
  /// learning rates". The optimizer's state is then the diverged one: the
  /// caller keeps its last checkpoint.
  OneShotStepMetrics step(const torch::Tensor& train_images, const torch::Tensor& train_labels,
                          const torch::Tensor& valid_images, const torch::Tensor& valid_labels);

  /// The architecture the current parameters stand for (the space's rule);
  /// DivergenceError when the architecture parameters are not finite (their
  /// argmax would be meaningless).
  Architecture derive() const;

  /// "" when the architecture parameters, weights and batch-norm statistics
  /// are all finite, else the first part that is not ("architecture
  /// parameters", "weights" or "batch-norm statistics"). One host sync.
  std::string non_finite_state() const;

  /// Saves weights, architecture parameters, BN statistics, both optimizers'
  /// states, the schedule position and the method's own state.
  void save(torch::serialize::OutputArchive& archive) const;
  /// Restores what `save` wrote into an attached optimizer whose supernet has
  /// the same structure; a mismatch or a missing entry is a DataError.
  void load(torch::serialize::InputArchive& archive);

  /// The options shared by all one-shot methods.
  const OneShotOptions& options() const { return options_; }
  /// The attached supernet (an Error before `attach`).
  Supernet& supernet() const;
  /// The device the supernet lives on.
  const torch::Device& device() const { return device_; }
  /// The weights' learning rate in effect.
  double learning_rate() const;
  /// The epoch last started by `new_epoch` (-1 before the first).
  int64_t epoch() const { return epoch_; }
  /// Steps taken since the last `new_epoch`.
  int64_t steps_in_epoch() const { return steps_in_epoch_; }
  /// SGD's momentum buffer of each weight parameter, in
  /// `supernet().weight_parameters()` order (undefined before the first step).
  std::vector<torch::Tensor> momentum_buffers() const;

 protected:
  explicit OneShotOptimizer(OneShotOptions options);

  /// Cross-entropy and accuracy of `logits` against `labels`.
  static std::pair<torch::Tensor, double> loss_and_accuracy(const torch::Tensor& logits,
                                                            const torch::Tensor& labels);
  /// The weight parameters (cached at attach).
  const std::vector<torch::Tensor>& weights() const { return weights_; }
  /// The architecture parameters, one per cell type (cached at attach).
  const std::vector<torch::Tensor>& alphas() const { return alphas_; }
  /// The settings a divergence message quotes (learning rates; the method
  /// adds its own, e.g. GDAS' tau).
  virtual std::string divergence_context() const;
  /// First-order DARTS: sets the alphas' gradients to those of
  /// L_val(w, alpha) with the weights held fixed; returns the loss and
  /// accuracy of the validation batch.
  std::pair<double, double> first_order_arch_gradient(const torch::Tensor& valid_images,
                                                      const torch::Tensor& valid_labels);

 private:
  /// Logits of the forward the method trains with; `for_arch` is true in the
  /// architecture update (gradients must reach the alphas) and false in the
  /// weight update (the alphas may be treated as constants).
  virtual torch::Tensor search_forward(const torch::Tensor& images, bool for_arch) = 0;
  /// Fills the gradients of `alphas()` from the validation batch and returns
  /// the validation logits' loss and accuracy. The default is
  /// `first_order_arch_gradient`.
  virtual std::pair<double, double> arch_gradient(const torch::Tensor& train_images,
                                                  const torch::Tensor& train_labels,
                                                  const torch::Tensor& valid_images,
                                                  const torch::Tensor& valid_labels);
  /// Called at the end of `attach` (e.g. to check the supernet's dtype
  /// against the method's options).
  virtual void do_attach() {}
  virtual void do_new_epoch(int64_t epoch, int64_t epochs) {
    (void)epoch;
    (void)epochs;
  }
  virtual void do_save(torch::serialize::OutputArchive& archive) const { (void)archive; }
  virtual void do_load(torch::serialize::InputArchive& archive) { (void)archive; }

  void check_attached(const char* what) const;
  /// The step proper; `step` adds the epoch, the step and the settings to
  /// the DivergenceErrors it throws.
  OneShotStepMetrics checked_step(const torch::Tensor& train_images,
                                  const torch::Tensor& train_labels,
                                  const torch::Tensor& valid_images,
                                  const torch::Tensor& valid_labels);

  OneShotOptions options_;
  std::shared_ptr<Supernet> supernet_;
  torch::Device device_ = torch::kCPU;
  std::vector<torch::Tensor> weights_;
  std::vector<torch::Tensor> alphas_;
  std::unique_ptr<torch::optim::SGD> weight_optimizer_;
  std::unique_ptr<torch::optim::Adam> arch_optimizer_;
  int64_t epoch_ = -1;
  int64_t epochs_ = 0;
  int64_t steps_in_epoch_ = 0;
};

namespace detail {

/// Reads an IValue entry `key` from a checkpoint archive; a missing entry is a
/// DataError naming it.
c10::IValue read_checkpoint_value(torch::serialize::InputArchive& archive, const std::string& key);

}  // namespace detail

}  // namespace nascpp

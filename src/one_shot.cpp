#include "nascpp/one_shot.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

// ------------------------------------------------------------ OneShotOptions

OneShotOptions OneShotOptions::from_config(ConfigNode& cfg) {
  OneShotOptions o;
  o.epochs(cfg.get<int64_t>("epochs", o.epochs()));
  o.batch_size(cfg.get<int64_t>("batch_size", o.batch_size()));
  o.train_portion(cfg.get<double>("train_portion", o.train_portion()));
  o.learning_rate(cfg.get<double>("learning_rate", o.learning_rate()));
  o.min_learning_rate(cfg.get<double>("min_learning_rate", o.min_learning_rate()));
  o.momentum(cfg.get<double>("momentum", o.momentum()));
  o.weight_decay(cfg.get<double>("weight_decay", o.weight_decay()));
  o.grad_clip(cfg.get<double>("grad_clip", o.grad_clip()));
  o.arch_learning_rate(cfg.get<double>("arch_learning_rate", o.arch_learning_rate()));
  o.arch_beta1(cfg.get<double>("arch_beta1", o.arch_beta1()));
  o.arch_beta2(cfg.get<double>("arch_beta2", o.arch_beta2()));
  o.arch_weight_decay(cfg.get<double>("arch_weight_decay", o.arch_weight_decay()));
  o.validate();
  return o;
}

void OneShotOptions::validate() const {
  NASCPP_CHECK_CONFIG(epochs_ >= 1, "one-shot epochs must be at least 1, got {}", epochs_);
  NASCPP_CHECK_CONFIG(batch_size_ >= 2 && batch_size_ <= kMaxBatchSize,
                      "one-shot batch_size must be in [2 (batch norm), {}], got {}", kMaxBatchSize,
                      batch_size_);
  NASCPP_CHECK_CONFIG(train_portion_ > 0.0 && train_portion_ < 1.0,
                      "one-shot train_portion must lie in (0, 1), got {}", train_portion_);
  NASCPP_CHECK_CONFIG(learning_rate_ > 0.0 && learning_rate_ <= kMaxFloat32,
                      "one-shot learning_rate must be a positive number at most {:g} (float32), "
                      "got {}",
                      kMaxFloat32, learning_rate_);
  NASCPP_CHECK_CONFIG(min_learning_rate_ >= 0.0 && min_learning_rate_ <= learning_rate_,
                      "one-shot min_learning_rate must lie in [0, learning_rate = {}], got {}",
                      learning_rate_, min_learning_rate_);
  NASCPP_CHECK_CONFIG(momentum_ >= 0.0 && momentum_ < 1.0,
                      "one-shot momentum must lie in [0, 1), got {}", momentum_);
  NASCPP_CHECK_CONFIG(weight_decay_ >= 0.0 && weight_decay_ <= kMaxFloat32,
                      "one-shot weight_decay must be a number in [0, {:g}] (float32), got {}",
                      kMaxFloat32, weight_decay_);
  NASCPP_CHECK_CONFIG(grad_clip_ >= 0.0 && std::isfinite(grad_clip_),
                      "one-shot grad_clip must be a finite number >= 0 (0 disables), got {}",
                      grad_clip_);
  NASCPP_CHECK_CONFIG(arch_learning_rate_ > 0.0 && arch_learning_rate_ <= kMaxFloat32,
                      "one-shot arch_learning_rate must be a positive number at most {:g} "
                      "(float32), got {}",
                      kMaxFloat32, arch_learning_rate_);
  NASCPP_CHECK_CONFIG(arch_beta1_ >= 0.0 && arch_beta1_ < 1.0,
                      "one-shot arch_beta1 must lie in [0, 1), got {}", arch_beta1_);
  NASCPP_CHECK_CONFIG(arch_beta2_ >= 0.0 && arch_beta2_ < 1.0,
                      "one-shot arch_beta2 must lie in [0, 1), got {}", arch_beta2_);
  NASCPP_CHECK_CONFIG(arch_weight_decay_ >= 0.0 && arch_weight_decay_ <= kMaxFloat32,
                      "one-shot arch_weight_decay must be a number in [0, {:g}] (float32), got {}",
                      kMaxFloat32, arch_weight_decay_);
}

// ---------------------------------------------------------- OneShotOptimizer

OneShotOptimizer::OneShotOptimizer(OneShotOptions options) : options_(std::move(options)) {
  options_.validate();
}

void OneShotOptimizer::check_attached(const char* what) const {
  NASCPP_CHECK(supernet_ != nullptr, "optimizer '{}': {} before attach()", name(), what);
}

Supernet& OneShotOptimizer::supernet() const {
  check_attached("supernet()");
  return *supernet_;
}

void OneShotOptimizer::attach(std::shared_ptr<Supernet> supernet, torch::Device device) {
  NASCPP_CHECK(supernet != nullptr, "optimizer '{}' attached to no supernet", name());
  supernet_ = std::move(supernet);
  device_ = device;
  supernet_->to(device_);
  supernet_->train();
  weights_ = supernet_->weight_parameters();
  alphas_ = supernet_->arch_parameters();
  NASCPP_CHECK(!alphas_.empty(), "optimizer '{}': the supernet has no architecture parameters",
               name());
  weight_optimizer_ = std::make_unique<torch::optim::SGD>(
      weights_, torch::optim::SGDOptions(options_.learning_rate())
                    .momentum(options_.momentum())
                    .weight_decay(options_.weight_decay()));
  arch_optimizer_ = std::make_unique<torch::optim::Adam>(
      alphas_, torch::optim::AdamOptions(options_.arch_learning_rate())
                   .betas({options_.arch_beta1(), options_.arch_beta2()})
                   .weight_decay(options_.arch_weight_decay()));
  epoch_ = -1;
  epochs_ = 0;
  steps_in_epoch_ = 0;
  try {
    do_attach();
  } catch (...) {
    // A supernet the method refuses leaves the optimizer unattached.
    supernet_.reset();
    throw;
  }
}

void OneShotOptimizer::new_epoch(int64_t epoch, int64_t epochs) {
  check_attached("new_epoch()");
  NASCPP_CHECK(epochs >= 1 && epoch >= 0 && epoch < epochs,
               "optimizer '{}': epoch {} is outside [0, {})", name(), epoch, epochs);
  // PyTorch's CosineAnnealingLR(T_max = epochs, eta_min), stepped per epoch
  // as in DARTS' train_search.py.
  const double lr_max = options_.learning_rate();
  const double lr_min = options_.min_learning_rate();
  const double pi = std::acos(-1.0);
  const double lr =
      lr_min + (lr_max - lr_min) *
                   (1.0 + std::cos(pi * static_cast<double>(epoch) / static_cast<double>(epochs))) /
                   2.0;
  for (auto& group : weight_optimizer_->param_groups()) {
    static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
  }
  epoch_ = epoch;
  epochs_ = epochs;
  steps_in_epoch_ = 0;
  do_new_epoch(epoch, epochs);
}

double OneShotOptimizer::learning_rate() const {
  check_attached("learning_rate()");
  return static_cast<const torch::optim::SGDOptions&>(
             weight_optimizer_->param_groups().front().options())
      .lr();
}

std::vector<torch::Tensor> OneShotOptimizer::momentum_buffers() const {
  check_attached("momentum_buffers()");
  std::vector<torch::Tensor> out;
  const auto& state = weight_optimizer_->state();
  for (const auto& w : weights_) {
    const auto it = state.find(c10::guts::to_string(w.unsafeGetTensorImpl()));
    out.push_back(
        it == state.end()
            ? torch::Tensor()
            : static_cast<const torch::optim::SGDParamState&>(*it->second).momentum_buffer());
  }
  return out;
}

std::pair<torch::Tensor, double> OneShotOptimizer::loss_and_accuracy(const torch::Tensor& logits,
                                                                     const torch::Tensor& labels) {
  const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, labels);
  const double correct = logits.detach().argmax(1).eq(labels).sum().item<double>();
  return {loss, 100.0 * correct / static_cast<double>(labels.size(0))};
}

std::pair<double, double> OneShotOptimizer::first_order_arch_gradient(
    const torch::Tensor& valid_images, const torch::Tensor& valid_labels) {
  auto [loss, accuracy] = loss_and_accuracy(search_forward(valid_images, true), valid_labels);
  // Only the alphas' gradient is needed: autograd then skips every weight
  // gradient (the convolutions' weight-gradient kernels), which a full
  // backward() would compute and the reference implementations then discard.
  const auto grads = torch::autograd::grad({loss}, alphas_, /*grad_outputs=*/{},
                                           /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  for (size_t t = 0; t < alphas_.size(); ++t) {
    alphas_[t].mutable_grad() = grads[t].defined() ? grads[t] : torch::zeros_like(alphas_[t]);
  }
  return {loss.item<double>(), accuracy};
}

std::pair<double, double> OneShotOptimizer::arch_gradient(const torch::Tensor& train_images,
                                                          const torch::Tensor& train_labels,
                                                          const torch::Tensor& valid_images,
                                                          const torch::Tensor& valid_labels) {
  (void)train_images;
  (void)train_labels;
  return first_order_arch_gradient(valid_images, valid_labels);
}

namespace {

void check_batch(const torch::Tensor& images, const torch::Tensor& labels, const char* what) {
  NASCPP_CHECK(images.defined() && images.dim() == 4 && labels.defined() && labels.dim() == 1 &&
                   labels.size(0) == images.size(0) && images.size(0) >= 2,
               "one-shot step: the {} batch needs images [N, C, H, W] and labels [N] with N >= 2, "
               "got {}-D images and {}-D labels",
               what, images.defined() ? images.dim() : 0, labels.defined() ? labels.dim() : 0);
}

// The sum of every element of `tensors` in double precision (NaN or infinite
// when any element is; a float32 sum cannot overflow in double), as a 0-dim
// tensor on `device`: no host sync.
torch::Tensor sum_all(const std::vector<torch::Tensor>& tensors, const torch::Device& device) {
  std::vector<torch::Tensor> sums;
  for (const auto& t : tensors) {
    if (t.defined() && t.is_floating_point()) sums.push_back(t.detach().sum(torch::kFloat64));
  }
  if (sums.empty()) return torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(device));
  return torch::stack(sums).sum();
}

std::vector<torch::Tensor> gradients_of(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.grad());
  return out;
}

}  // namespace

std::string OneShotOptimizer::divergence_context() const {
  return fmt::format("weight learning rate {}, architecture learning rate {}", learning_rate(),
                     options_.arch_learning_rate());
}

OneShotStepMetrics OneShotOptimizer::step(const torch::Tensor& train_images,
                                          const torch::Tensor& train_labels,
                                          const torch::Tensor& valid_images,
                                          const torch::Tensor& valid_labels) {
  check_attached("step()");
  NASCPP_CHECK(epoch_ >= 0, "optimizer '{}': step() before the first new_epoch()", name());
  check_batch(train_images, train_labels, "training");
  check_batch(valid_images, valid_labels, "validation");
  ++steps_in_epoch_;
  try {
    return checked_step(train_images, train_labels, valid_images, valid_labels);
  } catch (const DivergenceError& e) {
    // Found by the checks below or inside the method (GDAS' sampler, the
    // unrolled step of second-order DARTS): add where and with what.
    throw DivergenceError(fmt::format(
        "optimizer '{}' diverged at epoch {}, step {}: {} ({}); lower the learning rates", name(),
        epoch_ + 1, steps_in_epoch_, e.what(), divergence_context()));
  }
}

OneShotStepMetrics OneShotOptimizer::checked_step(const torch::Tensor& train_images,
                                                  const torch::Tensor& train_labels,
                                                  const torch::Tensor& valid_images,
                                                  const torch::Tensor& valid_labels) {
  const auto tx = train_images.to(device_);
  const auto ty = train_labels.to(device_);
  const auto vx = valid_images.to(device_);
  const auto vy = valid_labels.to(device_);
  supernet_->train();
  OneShotStepMetrics metrics;

  // The two phases are named scopes for LibTorch's profiler
  // (bench/bench_one_shot --profile); free when no profiler runs.
  // 1. Architecture update on the validation batch (DARTS Alg. 1, step 1).
  // Every gradient is assigned anew below, so no zero_grad() (which cannot
  // detach the view tensors autograd::grad may return).
  torch::Tensor arch_grad_sum, alpha_sum;
  {
    RECORD_USER_SCOPE("nascpp::architecture_step");
    std::tie(metrics.valid_loss, metrics.valid_accuracy) = arch_gradient(tx, ty, vx, vy);
    // Sums for the divergence check at the end (still on the device). A NaN
    // or an infinity anywhere in a tensor makes its sum non-finite.
    arch_grad_sum = sum_all(gradients_of(alphas_), device_);
    arch_optimizer_->step();
    alpha_sum = sum_all(alphas_, device_);
  }
  // Reports the first non-finite quantity of the architecture update.
  const auto check_arch_update = [&]() {
    if (!std::isfinite(metrics.valid_loss)) {
      // Cross-entropy is >= 0: abs only drops a NaN's meaningless sign ("-nan").
      throw DivergenceError(fmt::format("the validation loss is {}", std::abs(metrics.valid_loss)));
    }
    const torch::Tensor finite =
        torch::stack({arch_grad_sum, alpha_sum}).isfinite().to(torch::kCPU);
    if (!finite[0].item<bool>()) {
      throw DivergenceError("the architecture gradient is not finite");
    }
    if (!finite[1].item<bool>()) {
      throw DivergenceError("the updated architecture parameters are not finite");
    }
  };

  // 2. Weight update on the training batch.
  torch::Tensor weight_grad_sum, weight_sum;
  try {
    RECORD_USER_SCOPE("nascpp::weight_step");
    auto [loss, accuracy] = loss_and_accuracy(search_forward(tx, false), ty);
    const auto grads = torch::autograd::grad({loss}, weights_, {}, false, false, true);
    for (size_t i = 0; i < weights_.size(); ++i) {
      // A weight the forward did not use (GDAS' unsampled ops) gets a zero
      // gradient, so weight decay and momentum still move it, as in the
      // reference implementations (PyTorch's zero_grad keeps zero tensors).
      weights_[i].mutable_grad() = grads[i].defined() ? grads[i] : torch::zeros_like(weights_[i]);
    }
    weight_grad_sum = sum_all(gradients_of(weights_), device_);
    if (options_.grad_clip() > 0.0) {
      torch::nn::utils::clip_grad_norm_(weights_, options_.grad_clip());
    }
    weight_optimizer_->step();
    weight_sum = sum_all(weights_, device_);
    metrics.train_loss = loss.item<double>();
    metrics.train_accuracy = accuracy;
  } catch (const DivergenceError&) {
    // Found inside the weight update (GDAS' sampler refuses the NaN
    // parameters the architecture update made): report the earlier cause.
    check_arch_update();
    throw;
  }

  // The divergence check: one device-to-host copy of four flags, reported
  // in the order the step computed them (the first is the cause).
  const torch::Tensor finite = torch::stack({arch_grad_sum, alpha_sum, weight_grad_sum, weight_sum})
                                   .isfinite()
                                   .to(torch::kCPU);
  const bool* ok = finite.data_ptr<bool>();
  if (!std::isfinite(metrics.valid_loss) || !ok[0] || !ok[1]) check_arch_update();
  if (!std::isfinite(metrics.train_loss)) {
    throw DivergenceError(fmt::format("the training loss is {}", std::abs(metrics.train_loss)));
  }
  if (!ok[2]) throw DivergenceError("the weight gradient is not finite");
  if (!ok[3]) throw DivergenceError("the updated weights are not finite");
  return metrics;
}

Architecture OneShotOptimizer::derive() const {
  check_attached("derive()");
  if (!torch::isfinite(sum_all(alphas_, device_)).item<bool>()) {
    throw DivergenceError(
        fmt::format("optimizer '{}': cannot derive an architecture from non-finite architecture "
                    "parameters (the search diverged)",
                    name()));
  }
  return supernet_->derive();
}

std::string OneShotOptimizer::non_finite_state() const {
  check_attached("non_finite_state()");
  const torch::Tensor finite = torch::stack({sum_all(alphas_, device_), sum_all(weights_, device_),
                                             sum_all(supernet_->buffers(), device_)})
                                   .isfinite()
                                   .to(torch::kCPU);
  const bool* ok = finite.data_ptr<bool>();
  if (!ok[0]) return "architecture parameters";
  if (!ok[1]) return "weights";
  if (!ok[2]) return "batch-norm statistics";
  return "";
}

// ------------------------------------------------------------- checkpoints

namespace detail {

c10::IValue read_checkpoint_value(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue value;
  NASCPP_CHECK_DATA(archive.try_read(key, value), "the checkpoint has no entry '{}'", key);
  return value;
}

}  // namespace detail

void OneShotOptimizer::save(torch::serialize::OutputArchive& archive) const {
  check_attached("save()");
  archive.write("optimizer", c10::IValue(name()));
  archive.write("epoch", c10::IValue(epoch_));
  archive.write("epochs", c10::IValue(epochs_));
  torch::serialize::OutputArchive net;
  supernet_->save(net);
  archive.write("supernet", net);
  torch::serialize::OutputArchive weight_opt;
  weight_optimizer_->save(weight_opt);
  archive.write("weight_optimizer", weight_opt);
  torch::serialize::OutputArchive arch_opt;
  arch_optimizer_->save(arch_opt);
  archive.write("arch_optimizer", arch_opt);
  torch::serialize::OutputArchive own;
  do_save(own);
  archive.write("method", own);
}

void OneShotOptimizer::load(torch::serialize::InputArchive& archive) {
  check_attached("load()");
  const std::string saved = detail::read_checkpoint_value(archive, "optimizer").toStringRef();
  NASCPP_CHECK_DATA(saved == name(), "the checkpoint was written by optimizer '{}', not '{}'",
                    saved, name());
  const int64_t epoch = detail::read_checkpoint_value(archive, "epoch").toInt();
  const int64_t epochs = detail::read_checkpoint_value(archive, "epochs").toInt();
  try {
    torch::serialize::InputArchive net;
    archive.read("supernet", net);
    supernet_->load(net);
    torch::serialize::InputArchive weight_opt;
    archive.read("weight_optimizer", weight_opt);
    weight_optimizer_->load(weight_opt);
    torch::serialize::InputArchive arch_opt;
    archive.read("arch_optimizer", arch_opt);
    arch_optimizer_->load(arch_opt);
    torch::serialize::InputArchive own;
    archive.read("method", own);
    do_load(own);
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("the checkpoint does not fit the '{}' supernet: {}", name(),
                                e.what_without_backtrace()));
  }
  // The loaded tensors may have been saved from another device.
  supernet_->to(device_);
  epoch_ = epoch;
  epochs_ = epochs;
  // The learning rate of the saved epoch (param groups' options are not part
  // of the optimizer's saved state).
  if (epoch_ >= 0 && epochs_ >= 1) new_epoch(epoch_, epochs_);
}

}  // namespace nascpp

#include "optimizers/darts/darts.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

DartsOptions DartsOptions::from_config(ConfigNode& cfg) {
  DartsOptions o;
  o.common(OneShotOptions::from_config(cfg));
  o.second_order(cfg.get<bool>("second_order", o.second_order()));
  o.finite_difference_epsilon(
      cfg.get<double>("finite_difference_epsilon", o.finite_difference_epsilon()));
  o.validate();
  return o;
}

double DartsOptions::min_finite_difference_epsilon(c10::ScalarType dtype) {
  double unit_roundoff = std::numeric_limits<double>::epsilon();
  switch (dtype) {
    case c10::ScalarType::Float:
      unit_roundoff = std::numeric_limits<float>::epsilon();
      break;
    case c10::ScalarType::Half:
      unit_roundoff = 9.765625e-4;  // 2^-10
      break;
    case c10::ScalarType::BFloat16:
      unit_roundoff = 7.8125e-3;  // 2^-7
      break;
    default:
      break;
  }
  return kMinFiniteDifferenceUlps * unit_roundoff;
}

void DartsOptions::validate() const {
  const double min_eps = min_finite_difference_epsilon(c10::ScalarType::Double);
  NASCPP_CHECK_CONFIG(
      std::isfinite(finite_difference_epsilon_) && finite_difference_epsilon_ >= min_eps,
      "optimizer.finite_difference_epsilon must be a finite number >= {} (10 times double "
      "precision's unit roundoff; a smaller step rounds away in the weights and the finite "
      "difference becomes 0 or NaN), got {}",
      min_eps, finite_difference_epsilon_);
}

DartsOptimizer::DartsOptimizer(DartsOptions options)
    : OneShotOptimizer(options.common()), darts_options_(std::move(options)) {
  darts_options_.validate();
}

std::unique_ptr<Optimizer> DartsOptimizer::from_config(ConfigNode& cfg) {
  return std::make_unique<DartsOptimizer>(DartsOptions::from_config(cfg));
}

void DartsOptimizer::do_attach() {
  if (!darts_options_.second_order() || weights().empty()) return;
  const c10::ScalarType dtype = weights().front().scalar_type();
  const double min_eps = DartsOptions::min_finite_difference_epsilon(dtype);
  NASCPP_CHECK_CONFIG(darts_options_.finite_difference_epsilon() >= min_eps,
                      "optimizer.finite_difference_epsilon {} is too small for the supernet's {} "
                      "weights: the second-order finite difference needs at least {} (10 times "
                      "their unit roundoff), or it rounds away to 0 or NaN",
                      darts_options_.finite_difference_epsilon(), c10::toString(dtype), min_eps);
}

std::string DartsOptimizer::divergence_context() const {
  std::string context = OneShotOptimizer::divergence_context();
  if (darts_options_.second_order()) {
    context += fmt::format(", second order with finite_difference_epsilon {}",
                           darts_options_.finite_difference_epsilon());
  }
  return context;
}

torch::Tensor DartsOptimizer::search_forward(const torch::Tensor& images, bool for_arch) {
  std::vector<torch::Tensor> weights;
  for (const auto& alpha : alphas()) {
    // In the weight update the alphas are constants: no graph through them.
    weights.push_back(for_arch ? torch::softmax(alpha, -1) : torch::softmax(alpha.detach(), -1));
  }
  return supernet().forward_weighted(images, weights);
}

std::pair<double, double> DartsOptimizer::arch_gradient(const torch::Tensor& train_images,
                                                        const torch::Tensor& train_labels,
                                                        const torch::Tensor& valid_images,
                                                        const torch::Tensor& valid_labels) {
  if (!darts_options_.second_order()) {
    return first_order_arch_gradient(valid_images, valid_labels);
  }
  return second_order_arch_gradient(train_images, train_labels, valid_images, valid_labels);
}

namespace {

// Gradients of `loss` with respect to `inputs`; unused inputs get zeros.
std::vector<torch::Tensor> gradients(const torch::Tensor& loss,
                                     const std::vector<torch::Tensor>& inputs) {
  auto grads = torch::autograd::grad({loss}, inputs, {}, false, false, /*allow_unused=*/true);
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) grads[i] = torch::zeros_like(inputs[i]);
  }
  return grads;
}

torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return torch::nn::functional::cross_entropy(logits, labels);
}

}  // namespace

// DARTS Eq. 7-8, as in the authors' cnn/architect.py:
//   w' = w - xi (m * buf + grad_w L_train(w, alpha) + wd * w)
//   g  = grad_alpha L_val(w', alpha)
//        - xi (grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) / (2 eps)
// with v = grad_w' L_val(w', alpha), w+- = w +- eps v, eps = 0.01 / ||v||
// (0.01: `finite_difference_epsilon`).
// The weights are changed in place and restored; the BN running statistics
// are restored too, so only the weight update's forward moves them.
std::pair<double, double> DartsOptimizer::second_order_arch_gradient(
    const torch::Tensor& train_images, const torch::Tensor& train_labels,
    const torch::Tensor& valid_images, const torch::Tensor& valid_labels) {
  const auto& w = weights();
  const auto& a = alphas();
  const double xi = learning_rate();
  const double momentum = options().momentum();
  const double weight_decay = options().weight_decay();

  std::vector<torch::Tensor> saved_buffers;
  for (const auto& b : supernet().buffers()) saved_buffers.push_back(b.clone());
  std::vector<torch::Tensor> saved_weights;
  for (const auto& p : w) saved_weights.push_back(p.detach().clone());

  // The virtual step w'.
  {
    const auto dw = gradients(cross_entropy(search_forward(train_images, false), train_labels), w);
    const auto buffers = momentum_buffers();
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < w.size(); ++i) {
      torch::Tensor direction = dw[i] + weight_decay * saved_weights[i];
      if (buffers[i].defined()) direction.add_(buffers[i], momentum);
      w[i].sub_(direction, xi);
    }
  }

  // grad_alpha and grad_w' of the validation loss at w'.
  std::vector<torch::Tensor> inputs(a.begin(), a.end());
  inputs.insert(inputs.end(), w.begin(), w.end());
  const auto logits = search_forward(valid_images, true);
  const auto valid_loss = cross_entropy(logits, valid_labels);
  const double valid_accuracy = 100.0 *
                                logits.detach().argmax(1).eq(valid_labels).sum().item<double>() /
                                static_cast<double>(valid_labels.size(0));
  auto grads = gradients(valid_loss, inputs);
  std::vector<torch::Tensor> dalpha(grads.begin(),
                                    grads.begin() + static_cast<ptrdiff_t>(a.size()));
  const std::vector<torch::Tensor> v(grads.begin() + static_cast<ptrdiff_t>(a.size()), grads.end());

  // The finite-difference Hessian-vector product around w.
  double norm_sq = 0.0;
  for (const auto& t : v) norm_sq += t.pow(2).sum().item<double>();
  const double norm = std::sqrt(norm_sq);
  if (norm > 0.0 && std::isfinite(norm)) {
    const double eps = darts_options_.finite_difference_epsilon() / norm;
    auto alpha_grad_at = [&](double scale) {
      {
        torch::NoGradGuard no_grad;
        for (size_t i = 0; i < w.size(); ++i) w[i].copy_(saved_weights[i]).add_(v[i], scale);
      }
      return gradients(cross_entropy(search_forward(train_images, true), train_labels), a);
    };
    const auto plus = alpha_grad_at(eps);
    const auto minus = alpha_grad_at(-eps);
    for (size_t t = 0; t < a.size(); ++t) {
      dalpha[t] = dalpha[t] - (xi / (2.0 * eps)) * (plus[t] - minus[t]);
    }
  }

  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < w.size(); ++i) w[i].copy_(saved_weights[i]);
    const auto buffers = supernet().buffers();
    for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved_buffers[i]);
  }
  // A non-finite v (restored from above first) is a divergence of the
  // unrolled step; without this check it would silently drop the Hessian term.
  const double valid_loss_value = valid_loss.item<double>();
  if (!std::isfinite(valid_loss_value)) {
    throw DivergenceError(fmt::format("the validation loss at the unrolled weights w' is {}",
                                      std::abs(valid_loss_value)));  // >= 0: abs drops a NaN's sign
  }
  if (!std::isfinite(norm)) {
    throw DivergenceError(
        fmt::format("the validation-loss gradient at the unrolled weights w' has norm {}", norm));
  }
  for (size_t t = 0; t < a.size(); ++t) a[t].mutable_grad() = dalpha[t];
  return {valid_loss_value, valid_accuracy};
}

std::vector<torch::Tensor> DartsOptimizer::architecture_gradient(
    const torch::Tensor& train_images, const torch::Tensor& train_labels,
    const torch::Tensor& valid_images, const torch::Tensor& valid_labels) {
  NASCPP_CHECK(epoch() >= 0, "optimizer 'darts': architecture_gradient() before new_epoch()");
  std::vector<torch::Tensor> saved_buffers;
  for (const auto& b : supernet().buffers()) saved_buffers.push_back(b.clone());
  arch_gradient(train_images.to(device()), train_labels.to(device()), valid_images.to(device()),
                valid_labels.to(device()));
  std::vector<torch::Tensor> out;
  for (const auto& alpha : alphas()) {
    out.push_back(alpha.grad().clone());
    alpha.mutable_grad() = torch::Tensor();
  }
  torch::NoGradGuard no_grad;
  const auto buffers = supernet().buffers();
  for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved_buffers[i]);
  return out;
}

}  // namespace nascpp

#pragma once
/// DARTS: Differentiable Architecture Search (Liu, Simonyan & Yang, ICLR
/// 2019). Every mixed slot computes the softmax(alpha)-weighted sum of its
/// candidates; the architecture parameters follow the gradient of the
/// validation loss, in first order (the weights held fixed) or second order
/// (through one unrolled weight step, Eq. 6-8 of the paper).
///
///     nascpp::DartsOptimizer darts(nascpp::DartsOptions().second_order(true));
///     darts.attach(space.build_supernet(spec), torch::kCPU);

#include <c10/core/ScalarType.h>

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/one_shot.h"

namespace nascpp {

struct DartsOptions {
  /// Epochs, batch size, split and the two optimizers.
  NASCPP_ARG(OneShotOptions, common);
  /// Second-order approximation: the gradient at the unrolled weights
  /// w' = w - xi dw (xi = the current weight learning rate), minus xi times
  /// the finite-difference Hessian-vector product of Eq. 8.
  NASCPP_ARG(bool, second_order) = false;
  /// The finite-difference step of the Hessian-vector product is this
  /// divided by the norm of the direction (0.01 in the paper and its code).
  /// ReLU kinks make the finite difference differ from the exact product by
  /// more than its O(eps^2) truncation error; a smaller value (in double
  /// precision) approaches the exact second-order gradient.
  NASCPP_ARG(double, finite_difference_epsilon) = 0.01;

 public:
  /// The finite difference moves the weights by a vector of norm
  /// `finite_difference_epsilon`, so by at most that much in each component,
  /// and subtracts two gradients that each carry a relative rounding error
  /// of about the weights' unit roundoff u. For weights of order one, a step
  /// below u rounds away in every component (w+ = w- and the difference is
  /// exactly 0, which the factor xi / (2 eps) then multiplies: at 1e-300 that
  /// factor overflows and 0 * inf gives NaN architecture gradients); a step
  /// of 10 u keeps about one significant digit of the difference. So the
  /// step must be at least `kMinFiniteDifferenceUlps` times u: 2.2e-15 for
  /// double weights (the bound `validate` checks, as no supernet resolves
  /// finer), 1.2e-6 for float (checked when the optimizer is attached, once
  /// the supernet's dtype is known), 9.8e-3 for half.
  static constexpr double kMinFiniteDifferenceUlps = 10.0;

  /// The smallest `finite_difference_epsilon` for weights of `dtype`.
  static double min_finite_difference_epsilon(c10::ScalarType dtype);
  /// Reads `second_order`, `finite_difference_epsilon` and the OneShotOptions keys.
  static DartsOptions from_config(ConfigNode& cfg);
  /// ConfigError naming the bad value: finite_difference_epsilon must be a
  /// finite number >= min_finite_difference_epsilon(double).
  void validate() const;
};

class DartsOptimizer : public OneShotOptimizer {
 public:
  explicit DartsOptimizer(DartsOptions options = DartsOptions());
  /// Registry factory ("darts").
  static std::unique_ptr<Optimizer> from_config(ConfigNode& cfg);

  std::string name() const override { return "darts"; }
  const DartsOptions& darts_options() const { return darts_options_; }

  /// The architecture gradient the next `step` would apply (first or second
  /// order), one tensor per cell type, without changing any parameter,
  /// buffer or optimizer state. Needs `new_epoch` first (the unrolled step
  /// uses the current learning rate).
  std::vector<torch::Tensor> architecture_gradient(const torch::Tensor& train_images,
                                                   const torch::Tensor& train_labels,
                                                   const torch::Tensor& valid_images,
                                                   const torch::Tensor& valid_labels);

 private:
  torch::Tensor search_forward(const torch::Tensor& images, bool for_arch) override;
  void do_attach() override;
  std::string divergence_context() const override;
  std::pair<double, double> arch_gradient(const torch::Tensor& train_images,
                                          const torch::Tensor& train_labels,
                                          const torch::Tensor& valid_images,
                                          const torch::Tensor& valid_labels) override;
  std::pair<double, double> second_order_arch_gradient(const torch::Tensor& train_images,
                                                       const torch::Tensor& train_labels,
                                                       const torch::Tensor& valid_images,
                                                       const torch::Tensor& valid_labels);

  DartsOptions darts_options_;
};

}  // namespace nascpp

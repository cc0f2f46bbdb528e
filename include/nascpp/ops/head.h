#pragma once
/// The classifier at the end of a network: NAS-Bench-201's `lastact` (BN +
/// ReLU), global average pooling and the linear classifier. DARTS' networks
/// use the same head without the BN + ReLU.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "nascpp/core/options.h"

namespace nascpp {

/// Options of a `ClassifierHead`.
struct ClassifierHeadOptions {
  ClassifierHeadOptions(int64_t c_in, int64_t num_classes)
      : c_in_(c_in), num_classes_(num_classes) {}
  /// Channels of the feature map it receives.
  NASCPP_ARG(int64_t, c_in);
  /// Number of classes (width of the logits).
  NASCPP_ARG(int64_t, num_classes);
  /// Whether BN(c_in) + ReLU come first (NAS-Bench-201: true; DARTS: false).
  NASCPP_ARG(bool, bn_relu) = true;

 public:
  /// Throws ConfigError for non-positive channels or fewer than 2 classes.
  void validate() const;
};

/// [N, C, H, W] -> [BN -> ReLU] -> adaptive average pool to 1x1 -> flatten ->
/// Linear(C, classes) -> logits [N, classes].
/// Parameters: 2*C (with bn_relu) + C*classes + classes.
class ClassifierHeadImpl : public torch::nn::Cloneable<ClassifierHeadImpl> {
 public:
  explicit ClassifierHeadImpl(const ClassifierHeadOptions& options);
  ClassifierHeadImpl(int64_t c_in, int64_t num_classes)
      : ClassifierHeadImpl(ClassifierHeadOptions(c_in, num_classes)) {}
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  const ClassifierHeadOptions& options() const { return options_; }

 private:
  ClassifierHeadOptions options_;
  torch::nn::Sequential lastact_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(ClassifierHead);

}  // namespace nascpp

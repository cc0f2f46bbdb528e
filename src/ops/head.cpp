#include "nascpp/ops/head.h"

#include <torch/torch.h>

#include <sstream>
#include <string>

#include "nascpp/core/error.h"
#include "nascpp/ops/probe.h"

namespace nascpp {

namespace nn = torch::nn;

namespace {

std::string shape_string(const torch::Tensor& x) {
  std::ostringstream out;
  out << x.sizes();
  return out.str();
}

}  // namespace

void ClassifierHeadOptions::validate() const {
  NASCPP_CHECK_CONFIG(c_in_ > 0, "classifier head: c_in must be positive, got {}", c_in_);
  NASCPP_CHECK_CONFIG(num_classes_ > 1, "classifier head: num_classes must be at least 2, got {}",
                      num_classes_);
}

ClassifierHeadImpl::ClassifierHeadImpl(const ClassifierHeadOptions& options) : options_(options) {
  options_.validate();
  reset();
}

void ClassifierHeadImpl::reset() {
  lastact_ = nullptr;
  if (options_.bn_relu()) {
    // Named as NAS-Bench-201's `lastact` (parameters lastact.0.weight, ...).
    lastact_ =
        register_module("lastact", nn::Sequential(nn::BatchNorm2d(options_.c_in()), nn::ReLU()));
  }
  classifier_ = register_module("classifier", nn::Linear(options_.c_in(), options_.num_classes()));
}

torch::Tensor ClassifierHeadImpl::forward(const torch::Tensor& x) {
  NASCPP_CHECK(x.dim() == 4 && x.size(1) == options_.c_in(),
               "classifier head expects [N, {}, H, W], got {}", options_.c_in(), shape_string(x));
  const torch::Tensor features = lastact_ ? forward_layers(*lastact_, x) : x;
  // Global average pooling to 1x1 and flattening in one step (LibTorch's
  // adaptive_avg_pool2d computes exactly this mean for a 1x1 output).
  const torch::Tensor out =
      report_layer(LayerKind::kGlobalAvgPool, nullptr, features, features.mean({2, 3}));
  return report_layer(LayerKind::kLinear, classifier_.get(), out, classifier_->forward(out));
}

}  // namespace nascpp

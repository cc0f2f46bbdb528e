#include "nascpp/network.h"

#include <torch/torch.h>

#include "nascpp/core/error.h"

namespace nascpp {

void NetworkSpec::validate() const {
  NASCPP_CHECK_CONFIG(in_channels_ > 0, "network in_channels must be positive, got {}",
                      in_channels_);
  NASCPP_CHECK_CONFIG(image_size_ > 0, "network image_size must be positive, got {}", image_size_);
  NASCPP_CHECK_CONFIG(num_classes_ > 1, "network num_classes must be at least 2, got {}",
                      num_classes_);
}

int64_t count_parameters(const torch::nn::Module& module) {
  int64_t total = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    if (p.requires_grad()) total += p.numel();
  }
  return total;
}

}  // namespace nascpp

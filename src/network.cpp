#include "nascpp/network.h"

#include <torch/torch.h>

#include "nascpp/core/error.h"
#include "nascpp/core/memory.h"

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

namespace {

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 6) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", bytes, units[unit]);
}

}  // namespace

void check_network_memory(double parameters, double feature_map_floats, const std::string& network,
                          const std::string& sizes) {
  const MemoryBudget budget = memory_budget();
  const double bytes = 4.0 * (parameters + feature_map_floats);
  if (bytes <= static_cast<double>(budget.bytes)) return;
  throw ConfigError(fmt::format(
      "{} with {}: about {:.3g} parameters and a {:.3g}-value feature map per image need {} "
      "as float32, more than the memory available ({}: {}); use smaller values",
      network, sizes, parameters, feature_map_floats, format_bytes(bytes), budget.source,
      format_bytes(static_cast<double>(budget.bytes))));
}

}  // namespace nascpp

#include "nascpp/core/device.h"

#include <torch/torch.h>


#include "nascpp/core/error.h"
#include "nascpp/core/log.h"

namespace nascpp {

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                       : torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (name != "cuda") {  // "cuda:N"; "cuda:" alone names no device
      const std::string digits = name.substr(5);
      // At most 4 digits: std::stoi must not overflow (c10 counts devices in int8).
      NASCPP_CHECK_CONFIG(!digits.empty() && digits.size() <= 4 &&
                              digits.find_first_not_of("0123456789") == std::string::npos,
                          "invalid device '{}'; valid: cpu, cuda, cuda:N, auto", name);
      index = std::stoi(digits);
    }
    NASCPP_CHECK_CONFIG(torch::cuda::is_available(),
                        "device '{}' requested but CUDA is not available (this LibTorch "
                        "build or machine has no GPU); use 'cpu' or 'auto'",
                        name);
    const int count = static_cast<int>(torch::cuda::device_count());
    NASCPP_CHECK_CONFIG(index < count, "device '{}' requested but only {} CUDA device(s) exist",
                        name, count);
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw ConfigError(unknown_choice_message("device", name, {"auto", "cpu", "cuda"}));
}

int set_num_threads(int threads) {
  const int n = resolve_num_threads(threads);
  torch::set_num_threads(n);
  logger()->debug("LibTorch intra-op threads: {}", n);
  return n;
}

}  // namespace nascpp

// seed_torch (nascpp/core/random.h): LibTorch's generators, so in a LibTorch
// source of its own; the rest of random.h never calls LibTorch.
#include <torch/torch.h>

#include "nascpp/core/random.h"

namespace nascpp {

void seed_torch(uint64_t seed) {
  torch::manual_seed(seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

}  // namespace nascpp

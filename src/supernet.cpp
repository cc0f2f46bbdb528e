#include "nascpp/supernet.h"

#include <c10/util/StringUtil.h>
#include <torch/torch.h>

#include "nascpp/core/error.h"

namespace nascpp {

torch::Tensor Supernet::forward(const torch::Tensor& images) {
  std::vector<torch::Tensor> weights;
  for (const auto& alpha : arch_parameters()) weights.push_back(torch::softmax(alpha, -1));
  return forward_weighted(images, weights);
}

void check_arch_shapes(const std::vector<torch::Tensor>& tensors,
                       const std::vector<torch::Tensor>& expected, const char* what) {
  NASCPP_CHECK(tensors.size() == expected.size(),
               "{}: expected {} tensors (one per cell type), got {}", what, expected.size(),
               tensors.size());
  for (size_t t = 0; t < tensors.size(); ++t) {
    NASCPP_CHECK(tensors[t].defined() && tensors[t].sizes() == expected[t].sizes(),
                 "{}: tensor {} must be {}, got {}", what, t, c10::str(expected[t].sizes()),
                 tensors[t].defined() ? c10::str(tensors[t].sizes()) : std::string("undefined"));
  }
}

}  // namespace nascpp

#include "nascpp/ops/op.h"

#include <torch/torch.h>

#include "nascpp/core/error.h"

namespace nascpp {

void OpArgs::validate(const std::string& op_name) const {
  NASCPP_CHECK_CONFIG(c_in_ > 0, "operation '{}': c_in must be positive, got {}", op_name, c_in_);
  NASCPP_CHECK_CONFIG(c_out_ > 0, "operation '{}': c_out must be positive, got {}", op_name,
                      c_out_);
  NASCPP_CHECK_CONFIG(stride_ == 1 || stride_ == 2, "operation '{}': stride must be 1 or 2, got {}",
                      op_name, stride_);
}

torch::nn::AnyModule make_op(const std::string& name, const OpArgs& args) {
  const auto& entry = op_registry().at(name);  // unknown names list the known ones
  args.validate(name);
  return entry.factory(args);
}

}  // namespace nascpp

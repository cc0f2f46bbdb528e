#pragma once
/// Operations: primitives registered by name, each a factory that returns a
/// LibTorch module mapping [N, C_in, H, W] to [N, C_out, ceil(H/stride),
/// ceil(W/stride)]. The module classes live in ops/basic.h, ops/conv.h,
/// ops/pooling.h and ops/resnet_block.h; src/ops/builtin.cpp lists the names.

#include <torch/nn/modules/container/any.h>

#include <cstdint>
#include <map>
#include <string>

#include "nascpp/core/options.h"
#include "nascpp/core/registry.h"

namespace nascpp {

/// Arguments every operation factory receives.
struct OpArgs {
  OpArgs(int64_t c_in, int64_t c_out, int64_t stride = 1)
      : c_in_(c_in), c_out_(c_out), stride_(stride) {}
  /// Input channels.
  NASCPP_ARG(int64_t, c_in);
  /// Output channels.
  NASCPP_ARG(int64_t, c_out);
  /// Spatial stride (1 or 2).
  NASCPP_ARG(int64_t, stride);
  /// Whether BatchNorm layers have a learnable scale and shift (supernets: false).
  NASCPP_ARG(bool, affine) = true;
  /// Whether BatchNorm layers track running statistics.
  NASCPP_ARG(bool, track_running_stats) = true;
  /// Whether a convolution directly followed by a BatchNorm carries a bias.
  /// DARTS and NAS-Bench-101 use no bias (false); NAS-Bench-201's code uses
  /// `bias = !affine`, so its supernet (affine = false) sets this to true.
  NASCPP_ARG(bool, conv_bias) = false;
  /// Whether `avg_pool_3x3` and `max_pool_3x3` append BatchNorm2d(C_out,
  /// affine = false), as the MixedOp of DARTS' search network does.
  NASCPP_ARG(bool, pool_bn) = false;

 public:
  /// Throws ConfigError for non-positive channels or a stride other than 1 or 2.
  void validate(const std::string& op_name) const;
};

/// Registry of operation factories: name -> module.
using OpRegistry = Registry<torch::nn::AnyModule(const OpArgs&)>;

/// The process-wide operation registry, filled with the built-in operations
/// on first use.
OpRegistry& op_registry();

/// Builds operation `name`: an unknown name is a ConfigError listing the
/// registered names; then `args` are validated and the factory is called.
///
///     auto op = nascpp::make_op("sep_conv_3x3", nascpp::OpArgs(16, 16, 2));
///     torch::Tensor y = op.forward(x);  // [N, 16, H/2, W/2]
torch::nn::AnyModule make_op(const std::string& name, const OpArgs& args);

/// The builtin list (src/ops/builtin.cpp) that fills `op_registry()`.
void register_builtin_ops(OpRegistry& registry);

/// Name -> description of every builtin operation (what `register_builtin_ops`
/// registers; known without LibTorch, so cell graphs validate in the
/// torch-free front end too).
const std::map<std::string, std::string>& builtin_op_descriptions();
/// The description of builtin operation `name` (an Error for other names).
const std::string& builtin_op_description(const std::string& name);

}  // namespace nascpp

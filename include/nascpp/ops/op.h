#pragma once
/// Operations: primitives registered by name, each a factory that returns a
/// LibTorch module mapping [N, C_in, H, W] to [N, C_out, H/stride, W/stride].

#include <torch/nn/modules/container/any.h>

#include <cstdint>
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

 public:
  /// Throws ConfigError for non-positive channels or a stride other than 1 or 2.
  void validate(const std::string& op_name) const;
};

/// Registry of operation factories: name -> module.
using OpRegistry = Registry<torch::nn::AnyModule(const OpArgs&)>;

/// The process-wide operation registry, filled with the built-in operations
/// on first use.
OpRegistry& op_registry();

/// Builds operation `name` (validating `args` first).
torch::nn::AnyModule make_op(const std::string& name, const OpArgs& args);

}  // namespace nascpp

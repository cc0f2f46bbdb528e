// The operation registry and the names of the builtin operations. Part of the
// core (no LibTorch call): the torch-free front end validates cell graphs
// against the same names; the factories themselves are registered by
// src/ops/builtin.cpp (or, in the front end, stand-ins that need LibTorch).
#include <map>
#include <string>

#include "nascpp/core/error.h"
#include "nascpp/ops/op.h"

namespace nascpp {

const std::map<std::string, std::string>& builtin_op_descriptions() {
  static const std::map<std::string, std::string> descriptions = {
      // clang-format off
      {"avg_pool_3x3", "3x3 average pool, pad 1, count_include_pad=false (NB201 POOLING / DARTS)"},
      {"conv1x1-bn-relu", "Conv1x1 (no bias) -> BN -> ReLU (NAS-Bench-101)"},
      {"conv3x3-bn-relu", "Conv3x3 (no bias) -> BN -> ReLU (NAS-Bench-101)"},
      {"dil_conv_3x3", "ReLU -> depthwise 3x3 dilation 2 -> pointwise -> BN (DARTS DilConv)"},
      {"dil_conv_5x5", "ReLU -> depthwise 5x5 dilation 2 -> pointwise -> BN (DARTS DilConv)"},
      {"factorized_reduce", "ReLU -> two shifted 1x1 stride-2 convs, concatenated -> BN"},
      {"max_pool_3x3", "3x3 max pool, pad 1 (NB201 POOLING / DARTS)"},
      {"maxpool3x3", "3x3 max pool, same padding, channels unchanged (NAS-Bench-101)"},
      {"none", "zeros of the output's shape (Zero)"},
      {"nor_conv_1x1", "ReLU -> Conv1x1 -> BN (NAS-Bench-201)"},
      {"nor_conv_3x3", "ReLU -> Conv3x3 pad 1 -> BN (NAS-Bench-201)"},
      {"projection", "Conv1x1 (no bias) -> BN -> ReLU channel projection (NAS-Bench-101)"},
      {"resnet_basic_block", "two ReLUConvBN 3x3 plus a shortcut (NB201 ResNetBasicblock)"},
      {"sep_conv_3x3", "two stacked ReLU -> depthwise 3x3 -> pointwise -> BN (DARTS SepConv)"},
      {"sep_conv_5x5", "two stacked ReLU -> depthwise 5x5 -> pointwise -> BN (DARTS SepConv)"},
      {"skip_connect", "identity, or factorized_reduce when the shape changes"},
      // clang-format on
  };
  return descriptions;
}

const std::string& builtin_op_description(const std::string& name) {
  const auto& all = builtin_op_descriptions();
  const auto it = all.find(name);
  NASCPP_CHECK(it != all.end(), "'{}' is not a builtin operation", name);
  return it->second;
}

OpRegistry& op_registry() {
  // Built once, thread-safely, on first use; never destroyed so that it stays
  // usable during static teardown.
  static OpRegistry& registry = *[] {
    auto* r = new OpRegistry("operation");
    register_builtin_ops(*r);
    return r;
  }();
  return registry;
}

}  // namespace nascpp

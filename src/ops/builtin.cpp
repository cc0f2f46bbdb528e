// The builtin operations, one sorted line per operation. Adding an operation:
// write its module (include/nascpp/ops/, src/ops/), add one line here, test it
// in tests/unit/ops/test_ops.cpp. See docs/graph.md.

#include <torch/torch.h>

#include "nascpp/core/error.h"
#include "nascpp/ops/basic.h"
#include "nascpp/ops/conv.h"
#include "nascpp/ops/op.h"
#include "nascpp/ops/pooling.h"
#include "nascpp/ops/resnet_block.h"

namespace nascpp {

namespace {

using torch::nn::AnyModule;

AnyModule skip_connect(const OpArgs& a) {
  if (a.stride() == 1 && a.c_in() == a.c_out()) return AnyModule(torch::nn::Identity());
  return AnyModule(FactorizedReduce(a));
}

AnyModule nb101_max_pool(const OpArgs& a) {
  NASCPP_CHECK_CONFIG(a.c_in() == a.c_out(),
                      "operation 'maxpool3x3' keeps its channels: c_in {} != c_out {}", a.c_in(),
                      a.c_out());
  return AnyModule(
      torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(a.stride()).padding(1)));
}

}  // namespace

void register_builtin_ops(OpRegistry& r) {
  // clang-format off
  r.add("avg_pool_3x3", "3x3 average pool, pad 1, count_include_pad=false (NB201 POOLING / DARTS)", [](const OpArgs& a) { return AnyModule(Pooling(a, PoolMode::kAverage)); });
  r.add("conv1x1-bn-relu", "Conv1x1 (no bias) -> BN -> ReLU (NAS-Bench-101)", [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 1)); });
  r.add("conv3x3-bn-relu", "Conv3x3 (no bias) -> BN -> ReLU (NAS-Bench-101)", [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 3)); });
  r.add("dil_conv_3x3", "ReLU -> depthwise 3x3 dilation 2 -> pointwise -> BN (DARTS DilConv)", [](const OpArgs& a) { return AnyModule(DilConv(a, 3, 2, 2)); });
  r.add("dil_conv_5x5", "ReLU -> depthwise 5x5 dilation 2 -> pointwise -> BN (DARTS DilConv)", [](const OpArgs& a) { return AnyModule(DilConv(a, 5, 4, 2)); });
  r.add("factorized_reduce", "ReLU -> two shifted 1x1 stride-2 convs, concatenated -> BN", [](const OpArgs& a) { return AnyModule(FactorizedReduce(a)); });
  r.add("max_pool_3x3", "3x3 max pool, pad 1 (NB201 POOLING / DARTS)", [](const OpArgs& a) { return AnyModule(Pooling(a, PoolMode::kMax)); });
  r.add("maxpool3x3", "3x3 max pool, same padding, channels unchanged (NAS-Bench-101)", &nb101_max_pool);
  r.add("none", "zeros of the output's shape (Zero)", [](const OpArgs& a) { return AnyModule(Zero(a)); });
  r.add("nor_conv_1x1", "ReLU -> Conv1x1 -> BN (NAS-Bench-201)", [](const OpArgs& a) { return AnyModule(ReLUConvBN(a, 1, 0)); });
  r.add("nor_conv_3x3", "ReLU -> Conv3x3 pad 1 -> BN (NAS-Bench-201)", [](const OpArgs& a) { return AnyModule(ReLUConvBN(a, 3, 1)); });
  r.add("projection", "Conv1x1 (no bias) -> BN -> ReLU channel projection (NAS-Bench-101)", [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 1)); });
  r.add("resnet_basic_block", "two ReLUConvBN 3x3 plus a shortcut (NB201 ResNetBasicblock)", [](const OpArgs& a) { return AnyModule(ResNetBasicBlock(a)); });
  r.add("sep_conv_3x3", "two stacked ReLU -> depthwise 3x3 -> pointwise -> BN (DARTS SepConv)", [](const OpArgs& a) { return AnyModule(SepConv(a, 3, 1)); });
  r.add("sep_conv_5x5", "two stacked ReLU -> depthwise 5x5 -> pointwise -> BN (DARTS SepConv)", [](const OpArgs& a) { return AnyModule(SepConv(a, 5, 2)); });
  r.add("skip_connect", "identity, or factorized_reduce when the shape changes", &skip_connect);
  // clang-format on
}

}  // namespace nascpp

// The builtin operations, one sorted line per operation. Adding an operation:
// write its module (include/nascpp/ops/, src/ops/), add one line here and its
// description to src/graph/op_registry.cpp, test it in
// tests/unit/ops/test_ops.cpp. See docs/graph.md.

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
  r.add("avg_pool_3x3", builtin_op_description("avg_pool_3x3"), [](const OpArgs& a) { return AnyModule(Pooling(a, PoolMode::kAverage)); });
  r.add("conv1x1-bn-relu", builtin_op_description("conv1x1-bn-relu"), [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 1)); });
  r.add("conv3x3-bn-relu", builtin_op_description("conv3x3-bn-relu"), [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 3)); });
  r.add("dil_conv_3x3", builtin_op_description("dil_conv_3x3"), [](const OpArgs& a) { return AnyModule(DilConv(a, 3, 2, 2)); });
  r.add("dil_conv_5x5", builtin_op_description("dil_conv_5x5"), [](const OpArgs& a) { return AnyModule(DilConv(a, 5, 4, 2)); });
  r.add("factorized_reduce", builtin_op_description("factorized_reduce"), [](const OpArgs& a) { return AnyModule(FactorizedReduce(a)); });
  r.add("max_pool_3x3", builtin_op_description("max_pool_3x3"), [](const OpArgs& a) { return AnyModule(Pooling(a, PoolMode::kMax)); });
  r.add("maxpool3x3", builtin_op_description("maxpool3x3"), &nb101_max_pool);
  r.add("none", builtin_op_description("none"), [](const OpArgs& a) { return AnyModule(Zero(a)); });
  r.add("nor_conv_1x1", builtin_op_description("nor_conv_1x1"), [](const OpArgs& a) { return AnyModule(ReLUConvBN(a, 1, 0)); });
  r.add("nor_conv_3x3", builtin_op_description("nor_conv_3x3"), [](const OpArgs& a) { return AnyModule(ReLUConvBN(a, 3, 1)); });
  r.add("projection", builtin_op_description("projection"), [](const OpArgs& a) { return AnyModule(ConvBnReLU(a, 1)); });
  r.add("resnet_basic_block", builtin_op_description("resnet_basic_block"), [](const OpArgs& a) { return AnyModule(ResNetBasicBlock(a)); });
  r.add("sep_conv_3x3", builtin_op_description("sep_conv_3x3"), [](const OpArgs& a) { return AnyModule(SepConv(a, 3, 1)); });
  r.add("sep_conv_5x5", builtin_op_description("sep_conv_5x5"), [](const OpArgs& a) { return AnyModule(SepConv(a, 5, 2)); });
  r.add("skip_connect", builtin_op_description("skip_connect"), &skip_connect);
  // clang-format on
}

}  // namespace nascpp

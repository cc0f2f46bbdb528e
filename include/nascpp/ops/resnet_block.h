#pragma once
/// `resnet_basic_block`: NAS-Bench-201's ResNetBasicblock, used between the
/// stages of its macro skeleton.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "nascpp/ops/conv.h"
#include "nascpp/ops/op.h"

namespace nascpp {

/// out = residual(x) + conv_b(conv_a(x)), where conv_a is ReLUConvBN 3x3 with
/// the op's stride (C_in -> C_out) and conv_b is ReLUConvBN 3x3 (C_out ->
/// C_out). The residual is x itself when stride 1 and C_in == C_out;
/// AvgPool2d(2, 2) followed by a bias-free Conv1x1(C_in, C_out) when stride 2;
/// ReLUConvBN 1x1 (C_in -> C_out) when stride 1 and C_in != C_out.
/// Parameters (affine, no bias): 9*C_in*C_out + 9*C_out*C_out + 4*C_out, plus
/// C_in*C_out (stride 2) or C_in*C_out + 2*C_out (stride 1, C_in != C_out).
class ResNetBasicBlockImpl : public torch::nn::Cloneable<ResNetBasicBlockImpl> {
 public:
  explicit ResNetBasicBlockImpl(const OpArgs& args);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  ReLUConvBN conv_a_{nullptr};
  ReLUConvBN conv_b_{nullptr};
  torch::nn::Sequential pool_downsample_{nullptr};  // stride 2
  ReLUConvBN conv_downsample_{nullptr};             // stride 1, C_in != C_out
};
TORCH_MODULE(ResNetBasicBlock);

}  // namespace nascpp

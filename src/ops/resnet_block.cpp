#include "nascpp/ops/resnet_block.h"

#include <torch/torch.h>

#include "nascpp/ops/probe.h"

namespace nascpp {

namespace nn = torch::nn;

ResNetBasicBlockImpl::ResNetBasicBlockImpl(const OpArgs& args) : args_(args) { reset(); }

void ResNetBasicBlockImpl::reset() {
  const int64_t c_in = args_.c_in();
  const int64_t c_out = args_.c_out();
  conv_a_ = register_module("conv_a", ReLUConvBN(args_, /*kernel_size=*/3, /*padding=*/1));
  conv_b_ = register_module(
      "conv_b", ReLUConvBN(OpArgs(args_).c_in(c_out).stride(1), /*kernel_size=*/3, /*padding=*/1));
  pool_downsample_ = nullptr;
  conv_downsample_ = nullptr;
  if (args_.stride() == 2) {
    // The reference's shortcut convolution has no bias whatever `affine` is.
    pool_downsample_ = register_module(
        "downsample", nn::Sequential(nn::AvgPool2d(nn::AvgPool2dOptions(2).stride(2).padding(0)),
                                     nn::Conv2d(nn::Conv2dOptions(c_in, c_out, 1).bias(false))));
  } else if (c_in != c_out) {
    conv_downsample_ =
        register_module("downsample", ReLUConvBN(args_, /*kernel_size=*/1, /*padding=*/0));
  }
}

torch::Tensor ResNetBasicBlockImpl::forward(const torch::Tensor& x) {
  const torch::Tensor block = conv_b_->forward(conv_a_->forward(x));
  torch::Tensor residual = x;
  if (pool_downsample_) {
    residual = forward_layers(*pool_downsample_, x);
  } else if (conv_downsample_) {
    residual = conv_downsample_->forward(x);
  }
  return residual + block;
}

}  // namespace nascpp

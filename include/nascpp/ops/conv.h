#pragma once
/// Convolutional operations of NAS-Bench-201, DARTS and NAS-Bench-101, with the
/// layer definitions of the reference implementations (AutoDL-Projects'
/// `cell_operations.py`, DARTS' `cnn/operations.py`, nasbench's `base_ops.py`).
///
/// Every convolution directly followed by a BatchNorm carries a bias exactly
/// when `OpArgs::conv_bias()` is set (DARTS, NB101: no bias; NB201's code:
/// `bias = !affine`). BatchNorm layers use `OpArgs::affine()` and
/// `OpArgs::track_running_stats()`. Submodule names follow the reference code,
/// so parameter names read like theirs (`op.1.weight`, `convs.0.weight`, ...).

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/padding.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "nascpp/ops/op.h"

namespace nascpp {

/// ReLU -> Conv2d(C_in, C_out, k, stride, padding, dilation) -> BN(C_out).
/// `nor_conv_1x1` (k 1, padding 0) and `nor_conv_3x3` (k 3, padding 1) of
/// NAS-Bench-201; also DARTS' preprocessing ReLUConvBN.
/// Parameters (affine, no bias): k*k*C_in*C_out + 2*C_out.
class ReLUConvBNImpl : public torch::nn::Cloneable<ReLUConvBNImpl> {
 public:
  ReLUConvBNImpl(const OpArgs& args, int64_t kernel_size, int64_t padding, int64_t dilation = 1);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  int64_t kernel_size_;
  int64_t padding_;
  int64_t dilation_;
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(ReLUConvBN);

/// NAS-Bench-101's Conv2d(C_in, C_out, k, stride, same padding) -> BN(C_out)
/// -> ReLU (`conv3x3-bn-relu`, `conv1x1-bn-relu`, `projection`). The
/// reference (TensorFlow) uses BN momentum 0.997 and epsilon 1e-5; we keep
/// LibTorch's default momentum (0.1, i.e. TF's 0.9), which suits short runs.
/// Parameters (affine, no bias): k*k*C_in*C_out + 2*C_out.
class ConvBnReLUImpl : public torch::nn::Cloneable<ConvBnReLUImpl> {
 public:
  ConvBnReLUImpl(const OpArgs& args, int64_t kernel_size);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  int64_t kernel_size_;
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(ConvBnReLU);

/// DARTS' separable convolution: two stacked [ReLU, depthwise k x k, pointwise
/// 1x1, BN]; the first is strided and keeps C_in channels, the second maps to
/// C_out (`sep_conv_3x3`: padding 1, `sep_conv_5x5`: padding 2).
/// Parameters (affine, no bias): 2*k*k*C_in + C_in*C_in + 2*C_in + C_in*C_out
/// + 2*C_out, i.e. 2*(k*k*C + C*C + 2*C) when C_in == C_out == C.
class SepConvImpl : public torch::nn::Cloneable<SepConvImpl> {
 public:
  SepConvImpl(const OpArgs& args, int64_t kernel_size, int64_t padding);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  int64_t kernel_size_;
  int64_t padding_;
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(SepConv);

/// DARTS' dilated separable convolution: ReLU, depthwise k x k with dilation,
/// pointwise 1x1 to C_out, BN (`dil_conv_3x3`: padding 2, dilation 2;
/// `dil_conv_5x5`: padding 4, dilation 2).
/// Parameters (affine, no bias): k*k*C_in + C_in*C_out + 2*C_out.
class DilConvImpl : public torch::nn::Cloneable<DilConvImpl> {
 public:
  DilConvImpl(const OpArgs& args, int64_t kernel_size, int64_t padding, int64_t dilation);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  int64_t kernel_size_;
  int64_t padding_;
  int64_t dilation_;
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(DilConv);

/// `factorized_reduce` (and `skip_connect` when the shape changes).
/// Stride 2: ReLU, then two 1x1 stride-2 convolutions, one on x and one on x
/// shifted by one pixel (NB201 pads right/bottom by one and drops the first
/// row and column, which equals DARTS' `x[:, :, 1:, 1:]` for even sizes and
/// also works for odd ones), producing C_out/2 and C_out - C_out/2 channels,
/// concatenated, then BN(C_out). Stride 1 (NB201): Conv1x1(C_in, C_out) + BN,
/// without the ReLU. Parameters (affine, no bias): C_in*C_out + 2*C_out.
class FactorizedReduceImpl : public torch::nn::Cloneable<FactorizedReduceImpl> {
 public:
  explicit FactorizedReduceImpl(const OpArgs& args);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  torch::nn::ModuleList convs_{nullptr};  // stride 2
  torch::nn::ZeroPad2d pad_{nullptr};     // stride 2
  torch::nn::Conv2d conv_{nullptr};       // stride 1
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(FactorizedReduce);

}  // namespace nascpp

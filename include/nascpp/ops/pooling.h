#pragma once
/// Pooling operations `avg_pool_3x3` and `max_pool_3x3` (NAS-Bench-201's
/// POOLING, DARTS' pools).

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/pooling.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "nascpp/ops/conv.h"
#include "nascpp/ops/op.h"

namespace nascpp {

/// Which pooling a `Pooling` module applies.
enum class PoolMode { kAverage, kMax };

/// 3x3 pooling with padding 1 and the op's stride; average pooling excludes
/// the padding from its count (`count_include_pad = false`).
///
/// When C_in != C_out a ReLU-Conv1x1-BN (`preprocess`, stride 1) first maps
/// the channels, as in NAS-Bench-201's POOLING. With `OpArgs::pool_bn()` a
/// BatchNorm2d(C_out, affine = false) follows the pool, as DARTS' search
/// MixedOp does (it has no parameters, only running statistics).
/// Parameters (affine, no bias): 0 when C_in == C_out, else C_in*C_out + 2*C_out.
class PoolingImpl : public torch::nn::Cloneable<PoolingImpl> {
 public:
  PoolingImpl(const OpArgs& args, PoolMode mode);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  OpArgs args_;
  PoolMode mode_;
  ReLUConvBN preprocess_{nullptr};
  torch::nn::AvgPool2d avg_{nullptr};
  torch::nn::MaxPool2d max_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(Pooling);

}  // namespace nascpp

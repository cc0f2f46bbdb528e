#include "nascpp/ops/pooling.h"

#include <torch/torch.h>

#include "nascpp/ops/probe.h"

namespace nascpp {

namespace nn = torch::nn;

PoolingImpl::PoolingImpl(const OpArgs& args, PoolMode mode) : args_(args), mode_(mode) { reset(); }

void PoolingImpl::reset() {
  preprocess_ = nullptr;
  avg_ = nullptr;
  max_ = nullptr;
  bn_ = nullptr;
  if (args_.c_in() != args_.c_out()) {
    preprocess_ = register_module(
        "preprocess", ReLUConvBN(OpArgs(args_).stride(1), /*kernel_size=*/1, /*padding=*/0));
  }
  if (mode_ == PoolMode::kAverage) {
    avg_ = register_module(
        "op",
        nn::AvgPool2d(
            nn::AvgPool2dOptions(3).stride(args_.stride()).padding(1).count_include_pad(false)));
  } else {
    max_ = register_module(
        "op", nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(args_.stride()).padding(1)));
  }
  if (args_.pool_bn()) {
    bn_ = register_module("bn",
                          nn::BatchNorm2d(nn::BatchNorm2dOptions(args_.c_out())
                                              .affine(false)
                                              .track_running_stats(args_.track_running_stats())));
  }
}

torch::Tensor PoolingImpl::forward(const torch::Tensor& x) {
  torch::Tensor out = preprocess_ ? preprocess_->forward(x) : x;
  out = avg_ ? report_layer(LayerKind::kAvgPool, avg_.get(), out, avg_->forward(out))
             : report_layer(LayerKind::kMaxPool, max_.get(), out, max_->forward(out));
  return bn_ ? report_layer(LayerKind::kBatchNorm, bn_.get(), out, bn_->forward(out)) : out;
}

}  // namespace nascpp

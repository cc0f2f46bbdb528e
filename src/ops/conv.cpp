#include "nascpp/ops/conv.h"

#include <torch/torch.h>

#include <vector>

#include "nascpp/ops/probe.h"

namespace nascpp {

namespace nn = torch::nn;

namespace {

nn::BatchNorm2d batch_norm(const OpArgs& args, int64_t channels) {
  return nn::BatchNorm2d(nn::BatchNorm2dOptions(channels)
                             .affine(args.affine())
                             .track_running_stats(args.track_running_stats()));
}

}  // namespace

// ---------------------------------------------------------------- ReLUConvBN

ReLUConvBNImpl::ReLUConvBNImpl(const OpArgs& args, int64_t kernel_size, int64_t padding,
                               int64_t dilation)
    : args_(args), kernel_size_(kernel_size), padding_(padding), dilation_(dilation) {
  reset();
}

void ReLUConvBNImpl::reset() {
  op_ = register_module(
      "op", nn::Sequential(nn::ReLU(),
                           nn::Conv2d(nn::Conv2dOptions(args_.c_in(), args_.c_out(), kernel_size_)
                                          .stride(args_.stride())
                                          .padding(padding_)
                                          .dilation(dilation_)
                                          .bias(args_.conv_bias())),
                           batch_norm(args_, args_.c_out())));
}

torch::Tensor ReLUConvBNImpl::forward(const torch::Tensor& x) { return forward_layers(*op_, x); }

// ---------------------------------------------------------------- ConvBnReLU

ConvBnReLUImpl::ConvBnReLUImpl(const OpArgs& args, int64_t kernel_size)
    : args_(args), kernel_size_(kernel_size) {
  reset();
}

void ConvBnReLUImpl::reset() {
  // TensorFlow's 'same' padding for odd kernels; with stride 2 it also gives
  // ceil(H / 2) like the other operations.
  op_ = register_module(
      "op", nn::Sequential(nn::Conv2d(nn::Conv2dOptions(args_.c_in(), args_.c_out(), kernel_size_)
                                          .stride(args_.stride())
                                          .padding(kernel_size_ / 2)
                                          .bias(args_.conv_bias())),
                           batch_norm(args_, args_.c_out()), nn::ReLU()));
}

torch::Tensor ConvBnReLUImpl::forward(const torch::Tensor& x) { return forward_layers(*op_, x); }

// ---------------------------------------------------------------- SepConv

SepConvImpl::SepConvImpl(const OpArgs& args, int64_t kernel_size, int64_t padding)
    : args_(args), kernel_size_(kernel_size), padding_(padding) {
  reset();
}

void SepConvImpl::reset() {
  const int64_t c_in = args_.c_in();
  const int64_t c_out = args_.c_out();
  auto depthwise = [&](int64_t stride) {
    return nn::Conv2d(nn::Conv2dOptions(c_in, c_in, kernel_size_)
                          .stride(stride)
                          .padding(padding_)
                          .groups(c_in)
                          .bias(false));
  };
  auto pointwise = [&](int64_t out) {
    return nn::Conv2d(nn::Conv2dOptions(c_in, out, 1).bias(args_.conv_bias()));
  };
  op_ = register_module("op", nn::Sequential(nn::ReLU(), depthwise(args_.stride()), pointwise(c_in),
                                             batch_norm(args_, c_in), nn::ReLU(), depthwise(1),
                                             pointwise(c_out), batch_norm(args_, c_out)));
}

torch::Tensor SepConvImpl::forward(const torch::Tensor& x) { return forward_layers(*op_, x); }

// ---------------------------------------------------------------- DilConv

DilConvImpl::DilConvImpl(const OpArgs& args, int64_t kernel_size, int64_t padding, int64_t dilation)
    : args_(args), kernel_size_(kernel_size), padding_(padding), dilation_(dilation) {
  reset();
}

void DilConvImpl::reset() {
  const int64_t c_in = args_.c_in();
  op_ = register_module(
      "op",
      nn::Sequential(nn::ReLU(),
                     nn::Conv2d(nn::Conv2dOptions(c_in, c_in, kernel_size_)
                                    .stride(args_.stride())
                                    .padding(padding_)
                                    .dilation(dilation_)
                                    .groups(c_in)
                                    .bias(false)),
                     nn::Conv2d(nn::Conv2dOptions(c_in, args_.c_out(), 1).bias(args_.conv_bias())),
                     batch_norm(args_, args_.c_out())));
}

torch::Tensor DilConvImpl::forward(const torch::Tensor& x) { return forward_layers(*op_, x); }

// ---------------------------------------------------------------- FactorizedReduce

FactorizedReduceImpl::FactorizedReduceImpl(const OpArgs& args) : args_(args) {
  NASCPP_CHECK_CONFIG(args.stride() == 1 || args.c_out() >= 2,
                      "operation 'factorized_reduce' with stride 2 needs c_out >= 2, got {}",
                      args.c_out());
  reset();
}

void FactorizedReduceImpl::reset() {
  const int64_t c_in = args_.c_in();
  const int64_t c_out = args_.c_out();
  convs_ = nullptr;
  pad_ = nullptr;
  conv_ = nullptr;
  if (args_.stride() == 2) {
    const std::vector<int64_t> halves = {c_out / 2, c_out - c_out / 2};
    convs_ = register_module("convs", nn::ModuleList());
    for (const int64_t out : halves) {
      convs_->push_back(
          nn::Conv2d(nn::Conv2dOptions(c_in, out, 1).stride(2).bias(args_.conv_bias())));
    }
    pad_ = register_module("pad", nn::ZeroPad2d(nn::ZeroPad2dOptions({0, 1, 0, 1})));
  } else {
    conv_ = register_module(
        "conv", nn::Conv2d(nn::Conv2dOptions(c_in, c_out, 1).stride(1).bias(args_.conv_bias())));
  }
  bn_ = register_module("bn", batch_norm(args_, c_out));
}

torch::Tensor FactorizedReduceImpl::forward(const torch::Tensor& x) {
  if (!convs_) {
    const torch::Tensor y = report_layer(LayerKind::kConv2d, conv_.get(), x, conv_->forward(x));
    return report_layer(LayerKind::kBatchNorm, bn_.get(), y, bn_->forward(y));
  }
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor a = report_layer(LayerKind::kReLU, nullptr, x, torch::relu(x));
  // The second branch sees the input shifted by one pixel right and down.
  const torch::Tensor shifted =
      pad_->forward(a).index({Slice(), Slice(), Slice(1, None), Slice(1, None)});
  const torch::Tensor out =
      torch::cat({report_layer(LayerKind::kConv2d, convs_[0].get(), a,
                               convs_[0]->as<nn::Conv2d>()->forward(a)),
                  report_layer(LayerKind::kConv2d, convs_[1].get(), shifted,
                               convs_[1]->as<nn::Conv2d>()->forward(shifted))},
                 /*dim=*/1);
  return report_layer(LayerKind::kBatchNorm, bn_.get(), out, bn_->forward(out));
}

}  // namespace nascpp

#include "nascpp/ops/probe.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

namespace nascpp {

namespace {

thread_local LayerProbe* t_probe = nullptr;

template <class Impl>
bool is(const torch::nn::Module& module) {
  return dynamic_cast<const Impl*>(&module) != nullptr;
}

}  // namespace

std::string layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kConv2d:
      return "conv2d";
    case LayerKind::kLinear:
      return "linear";
    case LayerKind::kReLU:
      return "relu";
    case LayerKind::kBatchNorm:
      return "batch_norm";
    case LayerKind::kAvgPool:
      return "avg_pool";
    case LayerKind::kMaxPool:
      return "max_pool";
    case LayerKind::kGlobalAvgPool:
      return "global_avg_pool";
    case LayerKind::kOther:
      break;
  }
  return "other";
}

LayerKind layer_kind(const torch::nn::Module& module) {
  namespace nn = torch::nn;
  if (is<nn::Conv2dImpl>(module)) return LayerKind::kConv2d;
  if (is<nn::LinearImpl>(module)) return LayerKind::kLinear;
  if (is<nn::ReLUImpl>(module)) return LayerKind::kReLU;
  if (is<nn::BatchNorm2dImpl>(module)) return LayerKind::kBatchNorm;
  if (is<nn::AvgPool2dImpl>(module)) return LayerKind::kAvgPool;
  if (is<nn::MaxPool2dImpl>(module)) return LayerKind::kMaxPool;
  if (is<nn::AdaptiveAvgPool2dImpl>(module)) return LayerKind::kAvgPool;
  return LayerKind::kOther;
}

ScopedLayerProbe::ScopedLayerProbe(LayerProbe& probe) : previous_(t_probe) { t_probe = &probe; }

ScopedLayerProbe::~ScopedLayerProbe() { t_probe = previous_; }

LayerProbe* active_layer_probe() { return t_probe; }

torch::Tensor report_layer(LayerKind kind, const torch::nn::Module* module,
                           const torch::Tensor& input, torch::Tensor output) {
  if (t_probe == nullptr) return output;
  return t_probe->on_layer(LayerCall{kind, module, input, output});
}

torch::Tensor forward_layers(torch::nn::SequentialImpl& seq, torch::Tensor x) {
  if (t_probe == nullptr) return seq.forward(x);
  for (auto& layer : seq) {
    torch::Tensor out = layer.forward(x);
    const torch::nn::Module& module = *layer.ptr();
    x = t_probe->on_layer(LayerCall{layer_kind(module), &module, x, out});
  }
  return x;
}

}  // namespace nascpp

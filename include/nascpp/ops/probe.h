#pragma once
/// Layer probes: LibTorch's C++ frontend has no module forward hooks, so
/// nascpp's own modules report every layer they run (convolutions, linear
/// layers, ReLUs, batch norms, pooling, the head's global pooling) to the
/// calling thread's probe when one is installed. The zero-cost proxies that
/// look at activations (fisher, nwot, zen) and the FLOP counter use it:
///
///     struct CountConvs : nascpp::LayerProbe {
///       int convs = 0;
///       torch::Tensor on_layer(const nascpp::LayerCall& call) override {
///         if (call.kind == nascpp::LayerKind::kConv2d) ++convs;
///         return call.output;
///       }
///     } counter;
///     {
///       nascpp::ScopedLayerProbe scope(counter);
///       network->forward(images);  // counter.convs: convolutions run
///     }
///
/// Without a probe a report costs one thread-local read. A user's op that
/// runs its layers itself reports them with `forward_layers` (a Sequential)
/// or `report_layer` (a single layer or a functional call); one that does not
/// is invisible to probes (the weight-based proxies still see its weights).

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

#include <string>

namespace nascpp {

/// What a reported layer is.
enum class LayerKind {
  kConv2d,
  kLinear,
  kReLU,
  kBatchNorm,
  kAvgPool,
  kMaxPool,
  kGlobalAvgPool,
  kOther
};

/// "conv2d", "linear", "relu", "batch_norm", "avg_pool", "max_pool", "global_avg_pool", "other".
std::string layer_kind_name(LayerKind kind);

/// The kind of a LibTorch module by its dynamic type (Conv2d, Linear, ReLU,
/// BatchNorm2d, AvgPool2d, MaxPool2d, AdaptiveAvgPool2d; else kOther).
LayerKind layer_kind(const torch::nn::Module& module);

/// One layer's call: the module (nullptr for a functional call such as a
/// functional ReLU or the head's global pooling), its input and its output.
struct LayerCall {
  LayerKind kind;
  const torch::nn::Module* module;
  const torch::Tensor& input;
  const torch::Tensor& output;
};

class LayerProbe {
 public:
  virtual ~LayerProbe() = default;
  /// Sees one call; returns the tensor the network continues with: normally
  /// `call.output`, or a tensor of the same value built from it (e.g. a view
  /// whose gradient the probe hooks).
  virtual torch::Tensor on_layer(const LayerCall& call) = 0;
};

/// Installs `probe` for the calling thread while it lives; the previous probe
/// (if any) is restored on destruction. Other threads are unaffected.
class ScopedLayerProbe {
 public:
  explicit ScopedLayerProbe(LayerProbe& probe);
  ~ScopedLayerProbe();
  ScopedLayerProbe(const ScopedLayerProbe&) = delete;
  ScopedLayerProbe& operator=(const ScopedLayerProbe&) = delete;

 private:
  LayerProbe* previous_;
};

/// The calling thread's probe, nullptr when none is installed.
LayerProbe* active_layer_probe();

/// Reports a layer run directly (not through `forward_layers`): returns
/// `output`, or what the active probe returns for it.
torch::Tensor report_layer(LayerKind kind, const torch::nn::Module* module,
                           const torch::Tensor& input, torch::Tensor output);

/// `seq`'s layers in order, each reported to the active probe; without a
/// probe exactly `seq->forward(x)`.
torch::Tensor forward_layers(torch::nn::SequentialImpl& seq, torch::Tensor x);

}  // namespace nascpp

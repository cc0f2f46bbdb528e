#include "nascpp/summary.h"

#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <string_view>

namespace nascpp {

namespace {

int64_t trainable(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters(/*recurse=*/true)) {
    if (p.requires_grad()) n += p.numel();
  }
  return n;
}

void collect(const torch::nn::Module& module, const std::string& prefix, int depth,
             std::vector<LayerSummary>& out) {
  if (depth <= 0) return;
  for (const auto& child : module.named_children()) {
    const std::string name = prefix.empty() ? child.key() : prefix + "." + child.key();
    out.push_back(LayerSummary{name, child.value()->name(), trainable(*child.value())});
    collect(*child.value(), name, depth - 1, out);
  }
}

// Multiply-accumulates from the FLOPs LibTorch's profiler attributes to the
// top-level compute ops (it counts a MAC as two FLOPs). Nested ops (the
// convolution kernels under aten::conv2d) carry no FLOPs, so nothing is
// counted twice.
int64_t profiled_macs(Network& network, const NetworkSpec& spec) {
  namespace prof = torch::autograd::profiler;
  torch::NoGradGuard no_grad;
  const auto input = torch::zeros({1, spec.in_channels(), spec.image_size(), spec.image_size()});
  prof::enableProfilerLegacy(prof::ProfilerConfig(prof::ProfilerState::CPU,
                                                  /*report_input_shapes=*/true,
                                                  /*profile_memory=*/false,
                                                  /*with_stack=*/false,
                                                  /*with_flops=*/true));
  try {
    network.forward(input);
  } catch (...) {
    prof::disableProfilerLegacy();
    throw;
  }
  const auto events = prof::disableProfilerLegacy();
  uint64_t flops = 0;
  for (const auto& thread_events : events) {
    for (const auto& e : thread_events) {
      const std::string_view name = e.name();
      if (name == "aten::conv2d" || name == "aten::addmm" || name == "aten::mm" ||
          name == "aten::bmm") {
        flops += const_cast<prof::LegacyEvent&>(e).flops();
      }
    }
  }
  return static_cast<int64_t>(flops / 2);
}

}  // namespace

NetworkSummary summarize(Network& network, const NetworkSpec& spec, int depth) {
  spec.validate();
  NetworkSummary s;
  s.parameters = trainable(network);
  s.parameters_without_auxiliary = s.parameters;
  for (const auto& child : network.named_children()) {
    if (child.key() == kAuxiliaryHeadModule) {
      s.parameters_without_auxiliary -= trainable(*child.value());
    }
  }
  collect(network, "", depth, s.layers);
  const bool was_training = network.is_training();
  network.eval();
  s.macs = profiled_macs(network, spec);
  network.train(was_training);
  return s;
}

}  // namespace nascpp

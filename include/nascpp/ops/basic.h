#pragma once
/// Parameter-free operations: `none` (Zero). `skip_connect` with stride 1 and
/// equal channels is LibTorch's own `torch::nn::Identity`.

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>

#include "nascpp/ops/op.h"

namespace nascpp {

/// `none`: zeros shaped like the operation's output, [N, C_out, ceil(H/s),
/// ceil(W/s)].
///
/// With C_in == C_out this is `x[:, :, ::s, ::s] * 0` as in DARTS and
/// NAS-Bench-201 (the result stays in the autograd graph, and NaN inputs give
/// NaN outputs, as there). With C_in != C_out it returns fresh zeros with C_out
/// channels like NAS-Bench-201's Zero, but stride-aware: NB201's Zero keeps
/// the input's height and width in that case, which no cell of the benchmark
/// ever reaches.
class ZeroImpl : public torch::nn::Cloneable<ZeroImpl> {
 public:
  explicit ZeroImpl(const OpArgs& args);
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t c_in_;
  int64_t c_out_;
  int64_t stride_;
};
TORCH_MODULE(Zero);

}  // namespace nascpp

#pragma once
/// `MixedOp`: one module per candidate operation on a supernet edge, combined
/// by architecture weights (DARTS), or one of them chosen (GDAS, SPOS, ...).

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/ops/op.h"

namespace nascpp {

/// Holds `make_op(candidates[i], args)` for every candidate, all with the same
/// channels and stride, registered as `ops.<i>` (as DARTS' `_ops`).
///
///     nascpp::MixedOp edge(std::vector<std::string>{"none", "skip_connect", "nor_conv_3x3"},
///                          nascpp::OpArgs(16, 16).affine(false));
///     auto y = edge->forward(x, torch::softmax(alpha, -1));  // DARTS
///     auto z = edge->forward_hard(x, hardwts, argmax);         // GDAS
///
/// Unknown candidate names are ConfigErrors listing the registered names.
/// Each candidate call is counted (`call_counts()`), so callers and tests can
/// observe which candidates a forward pass computed.
class MixedOpImpl : public torch::nn::Cloneable<MixedOpImpl> {
 public:
  /// Throws ConfigError for an empty or repeated candidate, an unknown name or
  /// invalid `args`.
  MixedOpImpl(std::vector<std::string> candidates, OpArgs args);
  void reset() override;

  /// sum_i weights[i] * op_i(x), computing every candidate (DARTS, Eq. 1).
  /// `weights` is 1-D with one entry per candidate.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& weights);

  /// op_index(x): only candidate `index` runs (SPOS, random sampling, or a hard
  /// one-hot whose zero entries the caller chooses to skip).
  torch::Tensor forward_index(const torch::Tensor& x, int64_t index);

  /// GDAS' straight-through forward (AutoDL-Projects `forward_gdas`): only
  /// candidate `index` runs and the result is
  ///     hard_weights[index] * op_index(x) + sum_{j != index} hard_weights[j],
  /// whose value is hard_weights[index] * op_index(x) for a one-hot
  /// `hard_weights` (its other entries are exactly 0), while the gradient
  /// reaches every entry of `hard_weights`: the chosen one through the op's
  /// output, the others as scalars added to it.
  torch::Tensor forward_hard(const torch::Tensor& x, const torch::Tensor& hard_weights,
                             int64_t index);

  /// Candidate names, in order.
  const std::vector<std::string>& candidates() const { return candidates_; }
  /// Number of candidates.
  int64_t size() const { return static_cast<int64_t>(candidates_.size()); }
  /// The module of candidate `index`.
  torch::nn::AnyModule& op(int64_t index);
  /// The arguments every candidate was built with.
  const OpArgs& args() const { return args_; }

  /// How often each candidate has run since construction or the last
  /// `reset_call_counts()` (not synchronised: one forward at a time).
  const std::vector<int64_t>& call_counts() const { return call_counts_; }
  void reset_call_counts();

 private:
  torch::Tensor run(int64_t index, const torch::Tensor& x);
  void check_weights(const torch::Tensor& weights, const char* what) const;
  void check_index(int64_t index) const;

  std::vector<std::string> candidates_;
  OpArgs args_;
  // A Sequential (never called as one) because it stores the type-erased
  // AnyModules itself, so `clone()` keeps them callable.
  torch::nn::Sequential ops_{nullptr};
  std::vector<int64_t> call_counts_;
};
TORCH_MODULE(MixedOp);

}  // namespace nascpp

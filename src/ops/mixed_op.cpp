#include "nascpp/ops/mixed_op.h"

#include <torch/torch.h>

#include <set>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

MixedOpImpl::MixedOpImpl(std::vector<std::string> candidates, OpArgs args)
    : candidates_(std::move(candidates)), args_(std::move(args)) {
  NASCPP_CHECK_CONFIG(!candidates_.empty(), "a mixed operation needs at least one candidate");
  std::set<std::string> seen;
  for (const auto& name : candidates_) {
    NASCPP_CHECK_CONFIG(seen.insert(name).second,
                        "mixed operation candidate '{}' is listed twice in [{}]", name,
                        join(candidates_));
  }
  reset();
}

void MixedOpImpl::reset() {
  ops_ = register_module("ops", torch::nn::Sequential());
  for (const auto& name : candidates_) ops_->push_back(make_op(name, args_));
  call_counts_.assign(candidates_.size(), 0);
}

torch::nn::AnyModule& MixedOpImpl::op(int64_t index) {
  check_index(index);
  return *(ops_->begin() + index);
}

void MixedOpImpl::reset_call_counts() { call_counts_.assign(candidates_.size(), 0); }

void MixedOpImpl::check_index(int64_t index) const {
  NASCPP_CHECK(index >= 0 && index < size(),
               "mixed operation index {} is out of range for {} candidates [{}]", index, size(),
               join(candidates_));
}

void MixedOpImpl::check_weights(const torch::Tensor& weights, const char* what) const {
  NASCPP_CHECK(weights.defined() && weights.dim() == 1 && weights.size(0) == size(),
               "mixed operation {} must be a 1-D tensor with {} entries (one per candidate "
               "[{}]), got {} dimension(s) and {} element(s)",
               what, size(), join(candidates_), weights.defined() ? weights.dim() : 0,
               weights.defined() ? weights.numel() : 0);
}

torch::Tensor MixedOpImpl::run(int64_t index, const torch::Tensor& x) {
  ++call_counts_[static_cast<size_t>(index)];
  return (ops_->begin() + index)->forward(x);
}

torch::Tensor MixedOpImpl::forward(const torch::Tensor& x, const torch::Tensor& weights) {
  check_weights(weights, "weights");
  torch::Tensor out = weights[0] * run(0, x);
  for (int64_t i = 1; i < size(); ++i) out = out + weights[i] * run(i, x);
  return out;
}

torch::Tensor MixedOpImpl::forward_index(const torch::Tensor& x, int64_t index) {
  check_index(index);
  return run(index, x);
}

torch::Tensor MixedOpImpl::forward_hard(const torch::Tensor& x, const torch::Tensor& hard_weights,
                                        int64_t index) {
  check_weights(hard_weights, "hard weights");
  check_index(index);
  torch::Tensor out = hard_weights[index] * run(index, x);
  if (size() == 1) return out;
  // The unchosen entries join as scalars (exactly 0 for a straight-through
  // one-hot), so that their gradient is defined, as in GDAS' reference code.
  const auto long_options = hard_weights.options().dtype(torch::kLong);
  const torch::Tensor unchosen = torch::cat(
      {torch::arange(0, index, long_options), torch::arange(index + 1, size(), long_options)});
  const torch::Tensor others = hard_weights.index_select(0, unchosen);
  return out + others.sum();
}

}  // namespace nascpp

#include "nascpp/ops/mixed_op.h"

#include <torch/torch.h>

#include <set>
#include <utility>

#include "nascpp/core/error.h"
#include "nascpp/ops/basic.h"
#include "nascpp/ops/conv.h"
#include "nascpp/ops/probe.h"

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

namespace {

// The layers after the leading ReLU of a candidate whose forward is exactly
// its "op" Sequential starting with a ReLU (ReLUConvBN, SepConv and DilConv,
// see ops/conv.h); null for every other module.
torch::nn::SequentialImpl* after_relu(torch::nn::AnyModule& op) {
  const auto& module = op.ptr();
  if (module->as<ReLUConvBNImpl>() == nullptr && module->as<SepConvImpl>() == nullptr &&
      module->as<DilConvImpl>() == nullptr) {
    return nullptr;
  }
  const auto children = module->named_children();
  const auto* seq_ptr = children.find("op");
  if (seq_ptr == nullptr) return nullptr;
  auto* seq = (*seq_ptr)->as<torch::nn::SequentialImpl>();
  if (seq == nullptr || seq->size() < 2 || seq->ptr(0)->as<torch::nn::ReLUImpl>() == nullptr) {
    return nullptr;
  }
  return seq;
}

}  // namespace

torch::Tensor MixedOpImpl::forward(const torch::Tensor& x, const torch::Tensor& weights) {
  check_weights(weights, "weights");
  // sum_i w_i op_i(x), with three savings that change neither the value nor
  // any gradient: the "none" candidate adds w_i * 0, so its zeros are never
  // made (d/dw_i of w_i * 0 is 0; it is still counted as run); the ReLU that
  // the convolution candidates (ReLUConvBN, SepConv, DilConv) apply to x
  // first is computed once; and the terms are accumulated in place
  // (addcmul_), without a temporary per candidate.
  torch::Tensor out;
  torch::Tensor relu_x;
  for (int64_t i = 0; i < size(); ++i) {
    auto& op = *(ops_->begin() + i);
    if (size() > 1 && op.ptr()->as<ZeroImpl>() != nullptr) {
      ++call_counts_[static_cast<size_t>(i)];
      continue;
    }
    torch::Tensor y;
    // Under a layer probe every candidate runs on its own, so that the probe
    // sees each candidate's ReLU.
    auto* seq = active_layer_probe() == nullptr ? after_relu(op) : nullptr;
    if (seq != nullptr) {
      if (!relu_x.defined()) relu_x = torch::relu(x);
      ++call_counts_[static_cast<size_t>(i)];
      y = relu_x;
      for (auto it = seq->begin() + 1; it != seq->end(); ++it) y = it->forward(y);
    } else {
      y = run(i, x);
    }
    if (!out.defined()) {
      out = weights[i] * y;
    } else {
      out.addcmul_(y, weights[i]);
    }
  }
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

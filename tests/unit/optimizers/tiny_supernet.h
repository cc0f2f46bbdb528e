#pragma once
// A tiny Supernet with two cell types, independent of every search space, for
// the one-shot optimizer tests: a linear 1x1 stem, then two parallel mixed
// slots ("a": one slot, "b": one slot) over the stem output, summed, global
// average pooling and a linear classifier.
//
// The stem is linear and per pixel, so on images standardised per image the
// pooled stem output is exactly zero: "none", "skip_connect" and (nearly)
// "avg_pool_3x3" carry no information to the classifier, only the nonlinear
// "nor_conv_3x3" (ReLU-conv-BN) does.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nascpp/core/error.h"
#include "nascpp/one_shot.h"
#include "nascpp/ops/mixed_op.h"
#include "nascpp/supernet.h"

namespace nascpp::test {

inline const std::vector<std::string>& tiny_candidates() {
  static const std::vector<std::string> names = {"none", "skip_connect", "avg_pool_3x3",
                                                 "nor_conv_3x3"};
  return names;
}

class TinySupernetImpl : public Supernet {
 public:
  TinySupernetImpl(int64_t in_channels, int64_t channels, int64_t classes) {
    stem_ = register_module(
        "stem", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, channels, 1).bias(false)));
    const auto args = OpArgs(channels, channels).affine(false);
    a_ = register_module("a", MixedOp(tiny_candidates(), args));
    b_ = register_module("b", MixedOp(tiny_candidates(), args));
    fc_ = register_module("fc", torch::nn::Linear(channels, classes));
    const auto k = static_cast<int64_t>(tiny_candidates().size());
    alpha_a_ = register_parameter("alpha_a", 1e-3 * torch::randn({1, k}));
    alpha_b_ = register_parameter("alpha_b", 1e-3 * torch::randn({1, k}));
  }

  std::vector<std::string> cell_types() const override { return {"a", "b"}; }
  std::vector<std::string> candidate_ops() const override { return tiny_candidates(); }
  std::vector<torch::Tensor> arch_parameters() const override { return {alpha_a_, alpha_b_}; }
  std::vector<torch::Tensor> weight_parameters() const override {
    std::vector<torch::Tensor> out;
    for (const auto& p : named_parameters()) {
      if (p.key().rfind("alpha_", 0) != 0) out.push_back(p.value());
    }
    return out;
  }

  torch::Tensor forward_weighted(const torch::Tensor& images,
                                 const std::vector<torch::Tensor>& weights) override {
    check_arch_shapes(weights, arch_parameters(), "tiny supernet weights");
    const auto s = stem_->forward(images);
    const auto y = a_->forward(s, weights[0][0]) + b_->forward(s, weights[1][0]);
    return fc_->forward(y.mean({2, 3}));
  }

  torch::Tensor forward_hard(const torch::Tensor& images,
                             const std::vector<torch::Tensor>& hard_weights,
                             const std::vector<std::vector<int64_t>>& indices) override {
    check_arch_shapes(hard_weights, arch_parameters(), "tiny supernet hard weights");
    const auto s = stem_->forward(images);
    const auto y = a_->forward_hard(s, hard_weights[0][0], indices.at(0).at(0)) +
                   b_->forward_hard(s, hard_weights[1][0], indices.at(1).at(0));
    return fc_->forward(y.mean({2, 3}));
  }

  Architecture derive() const override {
    return Architecture("tiny",
                        {static_cast<int32_t>(alpha_a_.detach().argmax(1)[0].item<int64_t>()),
                         static_cast<int32_t>(alpha_b_.detach().argmax(1)[0].item<int64_t>())});
  }

  MixedOp& slot(size_t type) { return type == 0 ? a_ : b_; }

 private:
  torch::nn::Conv2d stem_{nullptr};
  MixedOp a_{nullptr};
  MixedOp b_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::Tensor alpha_a_;
  torch::Tensor alpha_b_;
};
TORCH_MODULE(TinySupernet);

// Random data of the given shape (standard normal images, uniform labels).
struct TinyBatch {
  torch::Tensor images;
  torch::Tensor labels;
};
inline TinyBatch tiny_batch(int64_t n, int64_t channels, int64_t size, int64_t classes,
                            torch::Dtype dtype = torch::kFloat32) {
  return {torch::randn({n, channels, size, size}, torch::TensorOptions().dtype(dtype)),
          torch::randint(classes, {n}, torch::kInt64)};
}

// Steps `optimizer` on `b` (as both splits) until a step throws a
// DivergenceError, at most `max_steps` steps: the 1-based step that diverged
// and its message; a test failure (and step 0, "") when none did.
struct Divergence {
  int step = 0;
  std::string message;
};
inline Divergence step_until_divergence(OneShotOptimizer& optimizer, const TinyBatch& b,
                                        int max_steps) {
  for (int step = 1; step <= max_steps; ++step) {
    try {
      optimizer.step(b.images, b.labels, b.images, b.labels);
    } catch (const DivergenceError& e) {
      return {step, e.what()};
    }
  }
  ADD_FAILURE() << max_steps << " steps did not diverge";
  return {};
}

}  // namespace nascpp::test

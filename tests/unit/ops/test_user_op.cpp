// docs/graph.md "How to add an operation": an operation defined and
// registered in user code, as the docs show it, is built by name.
#include <gtest/gtest.h>
#include <nascpp/ops/op.h>
#include <torch/torch.h>

#include "nascpp/core/error.h"
#include "support/test_support.h"

namespace {

/// ReLU -> Conv(1 x k) -> Conv(k x 1) -> BN.
/// Parameters (affine): k*C_in*C_out + k*C_out*C_out + 2*C_out.
class FactorizedConvImpl : public torch::nn::Cloneable<FactorizedConvImpl> {
 public:
  FactorizedConvImpl(const nascpp::OpArgs& args, int64_t k) : args_(args), k_(k) { reset(); }
  void reset() override {
    namespace nn = torch::nn;
    op_ = register_module("op", nn::Sequential(
        nn::ReLU(),
        nn::Conv2d(nn::Conv2dOptions(args_.c_in(), args_.c_out(), {1, k_})
                       .stride({1, args_.stride()}).padding({0, k_ / 2}).bias(false)),
        nn::Conv2d(nn::Conv2dOptions(args_.c_out(), args_.c_out(), {k_, 1})
                       .stride({args_.stride(), 1}).padding({k_ / 2, 0}).bias(false)),
        nn::BatchNorm2d(nn::BatchNorm2dOptions(args_.c_out()).affine(args_.affine()))));
  }
  torch::Tensor forward(const torch::Tensor& x) { return op_->forward(x); }

 private:
  nascpp::OpArgs args_;
  int64_t k_;
  torch::nn::Sequential op_{nullptr};
};
TORCH_MODULE(FactorizedConv);

TEST(OpRegistry, AUserOperationIsBuiltByName) {
  torch::manual_seed(0);
  if (!nascpp::op_registry().contains("conv_7x1_1x7")) {
    nascpp::op_registry().add("conv_7x1_1x7", "ReLU -> Conv 1x7 -> Conv 7x1 -> BN (DARTS)",
                              [](const nascpp::OpArgs& a) {
                                return torch::nn::AnyModule(FactorizedConv(a, 7));
                              });
  }
  auto op = nascpp::make_op("conv_7x1_1x7", nascpp::OpArgs(16, 16, 2));
  const auto y = op.forward(torch::randn({2, 16, 8, 8}));
  EXPECT_EQ(y.sizes(), torch::IntArrayRef({2, 16, 4, 4}));
  int64_t params = 0;
  for (const auto& p : op.ptr()->parameters()) params += p.numel();
  EXPECT_EQ(params, 7 * 16 * 16 + 7 * 16 * 16 + 2 * 16);  // the docs' closed form
}

}  // namespace

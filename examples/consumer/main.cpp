// Uses the installed nascpp package: the registries, the configuration reader
// and an operation from the op registry run forward.
#include <nascpp/core/config.h>
#include <nascpp/ops/op.h>
#include <nascpp/registries.h>
#include <torch/torch.h>

#include <iostream>

int main() {
  auto cfg = nascpp::ConfigNode::parse("op: nor_conv_3x3\nchannels: 8\n");
  const auto op_name = cfg.get<std::string>("op", "skip_connect");
  const auto channels = cfg.get<int64_t>("channels", 4);
  cfg.finish();

  torch::manual_seed(0);
  auto op = nascpp::make_op(op_name, nascpp::OpArgs(channels, channels, 1));
  auto y = op.forward(torch::randn({2, channels, 8, 8}));
  if (y.sizes() != torch::IntArrayRef({2, channels, 8, 8})) {
    std::cerr << "unexpected output shape " << y.sizes() << "\n";
    return 1;
  }
  std::cout << "search spaces: " << nascpp::search_space_registry().names().size()
            << ", operations: " << nascpp::op_registry().names().size() << "\n";
  std::cout << "nascpp consumer ok\n";
  return 0;
}

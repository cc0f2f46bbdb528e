#include "search_spaces/nasbench201/network.h"

#include <torch/torch.h>

#include "nascpp/core/error.h"

namespace nascpp {

namespace detail {

SkeletonOptions nasbench201_skeleton(const NasBench201NetworkOptions& options) {
  return SkeletonOptions::nasbench201()
      .channels(options.channels())
      .cells_per_stage(options.cells_per_stage());
}

double nasbench201_parameter_bound(const NetworkSpec& spec,
                                   const NasBench201NetworkOptions& options) {
  const auto c0 = static_cast<double>(options.channels());
  const auto cells = static_cast<double>(options.cells_per_stage());
  const auto classes = static_cast<double>(spec.num_classes());
  double total = 9.0 * static_cast<double>(spec.in_channels()) * c0 + 2.0 * c0;  // stem
  for (int stage = 0; stage < 3; ++stage) {
    const double c = c0 * static_cast<double>(1 << stage);
    // The reduction block from c/2 to c: 3x3 (c/2 -> c) and 3x3 (c -> c)
    // with BN, and the 1x1 shortcut (c/2 -> c).
    if (stage > 0) total += 14.0 * c * c + 4.0 * c;
    // Per edge at most a 3x3 and a 1x1 convolution (the supernet's mixed op),
    // each with two values per channel (BN or bias).
    total += cells * NasBench201Space::kNumEdges * (10.0 * c * c + 4.0 * c);
  }
  const double c = 4.0 * c0;
  return total + 2.0 * c + c * classes + classes;  // head: BN and linear
}

void check_nasbench201_sizes(const NetworkSpec& spec, const NasBench201NetworkOptions& options) {
  const int64_t size = spec.image_size();
  NASCPP_CHECK_CONFIG(size >= 4 && size % 4 == 0,
                      "nasbench201 networks need an image size that is a multiple of 4 (the two "
                      "reduction blocks halve it twice, adding a 2x2 average pool to a stride-2 "
                      "3x3 convolution, which agree only on even sizes), e.g. 16, 28 or 32; got "
                      "image size {}",
                      size);
  const double c = static_cast<double>(options.channels());
  check_network_memory(
      nasbench201_parameter_bound(spec, options), c * static_cast<double>(size) * size,
      "nasbench201 network",
      fmt::format("channels = {}, cells_per_stage = {} ({} input channels, {} classes, image size "
                  "{})",
                  options.channels(), options.cells_per_stage(), spec.in_channels(),
                  spec.num_classes(), size));
}

}  // namespace detail

NasBench201NetworkImpl::NasBench201NetworkImpl(const NasBench201Space::Ops& ops,
                                               const NetworkSpec& spec,
                                               const NasBench201NetworkOptions& options) {
  std::vector<OpSlot> slots;
  for (int32_t op : ops) slots.push_back(OpSlot::fixed(NasBench201Space::op_names().at(op)));
  const Graph graph = nasbench201_cell_graph(slots);
  spec.validate();
  options.validate();
  detail::check_nasbench201_sizes(spec, options);
  skeleton_.build(*this, spec, detail::nasbench201_skeleton(options),
                  [&graph](int64_t c) { return Cell(graph, CellOptions(c)); });
}

torch::Tensor NasBench201NetworkImpl::forward(torch::Tensor images) {
  return skeleton_.forward(images,
                           [](Cell& cell, const torch::Tensor& x) { return cell->forward({x}); });
}

NasBench201SupernetImpl::NasBench201SupernetImpl(const NetworkSpec& spec,
                                                 const NasBench201NetworkOptions& options) {
  std::vector<OpSlot> slots(NasBench201Space::kNumEdges,
                            OpSlot::mixed(NasBench201Space::op_names()));
  const Graph graph = nasbench201_cell_graph(slots);
  spec.validate();
  options.validate();
  detail::check_nasbench201_sizes(spec, options);
  skeleton_.build(*this, spec, detail::nasbench201_skeleton(options), [&graph](int64_t c) {
    const auto op_args = OpArgs(c, c).affine(false).track_running_stats(true).conv_bias(true);
    return SupernetCell(graph, CellOptions(c).op_args(op_args));
  });
  // DARTS initialises the architecture parameters as 1e-3 * N(0, 1).
  alphas_ = register_parameter(
      "arch_alphas", 1e-3 * torch::randn({NasBench201Space::kNumEdges, NasBench201Space::kNumOps}));
}

std::vector<std::string> NasBench201SupernetImpl::candidate_ops() const {
  const auto& names = NasBench201Space::op_names();
  return {names.begin(), names.end()};
}

torch::Tensor NasBench201SupernetImpl::forward_weighted(const torch::Tensor& images,
                                                        const std::vector<torch::Tensor>& weights) {
  check_arch_shapes(weights, {alphas_}, "NAS-Bench-201 supernet weights");
  const auto per_edge = weights[0].unbind(0);
  return skeleton_.forward(images, [&per_edge](SupernetCell& cell, const torch::Tensor& x) {
    return cell->forward({x}, per_edge);
  });
}

torch::Tensor NasBench201SupernetImpl::forward_hard(
    const torch::Tensor& images, const std::vector<torch::Tensor>& hard_weights,
    const std::vector<std::vector<int64_t>>& indices) {
  check_arch_shapes(hard_weights, {alphas_}, "NAS-Bench-201 supernet hard weights");
  NASCPP_CHECK(
      indices.size() == 1 && indices[0].size() == static_cast<size_t>(NasBench201Space::kNumEdges),
      "NAS-Bench-201 supernet forward_hard needs one list of 6 indices, got {} lists",
      indices.size());
  const auto per_edge = hard_weights[0].unbind(0);
  return skeleton_.forward(images, [&](SupernetCell& cell, const torch::Tensor& x) {
    return cell->forward_hard({x}, per_edge, indices[0]);
  });
}

std::vector<torch::Tensor> NasBench201SupernetImpl::weight_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    if (item.key() != "arch_alphas") out.push_back(item.value());
  }
  return out;
}

Architecture NasBench201SupernetImpl::derive() const {
  const auto best = alphas_.detach().argmax(1);
  NasBench201Space::Ops ops{};
  for (int e = 0; e < NasBench201Space::kNumEdges; ++e) {
    ops[e] = static_cast<int32_t>(best[e].item<int64_t>());
  }
  return NasBench201Space::from_ops(ops);
}

std::vector<SupernetCell> NasBench201SupernetImpl::cells() const {
  return skeleton_.cells();
}

std::shared_ptr<Network> NasBench201Space::build_network(const Architecture& arch,
                                                         const NetworkSpec& spec) const {
  validate(arch);
  return std::make_shared<NasBench201NetworkImpl>(ops_of(arch), spec, network_options_);
}

std::shared_ptr<Supernet> NasBench201Space::build_supernet(const NetworkSpec& spec) const {
  return std::make_shared<NasBench201SupernetImpl>(spec, network_options_);
}

}  // namespace nascpp

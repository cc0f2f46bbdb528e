#include "search_spaces/darts/network.h"

#include <torch/torch.h>

#include <algorithm>
#include <utility>

#include "nascpp/core/error.h"
#include "nascpp/ops/conv.h"
#include "nascpp/ops/op.h"
#include "nascpp/ops/probe.h"

namespace nascpp {

namespace {

const std::vector<std::string> kStates = {"c_{k-2}", "c_{k-1}", "2", "3", "4", "5"};

Graph darts_graph_skeleton() {
  Graph g;
  g.add_input(kStates[0]).add_input(kStates[1]);
  for (int k = 2; k < 2 + DartsSpace::kNumNodes; ++k) g.add_node(kStates[k]);
  g.add_output("out", Combine::kConcat);
  return g;
}

void add_concat_edges(Graph& g) {
  for (int k = 2; k < 2 + DartsSpace::kNumNodes; ++k) g.add_edge(kStates[k], "out");
}

// The spatial size after a stride-2 op of the DARTS ops (all pad to "same").
int64_t halve(int64_t size) { return (size + 1) / 2; }

}  // namespace

Graph darts_cell_graph(const DartsSpace::CellGenes& genes) {
  Graph g = darts_graph_skeleton();
  for (int p = 0; p < DartsSpace::kPairsPerCell; ++p) {
    g.add_edge(kStates.at(static_cast<size_t>(genes[p].input)), kStates[p / 2 + 2],
               OpSlot::fixed(DartsSpace::op_names().at(static_cast<size_t>(genes[p].op))));
  }
  add_concat_edges(g);
  return g;
}

Graph darts_supernet_cell_graph() {
  Graph g = darts_graph_skeleton();
  for (int k = 2; k < 2 + DartsSpace::kNumNodes; ++k) {
    for (int j = 0; j < k; ++j)
      g.add_edge(kStates[j], kStates[k], OpSlot::mixed(DartsSpace::primitives()));
  }
  add_concat_edges(g);
  return g;
}

// ------------------------------------------------------------ auxiliary head

DartsAuxiliaryHeadImpl::DartsAuxiliaryHeadImpl(int64_t c_in, int64_t size, int64_t num_classes)
    : c_in_(c_in), size_(size), num_classes_(num_classes) {
  reset();
}

void DartsAuxiliaryHeadImpl::reset() {
  namespace nn = torch::nn;
  // DARTS' 5x5/3 pool turns 8x8 (also 9x9, 10x10) into 2x2; other sizes get
  // an adaptive pool to the same 2x2.
  nn::AnyModule pool;
  if (size_ >= 8 && size_ <= 10) {
    pool = nn::AnyModule(
        nn::AvgPool2d(nn::AvgPool2dOptions(5).stride(3).padding(0).count_include_pad(false)));
  } else {
    pool = nn::AnyModule(nn::AdaptiveAvgPool2d(nn::AdaptiveAvgPool2dOptions(2)));
  }
  nn::Sequential features;
  features->push_back(nn::ReLU());
  features->push_back(std::move(pool));
  features->push_back(nn::Conv2d(nn::Conv2dOptions(c_in_, 128, 1).bias(false)));
  features->push_back(nn::BatchNorm2d(128));
  features->push_back(nn::ReLU());
  features->push_back(nn::Conv2d(nn::Conv2dOptions(128, 768, 2).bias(false)));
  features->push_back(nn::BatchNorm2d(768));
  features->push_back(nn::ReLU());
  features_ = register_module("features", features);
  classifier_ = register_module("classifier", nn::Linear(768, num_classes_));
}

torch::Tensor DartsAuxiliaryHeadImpl::forward(const torch::Tensor& x) {
  const torch::Tensor features = forward_layers(*features_, x).flatten(1);
  return report_layer(LayerKind::kLinear, classifier_.get(), features,
                      classifier_->forward(features));
}

// ------------------------------------------------------------------ skeleton

namespace detail {

double darts_parameter_bound(const NetworkSpec& spec, int64_t channels, int64_t layers,
                             int64_t stem_multiplier, bool supernet, bool auxiliary) {
  const auto classes = static_cast<double>(spec.num_classes());
  const double c_stem = static_cast<double>(stem_multiplier) * static_cast<double>(channels);
  double total = 9.0 * static_cast<double>(spec.in_channels()) * c_stem + 2.0 * c_stem;
  double c_prev_prev = c_stem, c_prev = c_stem, c = static_cast<double>(channels);
  // One cell on C = c channels after cells of c_prev_prev and c_prev: both
  // preprocessing ops (1x1 convolutions or FactorizedReduce) with BN, and per
  // edge a 5x5 separable convolution (two depthwise 5x5, two pointwise, two
  // BN) in the network or, in the supernet, every candidate (both separable
  // and both dilated convolutions, FactorizedReduce for a reduction's skip).
  const auto cell = [supernet](double pp, double p, double cc) {
    return pp * cc + p * cc + 4.0 * cc +
           (supernet ? DartsSpace::kNumSupernetEdges * (7.0 * cc * cc + 126.0 * cc)
                     : DartsSpace::kPairsPerCell * (2.0 * cc * cc + 54.0 * cc));
  };
  const int64_t reductions[2] = {layers / 3, 2 * layers / 3};
  // The loop of build() on the channel counts alone; runs of identical
  // normal cells are added at once (layers may be absurd too).
  for (int64_t i = 0; i < layers;) {
    if (i == reductions[0] || i == reductions[1]) c *= 2;
    total += cell(c_prev_prev, c_prev, c);
    c_prev_prev = c_prev;
    c_prev = DartsSpace::kNumNodes * c;
    if (auxiliary && i == reductions[1]) {
      total += 128.0 * c_prev + 256.0 + 4.0 * 128.0 * 768.0 + 1536.0 + 768.0 * classes + classes;
    }
    ++i;
    if (c_prev_prev == c_prev) {
      int64_t next = layers;
      for (const int64_t r : reductions) {
        if (r >= i && r < next) next = r;
      }
      total += static_cast<double>(next - i) * cell(c_prev, c_prev, c);
      i = next;
    }
  }
  return total + c_prev * classes + classes;  // the classifier
}

template <class CellHolder>
template <class MakeCell>
void DartsSkeleton<CellHolder>::build(torch::nn::Module& owner, const NetworkSpec& spec,
                                      int64_t channels, int64_t layers, int64_t stem_multiplier,
                                      bool affine, MakeCell&& make_cell) {
  spec.validate();
  const int64_t c_stem = stem_multiplier * channels;
  stem = owner.register_module(
      "stem",
      torch::nn::Sequential(
          torch::nn::Conv2d(
              torch::nn::Conv2dOptions(spec.in_channels(), c_stem, 3).padding(1).bias(false)),
          torch::nn::BatchNorm2d(c_stem)));
  int64_t c_prev_prev = c_stem, c_prev = c_stem, c = channels;
  int64_t size = spec.image_size();
  bool reduction_prev = false;
  auxiliary_index = 2 * layers / 3;
  for (int64_t i = 0; i < layers; ++i) {
    DartsCellParts<CellHolder> parts;
    parts.reduction = i == layers / 3 || i == 2 * layers / 3;
    if (parts.reduction) c *= 2;
    const std::string name = "cell" + std::to_string(i);
    if (reduction_prev) {
      parts.preprocess0 = make_op("factorized_reduce", OpArgs(c_prev_prev, c, 2).affine(affine));
    } else {
      parts.preprocess0 =
          torch::nn::AnyModule(ReLUConvBN(OpArgs(c_prev_prev, c).affine(affine), 1, 0));
    }
    parts.preprocess1 = torch::nn::AnyModule(ReLUConvBN(OpArgs(c_prev, c).affine(affine), 1, 0));
    owner.register_module(name + "_preprocess0", parts.preprocess0.ptr());
    owner.register_module(name + "_preprocess1", parts.preprocess1.ptr());
    parts.cell = owner.register_module(name, make_cell(c, parts.reduction));
    if (parts.reduction) size = halve(size);
    reduction_prev = parts.reduction;
    c_prev_prev = c_prev;
    c_prev = parts.cell->out_channels();
    if (i == auxiliary_index) {
      auxiliary_channels = c_prev;
      auxiliary_size = size;
    }
    cells.push_back(std::move(parts));
  }
  head = owner.register_module(
      "head", ClassifierHead(ClassifierHeadOptions(c_prev, spec.num_classes()).bn_relu(false)));
}

template <class CellHolder>
template <class CellForward, class AfterCell>
torch::Tensor DartsSkeleton<CellHolder>::forward(const torch::Tensor& images,
                                                 CellForward&& cell_forward,
                                                 AfterCell&& after_cell) {
  torch::Tensor s0 = forward_layers(*stem, images);
  torch::Tensor s1 = s0;
  for (size_t i = 0; i < cells.size(); ++i) {
    auto& parts = cells[i];
    torch::Tensor out =
        cell_forward(parts, parts.preprocess0.forward(s0), parts.preprocess1.forward(s1));
    s0 = std::move(s1);
    s1 = std::move(out);
    after_cell(i, s1);
  }
  return head->forward(s1);
}

}  // namespace detail

// ------------------------------------------------------- evaluation network

DartsNetworkImpl::DartsNetworkImpl(const DartsSpace::CellGenes& normal,
                                   const DartsSpace::CellGenes& reduce, const NetworkSpec& spec,
                                   const DartsNetworkOptions& options) {
  options.validate();
  spec.validate();
  const double c = static_cast<double>(options.channels());
  check_network_memory(
      detail::darts_parameter_bound(spec, options.channels(), options.layers(), 3, false,
                                    options.auxiliary()),
      4.0 * c * static_cast<double>(spec.image_size()) * static_cast<double>(spec.image_size()),
      "darts network",
      fmt::format("channels = {}, layers = {} ({} input channels, {} classes, image size {})",
                  options.channels(), options.layers(), spec.in_channels(), spec.num_classes(),
                  spec.image_size()));
  const Graph normal_graph = darts_cell_graph(normal);
  const Graph reduce_graph = darts_cell_graph(reduce);
  skeleton_.build(*this, spec, options.channels(), options.layers(), /*stem_multiplier=*/3,
                  /*affine=*/true, [&](int64_t c, bool reduction) {
                    auto cell_options = CellOptions(c);
                    if (options.search_cell_ops()) {
                      cell_options.op_args(OpArgs(c, c).affine(false).pool_bn(true));
                    }
                    if (!reduction) return Cell(normal_graph, cell_options);
                    return Cell(reduce_graph,
                                cell_options.edge_strides(reduction_strides(reduce_graph)));
                  });
  if (options.auxiliary()) {
    auxiliary_head_ = register_module(
        "auxiliary_head", DartsAuxiliaryHead(skeleton_.auxiliary_channels, skeleton_.auxiliary_size,
                                             spec.num_classes()));
  }
  set_drop_path_prob(options.drop_path_prob());
}

void DartsNetworkImpl::set_drop_path_prob(double probability) {
  NASCPP_CHECK_CONFIG(probability >= 0.0 && probability < 1.0,
                      "drop-path probability must be in [0, 1), got {}", probability);
  drop_path_prob_ = probability;
  for (auto& parts : skeleton_.cells) parts.cell->set_drop_path_prob(probability);
}

torch::Tensor DartsNetworkImpl::forward(torch::Tensor images) {
  auxiliary_logits_ = torch::Tensor();
  // The head's last batch norm sees 1x1 maps: in training mode it needs more
  // than one image (LibTorch refuses one value per channel). A batch of one
  // (the last of an epoch) trains without the auxiliary loss.
  const bool auxiliary = is_training() && !auxiliary_head_.is_empty() && images.size(0) > 1;
  const auto index = static_cast<size_t>(skeleton_.auxiliary_index);
  return skeleton_.forward(
      images,
      [](detail::DartsCellParts<Cell>& parts, const torch::Tensor& s0, const torch::Tensor& s1) {
        return parts.cell->forward({s0, s1});
      },
      [&](size_t i, const torch::Tensor& s1) {
        if (auxiliary && i == index) auxiliary_logits_ = auxiliary_head_->forward(s1);
      });
}

// ------------------------------------------------------------------ supernet

DartsSupernetImpl::DartsSupernetImpl(const NetworkSpec& spec, const DartsSupernetOptions& options) {
  options.validate();
  spec.validate();
  const double c = static_cast<double>(options.channels());
  check_network_memory(
      detail::darts_parameter_bound(spec, options.channels(), options.layers(),
                                    options.stem_multiplier(), true, false),
      4.0 * c * static_cast<double>(spec.image_size()) * static_cast<double>(spec.image_size()),
      "darts supernet",
      fmt::format("supernet.channels = {}, supernet.layers = {}, supernet.stem_multiplier = {} ({} "
                  "input channels, {} classes, image size {})",
                  options.channels(), options.layers(), options.stem_multiplier(),
                  spec.in_channels(), spec.num_classes(), spec.image_size()));
  const Graph graph = darts_supernet_cell_graph();
  const auto strides = reduction_strides(graph);
  skeleton_.build(*this, spec, options.channels(), options.layers(), options.stem_multiplier(),
                  /*affine=*/false, [&](int64_t c, bool reduction) {
                    const auto op_args = OpArgs(c, c).affine(false).pool_bn(true);
                    auto cell_options = CellOptions(c).op_args(op_args);
                    if (reduction) cell_options.edge_strides(strides);
                    return SupernetCell(graph, cell_options);
                  });
  // DARTS initialises the architecture parameters as 1e-3 * N(0, 1).
  const auto rows = DartsSpace::kNumSupernetEdges;
  const auto cols = static_cast<int64_t>(DartsSpace::primitives().size());
  alphas_[0] = register_parameter("alphas_normal", 1e-3 * torch::randn({rows, cols}));
  alphas_[1] = register_parameter("alphas_reduce", 1e-3 * torch::randn({rows, cols}));
}

std::vector<torch::Tensor> DartsSupernetImpl::weight_parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    if (item.key() != "alphas_normal" && item.key() != "alphas_reduce") {
      out.push_back(item.value());
    }
  }
  return out;
}

torch::Tensor DartsSupernetImpl::forward_weighted(const torch::Tensor& images,
                                                  const std::vector<torch::Tensor>& weights) {
  check_arch_shapes(weights, arch_parameters(), "DARTS supernet weights");
  const std::vector<torch::Tensor> per_edge[2] = {weights[0].unbind(0), weights[1].unbind(0)};
  return skeleton_.forward(
      images,
      [&](detail::DartsCellParts<SupernetCell>& parts, const torch::Tensor& s0,
          const torch::Tensor& s1) {
        return parts.cell->forward({s0, s1}, per_edge[parts.reduction ? 1 : 0]);
      },
      [](size_t, const torch::Tensor&) {});
}

torch::Tensor DartsSupernetImpl::forward_hard(const torch::Tensor& images,
                                              const std::vector<torch::Tensor>& hard_weights,
                                              const std::vector<std::vector<int64_t>>& indices) {
  check_arch_shapes(hard_weights, arch_parameters(), "DARTS supernet hard weights");
  NASCPP_CHECK(indices.size() == 2 &&
                   indices[0].size() == static_cast<size_t>(DartsSpace::kNumSupernetEdges) &&
                   indices[1].size() == static_cast<size_t>(DartsSpace::kNumSupernetEdges),
               "DARTS supernet forward_hard needs two lists (normal, reduce) of {} indices, got "
               "{} list(s)",
               DartsSpace::kNumSupernetEdges, indices.size());
  const std::vector<torch::Tensor> per_edge[2] = {hard_weights[0].unbind(0),
                                                  hard_weights[1].unbind(0)};
  return skeleton_.forward(
      images,
      [&](detail::DartsCellParts<SupernetCell>& parts, const torch::Tensor& s0,
          const torch::Tensor& s1) {
        const int t = parts.reduction ? 1 : 0;
        return parts.cell->forward_hard({s0, s1}, per_edge[t], indices[t]);
      },
      [](size_t, const torch::Tensor&) {});
}

DartsSpace::CellGenes derive_darts_cell(const torch::Tensor& weights) {
  NASCPP_CHECK(weights.dim() == 2 && weights.size(0) == DartsSpace::kNumSupernetEdges &&
                   weights.size(1) == static_cast<int64_t>(DartsSpace::primitives().size()),
               "DARTS derivation needs a [{}, {}] weight matrix", DartsSpace::kNumSupernetEdges,
               DartsSpace::primitives().size());
  const torch::Tensor w = weights.detach().to(torch::kCPU, torch::kDouble).contiguous();
  const auto a = w.accessor<double, 2>();
  const int64_t cols = w.size(1);
  // Column 0 is `none`, which DARTS never keeps.
  auto best_op = [&](int64_t row) {
    int64_t best = 1;
    for (int64_t k = 2; k < cols; ++k) {
      if (a[row][k] > a[row][best]) best = k;
    }
    return best;
  };
  DartsSpace::CellGenes genes{};
  int64_t start = 0;
  for (int node = 0; node < DartsSpace::kNumNodes; ++node) {
    const int inputs = node + 2;
    // Inputs ordered by their strongest non-none weight, descending; a stable
    // sort keeps the earlier input first on ties, as Python's sorted().
    std::vector<int> order(static_cast<size_t>(inputs));
    for (int j = 0; j < inputs; ++j) order[static_cast<size_t>(j)] = j;
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) {
      return a[start + x][best_op(start + x)] > a[start + y][best_op(start + y)];
    });
    for (int k = 0; k < 2; ++k) {
      const int j = order[static_cast<size_t>(k)];
      genes[2 * node + k] = {j, static_cast<int32_t>(best_op(start + j) - 1)};
    }
    start += inputs;
  }
  return genes;
}

Architecture DartsSupernetImpl::derive() const {
  return DartsSpace::from_genes(derive_darts_cell(torch::softmax(alphas_[0].detach(), -1)),
                                derive_darts_cell(torch::softmax(alphas_[1].detach(), -1)));
}

std::vector<SupernetCell> DartsSupernetImpl::cells() const {
  std::vector<SupernetCell> out;
  for (const auto& parts : skeleton_.cells) out.push_back(parts.cell);
  return out;
}

// -------------------------------------------------------------- the space

std::shared_ptr<Network> DartsSpace::build_network(const Architecture& arch,
                                                   const NetworkSpec& spec) const {
  return std::make_shared<DartsNetworkImpl>(
      genes_of(arch, CellType::kNormal), genes_of(arch, CellType::kReduce), spec, network_options_);
}

std::shared_ptr<Supernet> DartsSpace::build_supernet(const NetworkSpec& spec) const {
  return std::make_shared<DartsSupernetImpl>(spec, supernet_options_);
}

}  // namespace nascpp

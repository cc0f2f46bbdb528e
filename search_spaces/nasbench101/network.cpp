#include "search_spaces/nasbench101/network.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nascpp/core/error.h"
#include "nascpp/ops/op.h"
#include "nascpp/ops/probe.h"

namespace nascpp {

std::vector<int64_t> nasbench101_vertex_channels(int64_t in_channels, int64_t out_channels,
                                                 const NasBench101Spec& s) {
  const int n = s.num_vertices;
  std::vector<int64_t> c(static_cast<size_t>(n), 0);
  c[0] = in_channels;
  c[n - 1] = out_channels;
  if (n == 2) return c;
  // In-degree of the output counting interior vertices only (the input's
  // edge to the output goes through its own projection).
  int64_t fan_in = 0;
  for (int v = 1; v < n - 1; ++v) fan_in += s.matrix[v][n - 1];
  NASCPP_ASSERT(fan_in > 0);
  const int64_t share = out_channels / fan_in;
  int64_t remainder = out_channels % fan_in;
  for (int v = 1; v < n - 1; ++v) {
    if (!s.matrix[v][n - 1]) continue;
    c[v] = share;
    if (remainder > 0) {
      ++c[v];
      --remainder;
    }
  }
  // Vertices not feeding the output take the widest of their successors.
  for (int v = n - 3; v >= 1; --v) {
    if (s.matrix[v][n - 1]) continue;
    for (int w = v + 1; w < n - 1; ++w) {
      if (s.matrix[v][w]) c[v] = std::max(c[v], c[w]);
    }
  }
  for (int v = 1; v < n - 1; ++v) {
    NASCPP_CHECK_CONFIG(c[v] > 0,
                        "NAS-Bench-101 cell with {} output channels gives vertex {} no channels; "
                        "use more channels",
                        out_channels, v);
  }
  return c;
}

namespace {

// The parameters of one cell from `c_in` to `c_out` channels: per interior
// vertex its op (a convolution without bias and BN, or a max pool), and a
// 1x1 projection with BN where the input feeds a vertex.
double cell_parameters(const NasBench101Spec& spec, int64_t c_in, int64_t c_out) {
  const auto c = nasbench101_vertex_channels(c_in, c_out, spec);
  const int n = spec.num_vertices;
  double total = 0.0;
  for (int v = 1; v < n; ++v) {
    const auto cv = static_cast<double>(c[v]);
    if (spec.matrix[0][v]) total += static_cast<double>(c_in) * cv + 2.0 * cv;
    if (v == n - 1) continue;
    const int op = spec.ops[v];
    if (op == 0) total += 9.0 * cv * cv + 2.0 * cv;  // conv3x3-bn-relu
    if (op == 1) total += cv * cv + 2.0 * cv;        // conv1x1-bn-relu
  }
  return total;
}

}  // namespace

double nasbench101_parameter_count(const NasBench101Spec& spec, const NetworkSpec& net,
                                   const NasBench101NetworkOptions& options) {
  int64_t c = options.stem_channels();
  const auto cells = static_cast<double>(options.cells_per_stack());
  double total = 9.0 * static_cast<double>(net.in_channels()) * static_cast<double>(c) +
                 2.0 * static_cast<double>(c);  // the stem
  for (int64_t stack = 0; stack < options.num_stacks(); ++stack) {
    if (stack > 0) {
      // Beyond 2^40 channels a cell alone has 2^80 parameters.
      if (c > (int64_t{1} << 40)) return std::numeric_limits<double>::infinity();
      c *= 2;
    }
    const int64_t c_in = stack > 0 ? c / 2 : c;
    total += cell_parameters(spec, c_in, c) + (cells - 1.0) * cell_parameters(spec, c, c);
  }
  const auto classes = static_cast<double>(net.num_classes());
  return total + static_cast<double>(c) * classes + classes;
}

NasBench101CellImpl::NasBench101CellImpl(const NasBench101Spec& spec, int64_t in_channels,
                                         int64_t out_channels)
    : spec_(spec), channels_(nasbench101_vertex_channels(in_channels, out_channels, spec)) {
  const int n = spec_.num_vertices;
  ops_.resize(n);
  input_projections_.resize(n);
  has_projection_.assign(n, false);
  for (int v = 1; v < n; ++v) {
    const bool last = v == n - 1;
    if (spec_.matrix[0][v]) {
      input_projections_[v] = make_op("projection", OpArgs(in_channels, channels_[v]));
      register_module("input_projection" + std::to_string(v), input_projections_[v].ptr());
      has_projection_[v] = true;
    }
    if (!last) {
      const std::string& name = NasBench101Space::op_names().at(spec_.ops[v]);
      ops_[v] = make_op(name, OpArgs(channels_[v], channels_[v]));
      register_module("vertex" + std::to_string(v), ops_[v].ptr());
    }
  }
}

torch::Tensor NasBench101CellImpl::forward(const torch::Tensor& x) {
  const int n = spec_.num_vertices;
  std::vector<torch::Tensor> values(static_cast<size_t>(n));
  values[0] = x;
  std::vector<torch::Tensor> concat;
  for (int t = 1; t < n - 1; ++t) {
    torch::Tensor sum;
    auto add = [&sum](const torch::Tensor& y) { sum = sum.defined() ? sum + y : y; };
    for (int src = 1; src < t; ++src) {
      // Earlier vertices have at least as many channels (at most one more).
      if (spec_.matrix[src][t]) add(values[src].narrow(1, 0, channels_[t]));
    }
    if (has_projection_[t]) add(input_projections_[t].forward(x));
    values[t] = ops_[t].forward(sum);
    if (spec_.matrix[t][n - 1]) concat.push_back(values[t]);
  }
  if (concat.empty()) return input_projections_[n - 1].forward(x);
  torch::Tensor out = concat.size() == 1 ? concat[0] : torch::cat(concat, 1);
  if (has_projection_[n - 1]) out = out + input_projections_[n - 1].forward(x);
  return out;
}

NasBench101NetworkImpl::NasBench101NetworkImpl(const NasBench101Spec& spec, const NetworkSpec& net,
                                               const NasBench101NetworkOptions& options) {
  net.validate();
  options.validate();
  // Max pools with ceil_mode take any image size down to 1x1; what can fail
  // is memory.
  const auto size = static_cast<double>(net.image_size());
  check_network_memory(
      nasbench101_parameter_count(spec, net, options),
      static_cast<double>(options.stem_channels()) * size * size, "nasbench101 network",
      fmt::format("stem_channels = {}, num_stacks = {}, cells_per_stack = {} ({} input channels, "
                  "{} classes, image size {})",
                  options.stem_channels(), options.num_stacks(), options.cells_per_stack(),
                  net.in_channels(), net.num_classes(), net.image_size()));
  int64_t c = options.stem_channels();
  stem_ = make_op("conv3x3-bn-relu", OpArgs(net.in_channels(), c));
  register_module("stem", stem_.ptr());
  for (int64_t stack = 0; stack < options.num_stacks(); ++stack) {
    if (stack > 0) {
      pool_before_.push_back(cells_.size());
      c *= 2;
    }
    for (int64_t i = 0; i < options.cells_per_stack(); ++i) {
      // The first cell of a stack after the pool maps c/2 to c channels.
      const int64_t c_in = (stack > 0 && i == 0) ? c / 2 : c;
      cells_.push_back(
          register_module("stack" + std::to_string(stack) + "_cell" + std::to_string(i),
                          NasBench101Cell(spec, c_in, c)));
    }
  }
  head_ = register_module(
      "head", ClassifierHead(ClassifierHeadOptions(c, net.num_classes()).bn_relu(false)));
  // The original's BatchNorm (TensorFlow momentum 0.997, epsilon 1e-5).
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
      bn->options.momentum(options.bn_momentum());
      bn->options.eps(options.bn_eps());
    }
  }
}

torch::Tensor NasBench101NetworkImpl::forward(torch::Tensor images) {
  auto x = stem_.forward(images);
  size_t next_pool = 0;
  for (size_t i = 0; i < cells_.size(); ++i) {
    if (next_pool < pool_before_.size() && pool_before_[next_pool] == i) {
      // TensorFlow's 'same' 2x2/2 pooling gives ceil(H / 2), as ceil_mode does.
      x = report_layer(LayerKind::kMaxPool, nullptr, x,
                       torch::max_pool2d(x, {2, 2}, {2, 2}, {0, 0}, {1, 1}, /*ceil_mode=*/true));
      ++next_pool;
    }
    x = cells_[i]->forward(x);
  }
  return head_->forward(x);
}

std::shared_ptr<Network> NasBench101Space::build_network(const Architecture& arch,
                                                         const NetworkSpec& spec) const {
  return std::make_shared<NasBench101NetworkImpl>(spec_of(arch), spec, network_options_);
}

}  // namespace nascpp

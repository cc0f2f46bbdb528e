#include "nascpp/graph/cell.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

torch::Tensor drop_path(const torch::Tensor& x, double probability) {
  NASCPP_CHECK(probability >= 0.0 && probability < 1.0,
               "drop-path probability must be in [0, 1), got {}", probability);
  if (probability == 0.0) return x;
  const double keep = 1.0 - probability;
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[0] = x.size(0);
  const torch::Tensor mask = torch::bernoulli(torch::full(shape, keep, x.options()));
  return x * (mask / keep);
}

namespace {

OpArgs slot_args(const CellOptions& options, int64_t c_in, int64_t stride) {
  OpArgs args = options.op_args();
  args.c_in(c_in).c_out(options.channels()).stride(stride);
  return args;
}

// Builds an op, prefixing the caller's mistakes with the element they concern.
template <class Build>
auto build_for(const std::string& where, Build&& build) {
  try {
    return build();
  } catch (const ConfigError& e) {
    throw ConfigError(where + ": " + e.what());
  }
}

// Runs a compiled graph: `edge_fn(e, x)` and `node_fn(i, x)` apply the op of
// edge e / node i (or pass x through).
template <class EdgeFn, class NodeFn>
torch::Tensor evaluate(const Graph& graph, const detail::CellPlan& plan, int64_t channels,
                       const std::vector<torch::Tensor>& inputs, EdgeFn&& edge_fn,
                       NodeFn&& node_fn) {
  const auto& nodes = graph.nodes();
  NASCPP_CHECK(inputs.size() == plan.inputs.size(),
               "the cell takes {} input tensor(s) (input nodes {}), got {}", plan.inputs.size(),
               join(graph.inputs()), inputs.size());
  std::vector<torch::Tensor> values(nodes.size());
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    const torch::Tensor& x = inputs[k];
    const std::string& name = nodes[plan.inputs[k]].name;
    NASCPP_CHECK(x.defined() && x.dim() == 4 && x.size(1) == channels,
                 "input node '{}' expects a [N, {}, H, W] tensor, got {} dimension(s){}", name,
                 channels, x.defined() ? x.dim() : 0,
                 x.defined() && x.dim() > 1 ? fmt::format(" with {} channels", x.size(1)) : "");
  }
  for (size_t k = 0; k < plan.inputs.size(); ++k) {
    values[plan.inputs[k]] = node_fn(plan.inputs[k], inputs[k]);
  }
  for (const size_t i : plan.order) {
    if (nodes[i].role == NodeRole::kInput) continue;
    std::vector<torch::Tensor> arriving;
    arriving.reserve(plan.in_edges[i].size());
    for (const size_t e : plan.in_edges[i]) {
      arriving.push_back(edge_fn(e, values[plan.edge_from[e]]));
    }
    torch::Tensor combined;
    if (nodes[i].combine == Combine::kConcat) {
      combined = torch::cat(arriving, /*dim=*/1);
    } else {
      combined = arriving.front();
      for (size_t k = 1; k < arriving.size(); ++k) combined = combined + arriving[k];
    }
    values[i] = node_fn(i, combined);
  }
  return values[plan.output];
}

torch::Tensor apply_op(torch::nn::AnyModule& op, const torch::Tensor& x) {
  return op.is_empty() ? x : op.forward(x);
}

}  // namespace

// --------------------------------------------------------------------- Cell

CellImpl::CellImpl(Graph graph, CellOptions options)
    : graph_(std::move(graph)), options_(std::move(options)) {
  graph_.validate(op_registry(), MixedSlots::kRequireChosen);
  plan_ = detail::CellPlan::make(graph_, options_);
  reset();
}

void CellImpl::reset() {
  const auto& nodes = graph_.nodes();
  const auto& edges = graph_.edges();
  edge_ops_.assign(edges.size(), torch::nn::AnyModule());
  node_ops_.assign(nodes.size(), torch::nn::AnyModule());
  edge_droppable_.assign(edges.size(), 0);
  for (size_t e = 0; e < edges.size(); ++e) {
    if (edges[e].op.empty()) continue;
    const std::string where = "edge '" + edges[e].label() + "'";
    edge_ops_[e] = build_for(where, [&] {
      return make_op(edges[e].op.op(),
                     slot_args(options_, plan_.edge_c_in[e], plan_.edge_stride[e]));
    });
    register_module("edge" + std::to_string(e), edge_ops_[e].ptr());
    edge_droppable_[e] = edge_ops_[e].ptr()->as<torch::nn::Identity>() == nullptr ? 1 : 0;
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].op.empty()) continue;
    const std::string where = "node '" + nodes[i].name + "'";
    node_ops_[i] = build_for(where, [&] {
      return make_op(nodes[i].op.op(), slot_args(options_, plan_.node_c_in[i], 1));
    });
    register_module("node" + std::to_string(i), node_ops_[i].ptr());
  }
}

void CellImpl::set_drop_path_prob(double probability) {
  NASCPP_CHECK(probability >= 0.0 && probability < 1.0,
               "drop-path probability must be in [0, 1), got {}", probability);
  drop_path_prob_ = probability;
}

torch::Tensor CellImpl::forward(const std::vector<torch::Tensor>& inputs) {
  const bool drop = is_training() && drop_path_prob_ > 0.0;
  return evaluate(
      graph_, plan_, options_.channels(), inputs,
      [this, drop](size_t e, const torch::Tensor& x) {
        torch::Tensor y = apply_op(edge_ops_[e], x);
        return drop && edge_droppable_[e] ? drop_path(y, drop_path_prob_) : y;
      },
      [this](size_t i, const torch::Tensor& x) { return apply_op(node_ops_[i], x); });
}

// ------------------------------------------------------------- SupernetCell

SupernetCellImpl::SupernetCellImpl(Graph graph, CellOptions options)
    : graph_(std::move(graph)), options_(std::move(options)) {
  graph_.validate(op_registry(), MixedSlots::kAllow);
  plan_ = detail::CellPlan::make(graph_, options_);
  slots_ = graph_.mixed_slots();
  reset();
}

void SupernetCellImpl::reset() {
  const auto& nodes = graph_.nodes();
  const auto& edges = graph_.edges();
  edge_ops_.assign(edges.size(), torch::nn::AnyModule());
  node_ops_.assign(nodes.size(), torch::nn::AnyModule());
  edge_mixed_.assign(edges.size(), -1);
  node_mixed_.assign(nodes.size(), -1);
  mixed_.clear();
  for (size_t k = 0; k < slots_.size(); ++k) {
    const bool on_edge = slots_[k].kind == SlotRef::Kind::kEdge;
    const size_t i = slots_[k].index;
    const OpArgs args = on_edge ? slot_args(options_, plan_.edge_c_in[i], plan_.edge_stride[i])
                                : slot_args(options_, plan_.node_c_in[i], 1);
    mixed_.push_back(build_for(graph_.describe(slots_[k]),
                               [&] { return MixedOp(graph_.slot(slots_[k]).candidates(), args); }));
    (on_edge ? edge_mixed_ : node_mixed_)[i] = static_cast<int64_t>(k);
    register_module((on_edge ? "edge" : "node") + std::to_string(i), mixed_.back());
  }
  for (size_t e = 0; e < edges.size(); ++e) {
    if (!edges[e].op.is_fixed()) continue;
    edge_ops_[e] = build_for("edge '" + edges[e].label() + "'", [&] {
      return make_op(edges[e].op.op(),
                     slot_args(options_, plan_.edge_c_in[e], plan_.edge_stride[e]));
    });
    register_module("edge" + std::to_string(e), edge_ops_[e].ptr());
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].op.is_fixed()) continue;
    node_ops_[i] = build_for("node '" + nodes[i].name + "'", [&] {
      return make_op(nodes[i].op.op(), slot_args(options_, plan_.node_c_in[i], 1));
    });
    register_module("node" + std::to_string(i), node_ops_[i].ptr());
  }
}

MixedOp& SupernetCellImpl::mixed_op(size_t k) {
  NASCPP_CHECK(k < mixed_.size(), "mixed slot {} is out of range ({} mixed slots)", k,
               mixed_.size());
  return mixed_[k];
}

template <class SlotFn>
torch::Tensor SupernetCellImpl::run(const std::vector<torch::Tensor>& inputs,
                                    SlotFn&& apply_mixed) {
  return evaluate(
      graph_, plan_, options_.channels(), inputs,
      [&](size_t e, const torch::Tensor& x) {
        const int64_t k = edge_mixed_[e];
        return k >= 0 ? apply_mixed(static_cast<size_t>(k), x) : apply_op(edge_ops_[e], x);
      },
      [&](size_t i, const torch::Tensor& x) {
        const int64_t k = node_mixed_[i];
        return k >= 0 ? apply_mixed(static_cast<size_t>(k), x) : apply_op(node_ops_[i], x);
      });
}

namespace {

void check_count(size_t got, size_t expected, const char* what) {
  NASCPP_CHECK(got == expected, "the supernet cell has {} mixed slot(s) but got {} {}", expected,
               got, what);
}

}  // namespace

torch::Tensor SupernetCellImpl::forward(const std::vector<torch::Tensor>& inputs,
                                        const std::vector<torch::Tensor>& weights) {
  check_count(weights.size(), slots_.size(), "weight tensor(s)");
  for (size_t k = 0; k < slots_.size(); ++k) {
    const auto& w = weights[k];
    NASCPP_CHECK(w.defined() && w.dim() == 1 && w.size(0) == mixed_[k]->size(),
                 "{}: weights must be 1-D with {} entries, one per candidate",
                 graph_.describe(slots_[k]), mixed_[k]->size());
  }
  return run(inputs,
             [&](size_t k, const torch::Tensor& x) { return mixed_[k]->forward(x, weights[k]); });
}

torch::Tensor SupernetCellImpl::forward_hard(const std::vector<torch::Tensor>& inputs,
                                             const std::vector<torch::Tensor>& hard_weights,
                                             const std::vector<int64_t>& indices) {
  check_count(hard_weights.size(), slots_.size(), "hard weight tensor(s)");
  check_count(indices.size(), slots_.size(), "indices");
  return run(inputs, [&](size_t k, const torch::Tensor& x) {
    return mixed_[k]->forward_hard(x, hard_weights[k], indices[k]);
  });
}

torch::Tensor SupernetCellImpl::forward_index(const std::vector<torch::Tensor>& inputs,
                                              const std::vector<int64_t>& indices) {
  check_count(indices.size(), slots_.size(), "indices");
  return run(inputs, [&](size_t k, const torch::Tensor& x) {
    return mixed_[k]->forward_index(x, indices[k]);
  });
}

}  // namespace nascpp

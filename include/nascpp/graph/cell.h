#pragma once
/// Compiling a Graph into LibTorch modules: `Cell` (every slot fixed or
/// chosen) and `SupernetCell` (mixed slots become MixedOps, driven by
/// per-slot architecture weights).
///
///     nascpp::Cell cell(graph, nascpp::CellOptions(16));
///     torch::Tensor y = cell->forward({x});          // x: [N, 16, H, W]
///
///     nascpp::SupernetCell super(supernet_graph,
///         nascpp::CellOptions(16).op_args(nascpp::OpArgs(1, 1).affine(false)));
///     auto weights = torch::softmax(alphas, -1).unbind(0);  // one per mixed slot
///     torch::Tensor z = super->forward({x}, weights);
///
/// Semantics: input node k receives `inputs[k]` (inputs in graph order, each
/// with `channels` channels) and applies its op, if any. Every other node
/// combines the tensors on its incoming edges (sum, or concat along channels in
/// edge order) and then applies its op. An edge applies its op, or passes the
/// tensor through when it has none. The output node's result is the cell's
/// output. Each op maps the channels it receives to `channels` (so a concat
/// node followed by an op edge works); edges without ops keep the channels.

#include <torch/nn/cloneable.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "nascpp/core/options.h"
#include "nascpp/graph/graph.h"
#include "nascpp/ops/mixed_op.h"
#include "nascpp/ops/op.h"

namespace nascpp {

/// How a Graph is compiled into a cell.
struct CellOptions {
  explicit CellOptions(int64_t channels) : channels_(channels) {}
  /// Channels of every input and of every op's output (C).
  NASCPP_ARG(int64_t, channels);
  /// Stride of each edge in `Graph::edges()` order (1 or 2); empty means all 1.
  /// A stride-2 edge must carry an op, and all inputs of a node must arrive at
  /// the same resolution. `reduction_strides(graph)` gives DARTS' reduction
  /// cell: stride 2 on the edges leaving input nodes.
  NASCPP_ARG(std::vector<int64_t>, edge_strides);
  /// Flags for every op (affine, track_running_stats, conv_bias, pool_bn); its
  /// channels and stride are replaced per slot.
  NASCPP_ARG(OpArgs, op_args) = OpArgs(1, 1);
};

/// Stride 2 on every edge leaving an input node, 1 elsewhere.
std::vector<int64_t> reduction_strides(const Graph& graph);

/// Drop path (DARTS' `utils.drop_path`): each sample of `x` [N, ...] is
/// zeroed with probability `probability`, the others are scaled by
/// 1 / (1 - probability); a fresh mask per call from torch's generator.
torch::Tensor drop_path(const torch::Tensor& x, double probability);

namespace detail {

/// The evaluation plan shared by Cell and SupernetCell: computed once from a
/// validated graph, it also checks channels and resolutions.
struct CellPlan {
  std::vector<size_t> order;                  ///< node indices, topological
  std::vector<std::vector<size_t>> in_edges;  ///< per node: incoming edge indices
  std::vector<size_t> inputs;                 ///< input node indices, graph order
  size_t output = 0;                          ///< the output node's index
  std::vector<size_t> edge_from;              ///< per edge: source node index
  std::vector<int64_t> edge_stride;           ///< per edge
  std::vector<int64_t> edge_c_in;             ///< per edge: channels it receives
  std::vector<int64_t> edge_c_out;            ///< per edge: channels it passes on
  std::vector<int64_t> node_c_in;             ///< per node: channels after combining
  std::vector<int64_t> node_c_out;            ///< per node: channels after its op

  /// Throws ConfigError naming the node or edge whose shapes do not fit.
  static CellPlan make(const Graph& graph, const CellOptions& options);
};

}  // namespace detail

/// A cell compiled from a Graph whose slots are all empty, fixed or chosen.
/// Its ops are registered as `edge<i>` / `node<i>` (i: index in the graph).
class CellImpl : public torch::nn::Cloneable<CellImpl> {
 public:
  /// Validates `graph` (MixedSlots::kRequireChosen) and builds every op.
  CellImpl(Graph graph, CellOptions options);
  void reset() override;

  /// One tensor per input node, in graph order, each [N, channels, H, W];
  /// returns [N, out_channels(), H', W'] (H' = H/2 in a reduction cell).
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs);

  const Graph& graph() const { return graph_; }
  const CellOptions& options() const { return options_; }
  /// Channels of the output (channels, or k * channels for a k-way concat).
  int64_t out_channels() const { return plan_.node_c_out[plan_.output]; }

  /// Drop-path probability in [0, 1) (DARTS' evaluation cell): in training
  /// mode, when it is > 0, `drop_path` is applied to the output of every edge
  /// op that is not an identity (edges without an op are left alone). 0 by
  /// default; eval mode never drops.
  void set_drop_path_prob(double probability);
  double drop_path_prob() const { return drop_path_prob_; }

 private:
  Graph graph_;
  CellOptions options_;
  detail::CellPlan plan_;
  std::vector<torch::nn::AnyModule> edge_ops_;  // empty module: identity
  std::vector<torch::nn::AnyModule> node_ops_;
  std::vector<char> edge_droppable_;  // per edge: an op that is not an identity
  double drop_path_prob_ = 0.0;
};
TORCH_MODULE(Cell);

/// A one-shot supernet cell: every mixed slot of the graph becomes a MixedOp
/// over its candidates (any choice is ignored), fixed slots become their op.
/// The k-th weight vector belongs to `graph.mixed_slots()[k]` (mixed edges in
/// edge order, then mixed nodes). MixedOps are registered as `edge<i>` /
/// `node<i>` like the ops of a Cell.
class SupernetCellImpl : public torch::nn::Cloneable<SupernetCellImpl> {
 public:
  /// Validates `graph` (MixedSlots::kAllow) and builds every candidate.
  SupernetCellImpl(Graph graph, CellOptions options);
  void reset() override;

  /// DARTS: every mixed slot computes sum_i weights[k][i] * op_i.
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs,
                        const std::vector<torch::Tensor>& weights);
  /// GDAS: mixed slot k computes only candidate indices[k], with the
  /// straight-through combination of `MixedOp::forward_hard`.
  torch::Tensor forward_hard(const std::vector<torch::Tensor>& inputs,
                             const std::vector<torch::Tensor>& hard_weights,
                             const std::vector<int64_t>& indices);
  /// One sampled architecture: mixed slot k runs only candidate indices[k].
  torch::Tensor forward_index(const std::vector<torch::Tensor>& inputs,
                              const std::vector<int64_t>& indices);

  const Graph& graph() const { return graph_; }
  const CellOptions& options() const { return options_; }
  int64_t out_channels() const { return plan_.node_c_out[plan_.output]; }
  /// The mixed slots, in weight order.
  const std::vector<SlotRef>& mixed_slots() const { return slots_; }
  /// The MixedOp of mixed slot k.
  MixedOp& mixed_op(size_t k);

 private:
  template <class SlotFn>
  torch::Tensor run(const std::vector<torch::Tensor>& inputs, SlotFn&& apply_mixed);

  Graph graph_;
  CellOptions options_;
  detail::CellPlan plan_;
  std::vector<SlotRef> slots_;
  std::vector<torch::nn::AnyModule> edge_ops_;  // fixed slots; empty module otherwise
  std::vector<torch::nn::AnyModule> node_ops_;
  std::vector<MixedOp> mixed_;       // one per mixed slot
  std::vector<int64_t> edge_mixed_;  // per edge: index into mixed_, or -1
  std::vector<int64_t> node_mixed_;  // per node: index into mixed_, or -1
};
TORCH_MODULE(SupernetCell);

}  // namespace nascpp

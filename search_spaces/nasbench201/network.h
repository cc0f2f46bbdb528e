#pragma once
/// NAS-Bench-201 networks (Dong & Yang 2020, Sec. 2.1, Fig. 1): a 3x3 conv
/// stem with BN; three stages of N cells at C, 2C and 4C channels with a
/// stride-2 ResNet basic block between stages; BN, ReLU, global average
/// pooling and a linear classifier: the public StagedSkeleton with its
/// nasbench201() preset (nascpp/graph/skeleton.h). The cell is compiled from
/// a `Graph`.

#include <cstdint>
#include <vector>

#include "nascpp/graph/cell.h"
#include "nascpp/graph/graph.h"
#include "nascpp/graph/skeleton.h"
#include "nascpp/network.h"
#include "nascpp/ops/op.h"
#include "nascpp/supernet.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace nascpp {

/// The NAS-Bench-201 cell as a Graph: input "0", nodes "1" and "2", output
/// "3", all summing; edge j -> i carries `slot_for(edge index)`.
Graph nasbench201_cell_graph(const std::vector<OpSlot>& edge_slots);

namespace detail {

/// The skeleton layout of these options: SkeletonOptions::nasbench201() with
/// their channels and cells per stage.
SkeletonOptions nasbench201_skeleton(const NasBench201NetworkOptions& options);

/// At least the trainable parameters of the largest network (or the
/// supernet) of these sizes: stem, 3 x cells_per_stage cells of six edges
/// each counted as a 3x3 plus a 1x1 convolution with their BN or bias, the
/// two ResNet reduction blocks and the head. A double: sizes given by a user
/// may be absurd.
double nasbench201_parameter_bound(const NetworkSpec& spec,
                                   const NasBench201NetworkOptions& options);

/// Throws ConfigError, before anything is allocated, for sizes the skeleton
/// cannot be built or run with: an image size that is not a multiple of 4
/// (each of the two reduction blocks adds a 2x2 average pool of the input to
/// a stride-2 3x3 convolution of it, which only agree on even sizes), or a
/// network that does not fit in memory (check_network_memory).
void check_nasbench201_sizes(const NetworkSpec& spec, const NasBench201NetworkOptions& options);

}  // namespace detail

/// A network for one architecture (every edge a fixed op).
class NasBench201NetworkImpl : public Network {
 public:
  NasBench201NetworkImpl(const NasBench201Space::Ops& ops, const NetworkSpec& spec,
                         const NasBench201NetworkOptions& options);
  torch::Tensor forward(torch::Tensor images) override;

 private:
  StagedSkeleton<Cell> skeleton_;
};

/// The one-shot supernet: every edge a mixed op over the five candidates,
/// with non-affine BN (and, as in NAS-Bench-201's code, conv bias where BN is
/// not affine). One architecture-parameter matrix [6 edges, 5 ops] is shared
/// by all cells; it is registered as the parameter "arch_alphas" and kept out
/// of `weight_parameters()`.
class NasBench201SupernetImpl : public Supernet {
 public:
  NasBench201SupernetImpl(const NetworkSpec& spec, const NasBench201NetworkOptions& options);

  /// {"cell"}: one architecture matrix shared by all cells.
  std::vector<std::string> cell_types() const override { return {"cell"}; }
  /// The five NAS-Bench-201 ops in index order.
  std::vector<std::string> candidate_ops() const override;
  /// One tensor, the architecture parameters [6, 5].
  std::vector<torch::Tensor> arch_parameters() const override { return {alphas_}; }
  std::vector<torch::Tensor> weight_parameters() const override;

  using Supernet::forward;
  /// Each edge e computes sum_i weights[0][e][i] * op_i (weights {[6, 5]}).
  torch::Tensor forward_weighted(const torch::Tensor& images,
                                 const std::vector<torch::Tensor>& weights) override;
  /// GDAS: edge e computes only candidate indices[0][e], scaled by
  /// hard_weights[0][e][indices[0][e]].
  torch::Tensor forward_hard(const torch::Tensor& images,
                             const std::vector<torch::Tensor>& hard_weights,
                             const std::vector<std::vector<int64_t>>& indices) override;

  /// Discretisation: the strongest op of each edge.
  Architecture derive() const override;
  /// The supernet cells (for inspecting their mixed ops).
  std::vector<SupernetCell> cells() const;

 private:
  StagedSkeleton<SupernetCell> skeleton_;
  torch::Tensor alphas_;
};
TORCH_MODULE(NasBench201Supernet);

}  // namespace nascpp

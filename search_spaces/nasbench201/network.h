#pragma once
/// NAS-Bench-201 networks (Dong & Yang 2020, Sec. 2.1, Fig. 1): a 3x3 conv
/// stem with BN; three stages of N cells at C, 2C and 4C channels with a
/// stride-2 ResNet basic block between stages; BN, ReLU, global average
/// pooling and a linear classifier. The cell is compiled from a `Graph`.

#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <vector>

#include "nascpp/graph/cell.h"
#include "nascpp/graph/graph.h"
#include "nascpp/network.h"
#include "nascpp/ops/head.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace nascpp {

/// The NAS-Bench-201 cell as a Graph: input "0", nodes "1" and "2", output
/// "3", all summing; edge j -> i carries `slot_for(edge index)`.
Graph nasbench201_cell_graph(const std::vector<OpSlot>& edge_slots);

/// A network for one architecture (every edge a fixed op).
class NasBench201NetworkImpl : public Network {
 public:
  NasBench201NetworkImpl(const NasBench201Space::Ops& ops, const NetworkSpec& spec,
                         const NasBench201NetworkOptions& options);
  torch::Tensor forward(torch::Tensor images) override;

 private:
  torch::nn::Sequential stem_{nullptr};
  std::vector<std::vector<Cell>> stages_;
  std::vector<torch::nn::AnyModule> reductions_;
  ClassifierHead head_{nullptr};
};

/// The one-shot supernet: every edge a mixed op over the five candidates,
/// with non-affine BN (and, as in NAS-Bench-201's code, conv bias where BN is
/// not affine). One architecture-parameter matrix [6 edges, 5 ops] is shared
/// by all cells; it is registered as the parameter "arch_alphas" and kept out
/// of `weight_parameters()`.
class NasBench201SupernetImpl : public torch::nn::Module {
 public:
  NasBench201SupernetImpl(const NetworkSpec& spec, const NasBench201NetworkOptions& options);

  /// DARTS: each edge computes the softmax(alphas)-weighted sum of its ops.
  torch::Tensor forward(torch::Tensor images);
  /// Each edge computes sum_i weights[edge][i] * op_i (weights [6, 5]).
  torch::Tensor forward_weighted(torch::Tensor images, const torch::Tensor& weights);
  /// GDAS: edge e computes only candidate indices[e], scaled by
  /// hard_weights[e][indices[e]] (straight-through; hard_weights [6, 5]).
  torch::Tensor forward_hard(torch::Tensor images, const torch::Tensor& hard_weights,
                             const std::vector<int64_t>& indices);

  /// The architecture parameters [6, 5].
  torch::Tensor& arch_parameters() { return alphas_; }
  /// Every parameter except the architecture parameters.
  std::vector<torch::Tensor> weight_parameters() const;
  /// Discretisation: the strongest op of each edge.
  Architecture derive() const;
  /// The supernet cells (for inspecting their mixed ops).
  std::vector<SupernetCell> cells() const;

 private:
  template <class CellFn>
  torch::Tensor run(torch::Tensor images, CellFn&& cell_forward);

  torch::nn::Sequential stem_{nullptr};
  std::vector<std::vector<SupernetCell>> stages_;
  std::vector<torch::nn::AnyModule> reductions_;
  ClassifierHead head_{nullptr};
  torch::Tensor alphas_;
};
TORCH_MODULE(NasBench201Supernet);

}  // namespace nascpp

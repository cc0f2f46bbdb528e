#pragma once
/// DARTS networks (Liu et al. 2019; quark0/darts `cnn/model.py` and
/// `cnn/model_search.py`): the evaluation network NetworkCIFAR and the search
/// supernet. Both: a 3x3 conv stem (stem multiplier x C channels) with BN;
/// `layers` cells, the ones at layers/3 and 2*layers/3 reduction cells that
/// double the channels and halve the resolution; each cell preprocesses its two
/// inputs (the outputs of the two previous cells) to C channels
/// (FactorizedReduce for c_{k-2} after a reduction cell, else ReLU-Conv1x1-BN),
/// runs the cell Graph and concatenates its 4 intermediate nodes; global
/// average pooling and a linear classifier.

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/graph/cell.h"
#include "nascpp/graph/graph.h"
#include "nascpp/network.h"
#include "nascpp/ops/head.h"
#include "nascpp/supernet.h"
#include "search_spaces/darts/darts.h"

namespace nascpp {

/// The DARTS cell of `genes` as a Graph: inputs "c_{k-2}", "c_{k-1}",
/// intermediate nodes "2".."5" (summing), output "out" concatenating them;
/// pair p is the edge genes[p].input -> node p/2 + 2 with its fixed op.
Graph darts_cell_graph(const DartsSpace::CellGenes& genes);
/// The supernet cell Graph: node k has a mixed edge over `DartsSpace::primitives()`
/// from every earlier state, in DARTS' order (node 2: 0, 1; node 3: 0, 1, 2;
/// ...): 14 mixed edges, then the 4 plain edges into "out".
Graph darts_supernet_cell_graph();

/// DARTS' AuxiliaryHeadCIFAR: ReLU, 5x5 average pool with stride 3 (no
/// padding, count_include_pad = false), Conv1x1(C, 128) + BN + ReLU,
/// Conv2x2(128, 768) + BN + ReLU, Linear(768, classes). It assumes an 8x8
/// input (CIFAR); for feature maps whose pool would not give 2x2 (e.g. 7x7 for
/// 28x28 images) an adaptive average pool to 2x2 replaces the 5x5 pool.
/// Parameters: 128*C + 2*128 + 4*128*768 + 2*768 + 768*classes + classes.
class DartsAuxiliaryHeadImpl : public torch::nn::Cloneable<DartsAuxiliaryHeadImpl> {
 public:
  /// `c_in` channels of a `size` x `size` feature map.
  DartsAuxiliaryHeadImpl(int64_t c_in, int64_t size, int64_t num_classes);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

 private:
  int64_t c_in_;
  int64_t size_;
  int64_t num_classes_;
  torch::nn::Sequential features_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(DartsAuxiliaryHead);

namespace detail {

/// One DARTS cell with its two preprocessing ops; `CellHolder` is Cell or
/// SupernetCell.
template <class CellHolder>
struct DartsCellParts {
  torch::nn::AnyModule preprocess0;
  torch::nn::AnyModule preprocess1;
  CellHolder cell{nullptr};
  bool reduction = false;
};

/// The macro skeleton shared by the evaluation network and the supernet (see
/// the file comment). Modules are registered on `owner` as "stem",
/// "cell<i>_preprocess0", "cell<i>_preprocess1", "cell<i>", "head".
template <class CellHolder>
struct DartsSkeleton {
  torch::nn::Sequential stem{nullptr};
  std::vector<DartsCellParts<CellHolder>> cells;
  ClassifierHead head{nullptr};
  /// Index of the cell after which the auxiliary head sits (2*layers/3).
  int64_t auxiliary_index = 0;
  /// Channels and resolution of that cell's output.
  int64_t auxiliary_channels = 0;
  int64_t auxiliary_size = 0;

  /// `make_cell(c, reduction)` builds one cell of C = c channels; `affine`
  /// is the preprocessing ops' BN flag (false in the supernet).
  template <class MakeCell>
  void build(torch::nn::Module& owner, const NetworkSpec& spec, int64_t channels, int64_t layers,
             int64_t stem_multiplier, bool affine, MakeCell&& make_cell);

  /// Logits of `images`; `cell_forward(parts, s0, s1)` runs one cell on its
  /// preprocessed inputs; `after_cell(i, s1)` sees each cell's output.
  template <class CellForward, class AfterCell>
  torch::Tensor forward(const torch::Tensor& images, CellForward&& cell_forward,
                        AfterCell&& after_cell);
};

/// At least the trainable parameters of the largest DARTS network (every
/// edge a 5x5 separable convolution) or, with `supernet`, of the supernet
/// (every edge all candidates) of these sizes, with the auxiliary head when
/// `auxiliary`. A double: sizes given by a user may be absurd.
double darts_parameter_bound(const NetworkSpec& spec, int64_t channels, int64_t layers,
                             int64_t stem_multiplier, bool supernet, bool auxiliary);

}  // namespace detail

/// The evaluation network (DARTS' NetworkCIFAR) for one architecture.
class DartsNetworkImpl : public Network {
 public:
  DartsNetworkImpl(const DartsSpace::CellGenes& normal, const DartsSpace::CellGenes& reduce,
                   const NetworkSpec& spec, const DartsNetworkOptions& options);
  torch::Tensor forward(torch::Tensor images) override;

  /// The auxiliary logits of the last training-mode forward (undefined after
  /// an eval-mode forward or without auxiliary head).
  torch::Tensor auxiliary_logits() const override { return auxiliary_logits_; }
  /// Sets the drop-path probability of every cell.
  void set_drop_path_prob(double probability) override;
  bool has_auxiliary_head() const override { return !auxiliary_head_.is_empty(); }
  double drop_path_prob() const { return drop_path_prob_; }

 private:
  detail::DartsSkeleton<Cell> skeleton_;
  DartsAuxiliaryHead auxiliary_head_{nullptr};
  torch::Tensor auxiliary_logits_;
  double drop_path_prob_ = 0.0;
};

/// The DARTS search supernet (model_search.py's Network): every cell edge a
/// MixedOp over the 8 PRIMITIVES with non-affine BN (pools followed by a
/// non-affine BN, as DARTS' MixedOp), non-affine preprocessing. Two
/// architecture matrices [14, 8], "alphas_normal" and "alphas_reduce"
/// (initialised 1e-3 * N(0, 1) as in DARTS), registered as parameters and kept
/// out of `weight_parameters()`.
class DartsSupernetImpl : public Supernet {
 public:
  DartsSupernetImpl(const NetworkSpec& spec, const DartsSupernetOptions& options);

  /// {"normal", "reduce"}.
  std::vector<std::string> cell_types() const override { return {"normal", "reduce"}; }
  /// DARTS' PRIMITIVES, `none` first.
  std::vector<std::string> candidate_ops() const override { return DartsSpace::primitives(); }
  /// {alphas_normal, alphas_reduce}, each [14, 8].
  std::vector<torch::Tensor> arch_parameters() const override { return {alphas_[0], alphas_[1]}; }
  std::vector<torch::Tensor> weight_parameters() const override;

  using Supernet::forward;
  /// Edge e of a normal (reduction) cell computes sum_i weights[0 (1)][e][i] * op_i.
  torch::Tensor forward_weighted(const torch::Tensor& images,
                                 const std::vector<torch::Tensor>& weights) override;
  /// Edge e of a normal (reduction) cell runs only candidate indices[0 (1)][e].
  torch::Tensor forward_hard(const torch::Tensor& images,
                             const std::vector<torch::Tensor>& hard_weights,
                             const std::vector<std::vector<int64_t>>& indices) override;

  /// DARTS' genotype(): per node, the two incoming edges whose strongest
  /// non-none softmax weight is largest (ties: the earlier input), each with
  /// its strongest non-none op (ties: the earlier op); the stronger edge first.
  Architecture derive() const override;

  /// The supernet cells, in network order.
  std::vector<SupernetCell> cells() const;
  /// Whether cell i (network order) is a reduction cell.
  bool is_reduction(size_t i) const { return skeleton_.cells.at(i).reduction; }

 private:
  detail::DartsSkeleton<SupernetCell> skeleton_;
  torch::Tensor alphas_[2];
};
TORCH_MODULE(DartsSupernet);

/// The DARTS discretisation rule applied to one [14, 8] weight matrix (rows:
/// the supernet edges in DARTS' order; columns: `DartsSpace::primitives()`).
DartsSpace::CellGenes derive_darts_cell(const torch::Tensor& weights);

}  // namespace nascpp

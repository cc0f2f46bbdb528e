#pragma once
/// `Supernet`: the one-shot network of a search space, the module the gradient
/// methods (DARTS, GDAS) train. Every searchable slot is a mixed op over the
/// space's candidate ops; each cell type (one for NAS-Bench-201, normal and
/// reduction for DARTS) has one architecture-parameter matrix
/// [slots, candidates] shared by all cells of that type.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/architecture.h"

namespace nascpp {

class Supernet : public torch::nn::Module {
 public:
  /// Names of the cell types, one per architecture matrix, e.g. {"cell"} or
  /// {"normal", "reduce"}.
  virtual std::vector<std::string> cell_types() const = 0;
  /// The candidate op names, one per column of every architecture matrix.
  virtual std::vector<std::string> candidate_ops() const = 0;
  /// The architecture parameters (alphas), one leaf tensor [slots, candidates]
  /// per cell type, in `cell_types()` order. They are registered parameters of
  /// the module (so they are saved with it) but not in `weight_parameters()`.
  virtual std::vector<torch::Tensor> arch_parameters() const = 0;
  /// Every parameter except the architecture parameters.
  virtual std::vector<torch::Tensor> weight_parameters() const = 0;

  /// Logits where slot s of cell type t computes sum_i weights[t][s][i] * op_i.
  virtual torch::Tensor forward_weighted(const torch::Tensor& images,
                                         const std::vector<torch::Tensor>& weights) = 0;
  /// Logits where slot s of cell type t computes only candidate
  /// indices[t][s], scaled by hard_weights[t][s][indices[t][s]] (GDAS'
  /// straight-through estimator: the value is 1, the gradient reaches the
  /// architecture parameters). The other candidates are not run.
  virtual torch::Tensor forward_hard(const torch::Tensor& images,
                                     const std::vector<torch::Tensor>& hard_weights,
                                     const std::vector<std::vector<int64_t>>& indices) = 0;
  /// DARTS' forward: the weights are softmax(alphas) over each row.
  torch::Tensor forward(const torch::Tensor& images);

  /// The discrete architecture the current alphas stand for (the space's
  /// derivation rule, e.g. the strongest op per edge).
  virtual Architecture derive() const = 0;
};

/// Checks that `tensors` holds one [rows, cols] tensor per cell type; throws
/// Error naming `what` and the shapes otherwise.
void check_arch_shapes(const std::vector<torch::Tensor>& tensors,
                       const std::vector<torch::Tensor>& expected, const char* what);

}  // namespace nascpp

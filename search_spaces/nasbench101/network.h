#pragma once
/// NAS-Bench-101 networks (Ying et al. 2019, Sec. 2.1 and nasbench's
/// model_builder.py): a 3x3 conv-BN-ReLU stem, `num_stacks` stacks of
/// `cells_per_stack` cells with a 2x2 stride-2 max pool and doubled channels
/// between stacks, global average pooling and a linear classifier.
///
/// Inside a cell (`NasBench101CellImpl`) the original channel bookkeeping:
/// the output channels are split evenly (remainder to the first vertices)
/// over the vertices feeding the output, other interior vertices take the
/// largest channel count of their successors; a vertex sums its inputs (the
/// outputs of earlier vertices truncated to its channels, and a 1x1
/// projection of the cell input where the input feeds it) and applies its op;
/// the output concatenates its interior inputs and adds a projection of the
/// cell input when the input feeds the output directly.

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <vector>

#include "nascpp/network.h"
#include "nascpp/ops/head.h"
#include "search_spaces/nasbench101/nasbench101.h"

namespace nascpp {

/// The channels of each vertex of a pruned spec for a cell mapping
/// `in_channels` to `out_channels` (nasbench's `compute_vertex_channels`).
std::vector<int64_t> nasbench101_vertex_channels(int64_t in_channels, int64_t out_channels,
                                                 const NasBench101Spec& spec);

/// The trainable parameters of the network of `spec` with these sizes,
/// counted from the layout without building it; a double, since sizes given
/// by a user may be absurd (infinity where the channels would overflow).
double nasbench101_parameter_count(const NasBench101Spec& spec, const NetworkSpec& net,
                                   const NasBench101NetworkOptions& options);

/// One cell: [N, in_channels, H, W] -> [N, out_channels, H, W].
class NasBench101CellImpl : public torch::nn::Module {
 public:
  NasBench101CellImpl(const NasBench101Spec& spec, int64_t in_channels, int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& x);

  /// The channels of each vertex.
  const std::vector<int64_t>& vertex_channels() const { return channels_; }

 private:
  NasBench101Spec spec_;
  std::vector<int64_t> channels_;
  // ops_[v] for interior vertices; input_projections_[v] where 0 -> v.
  std::vector<torch::nn::AnyModule> ops_;
  std::vector<torch::nn::AnyModule> input_projections_;
  std::vector<bool> has_projection_;
};
TORCH_MODULE(NasBench101Cell);

/// The network of one architecture.
class NasBench101NetworkImpl : public Network {
 public:
  NasBench101NetworkImpl(const NasBench101Spec& spec, const NetworkSpec& net,
                         const NasBench101NetworkOptions& options);
  torch::Tensor forward(torch::Tensor images) override;

 private:
  torch::nn::AnyModule stem_;
  std::vector<NasBench101Cell> cells_;
  std::vector<size_t> pool_before_;  // cell indices preceded by the 2x2 max pool
  ClassifierHead head_{nullptr};
};

}  // namespace nascpp

#pragma once
/// `StagedSkeleton`: the macro skeleton that turns one cell type into a
/// classification network, public so that a search space of your own can
/// reuse it (docs/graph.md, "A network from a cell: the staged skeleton").
///
///     stem:   3x3 convolution (no bias) -> BN, to `channels` channels
///     stage 0: `cells_per_stage` cells at C channels
///     reduction 1: the `reduction` op from C to 2C, stride 2
///     stage 1: cells at 2C ... (`stages` stages in all)
///     head:   [BN -> ReLU] -> global average pool -> linear
///
/// The NAS-Bench-201 network (Dong & Yang 2020, Fig. 1) is the preset
/// `SkeletonOptions::nasbench201()`: C = 16, 3 stages of 5 cells, the ResNet
/// basic block as reduction, BN + ReLU in the head.
///
///     class MyNet : public nascpp::Network {
///      public:
///       MyNet(const nascpp::Graph& graph, const nascpp::NetworkSpec& spec) {
///         skeleton_.build(*this, spec, nascpp::SkeletonOptions::nasbench201(),
///                         [&](int64_t c) { return nascpp::Cell(graph, nascpp::CellOptions(c)); });
///       }
///       torch::Tensor forward(torch::Tensor images) override {
///         return skeleton_.forward(images, [](nascpp::Cell& cell, const torch::Tensor& x) {
///           return cell->forward({x});
///         });
///       }
///      private:
///       nascpp::StagedSkeleton<nascpp::Cell> skeleton_;
///     };
///
/// Modules are registered on the owner as "stem", "stage<s>_cell<i>",
/// "reduction<s>" and "head", the same names in a network and its supernet.

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/container/sequential.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/network.h"
#include "nascpp/ops/head.h"
#include "nascpp/ops/op.h"
#include "nascpp/ops/probe.h"

namespace nascpp {

/// The skeleton's layout.
struct SkeletonOptions {
  /// Channels of the first stage (C).
  NASCPP_ARG(int64_t, channels) = 16;
  /// Number of stages; each after the first doubles the channels and halves
  /// the resolution.
  NASCPP_ARG(int64_t, stages) = 3;
  /// Cells per stage (N).
  NASCPP_ARG(int64_t, cells_per_stage) = 5;
  /// The op between stages, from the operation registry, built with
  /// `OpArgs(c, 2c, 2)`.
  NASCPP_ARG(std::string, reduction) = "resnet_basic_block";
  /// Whether the head starts with BN + ReLU (NAS-Bench-201: yes).
  NASCPP_ARG(bool, head_bn_relu) = true;

 public:
  /// The NAS-Bench-201 network: C = 16, 3 stages of 5 cells, ResNet basic
  /// block reductions, BN + ReLU before the pooling.
  static SkeletonOptions nasbench201() { return {}; }
  /// Reads `channels`, `stages`, `cells_per_stage`, `reduction` and
  /// `head_bn_relu` (defaults: the NAS-Bench-201 preset); ConfigError for
  /// invalid values.
  static SkeletonOptions from_config(ConfigNode& cfg);
  /// ConfigError for channels < 2, stages outside [1, 8], cells_per_stage < 1
  /// or a reduction that is not a registered op (the message lists them).
  void validate() const;
  /// "channels = 16, stages = 3, cells_per_stage = 5", for messages.
  std::string describe() const;
};

/// The stem: a 3x3 convolution without bias, then BN.
torch::nn::Sequential skeleton_stem(int64_t in_channels, int64_t channels);

/// ConfigError, before anything is allocated, when `spec`'s image size cannot
/// pass the skeleton's reductions (each halves it; a ResNet basic block needs
/// an even size at its input), or when the network would not fit in memory:
/// `cell_parameters(c)` bounds the parameters of one cell at c channels.
/// `network` names it in messages ("tiny_cell network").
template <class CellBound>
void check_skeleton_sizes(const NetworkSpec& spec, const SkeletonOptions& options,
                          const std::string& network, CellBound&& cell_parameters);

/// The skeleton around cells of type `CellHolder` (Cell, SupernetCell, or a
/// module holder of your own).
template <class CellHolder>
struct StagedSkeleton {
  torch::nn::Sequential stem{nullptr};
  std::vector<std::vector<CellHolder>> stages;
  std::vector<torch::nn::AnyModule> reductions;
  ClassifierHead head{nullptr};

  /// Registers every module on `owner`; `make_cell(channels)` builds one cell
  /// of a stage with that many channels (its output must have as many).
  template <class MakeCell>
  void build(torch::nn::Module& owner, const NetworkSpec& spec, const SkeletonOptions& options,
             MakeCell&& make_cell) {
    spec.validate();
    options.validate();
    int64_t c = options.channels();
    stem = owner.register_module("stem", skeleton_stem(spec.in_channels(), c));
    for (int64_t stage = 0; stage < options.stages(); ++stage) {
      if (stage > 0) {
        auto block = make_op(options.reduction(), OpArgs(c, 2 * c, 2));
        reductions.push_back(block);
        owner.register_module("reduction" + std::to_string(stage), block.ptr());
        c *= 2;
      }
      stages.emplace_back();
      for (int64_t i = 0; i < options.cells_per_stage(); ++i) {
        stages.back().push_back(owner.register_module(
            "stage" + std::to_string(stage) + "_cell" + std::to_string(i), make_cell(c)));
      }
    }
    head = owner.register_module(
        "head",
        ClassifierHead(ClassifierHeadOptions(c, spec.num_classes()).bn_relu(options.head_bn_relu())));
  }

  /// Logits of `images`; `cell_forward(cell, x)` runs one cell.
  template <class CellForward>
  torch::Tensor forward(const torch::Tensor& images, CellForward&& cell_forward) {
    auto x = forward_layers(*stem, images);
    for (size_t stage = 0; stage < stages.size(); ++stage) {
      if (stage > 0) x = reductions[stage - 1].forward(x);
      for (auto& cell : stages[stage]) x = cell_forward(cell, x);
    }
    return head->forward(x);
  }

  /// Every cell, stage by stage.
  std::vector<CellHolder> cells() const {
    std::vector<CellHolder> out;
    for (const auto& stage : stages) out.insert(out.end(), stage.begin(), stage.end());
    return out;
  }
};

/// Parameters of op `name` as a function of its channels: the exact quadratic
/// a*c^2 + b*c fitted from two small instances (c = 2 and 4; `ratio` = output
/// over input channels, `stride` its stride). Convolutions, BN and linear
/// layers are quadratic in the channels, so this bounds them exactly.
struct OpParameterModel {
  double a = 0.0;
  double b = 0.0;
  double at(double c) const { return a * c * c + b * c; }
  /// The model through p(2) and p(4): p(2) = 4a + 2b, p(4) = 16a + 4b.
  static OpParameterModel through(double p2, double p4) {
    OpParameterModel model;
    model.a = (p4 - 2.0 * p2) / 8.0;
    model.b = (p2 - 4.0 * model.a) / 2.0;
    return model;
  }
};
OpParameterModel op_parameter_model(const std::string& name, const OpArgs& flags,
                                    int64_t ratio = 1, int64_t stride = 1);

namespace detail {
/// The non-template part of check_skeleton_sizes.
void check_skeleton_sizes(const NetworkSpec& spec, const SkeletonOptions& options,
                          const std::string& network, const std::vector<double>& cell_bounds);
}  // namespace detail

template <class CellBound>
void check_skeleton_sizes(const NetworkSpec& spec, const SkeletonOptions& options,
                          const std::string& network, CellBound&& cell_parameters) {
  options.validate();
  std::vector<double> bounds;
  double c = static_cast<double>(options.channels());
  for (int64_t stage = 0; stage < options.stages(); ++stage, c *= 2.0) {
    bounds.push_back(cell_parameters(c));
  }
  detail::check_skeleton_sizes(spec, options, network, bounds);
}

}  // namespace nascpp

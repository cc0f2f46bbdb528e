#pragma once
/// What a network costs: trainable parameters (with and without an auxiliary
/// head), multiply-accumulates per image, and a per-layer summary. Parameters
/// and MACs are the objectives users constrain besides accuracy.

#include <cstdint>
#include <string>
#include <vector>

#include "nascpp/network.h"

namespace nascpp {

/// One row of the layer summary.
struct LayerSummary {
  /// Dotted module path, e.g. "cells.3".
  std::string name;
  /// LibTorch module type, e.g. "nascpp::CellImpl".
  std::string type;
  /// Trainable parameters of the module and its children.
  int64_t parameters = 0;
};

struct NetworkSummary {
  /// All trainable parameters.
  int64_t parameters = 0;
  /// Trainable parameters outside the auxiliary head (equal to `parameters`
  /// for networks without one).
  int64_t parameters_without_auxiliary = 0;
  /// Multiply-accumulates of one image's inference forward pass (convolutions
  /// and matrix products, as counted by LibTorch's profiler; the auxiliary
  /// head does not run in inference).
  int64_t macs = 0;
  /// The top-level modules and, `depth` levels down, their children.
  std::vector<LayerSummary> layers;
};

/// Summarises `network` for inputs of shape `spec`; runs one forward pass of a
/// single zero image in eval mode (restoring the training mode afterwards).
/// `depth`: 1 lists the top-level modules, 2 also their children, and so on.
NetworkSummary summarize(Network& network, const NetworkSpec& spec, int depth = 1);

/// Name of the child module that holds a network's auxiliary head; its
/// parameters are excluded from `parameters_without_auxiliary`.
inline constexpr const char* kAuxiliaryHeadModule = "auxiliary_head";

}  // namespace nascpp

#pragma once
/// `Network`: the LibTorch module a search space builds from an Architecture.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

#include "nascpp/core/options.h"

namespace nascpp {

/// The shape of the data a network is built for.
struct NetworkSpec {
  /// Input channels (3 for CIFAR and ImageNet16-120, 1 for Fashion-MNIST).
  NASCPP_ARG(int64_t, in_channels) = 3;
  /// Input height and width in pixels (32, 16 or 28).
  NASCPP_ARG(int64_t, image_size) = 32;
  /// Number of classes of the classifier.
  NASCPP_ARG(int64_t, num_classes) = 10;

 public:
  /// Throws ConfigError for non-positive values.
  void validate() const;
};

/// A classification network: images [N, C, H, W] -> logits [N, classes].
class Network : public torch::nn::Module {
 public:
  /// Logits for a batch of images.
  virtual torch::Tensor forward(torch::Tensor images) = 0;

  /// Logits of the auxiliary head computed by the last forward() in training
  /// mode; an undefined tensor for networks without one (or in eval mode).
  virtual torch::Tensor auxiliary_logits() const { return {}; }
  /// Drop-path probability used by the following training forwards (DARTS'
  /// drop path on cell paths); networks without drop path ignore it.
  virtual void set_drop_path_prob(double probability) { (void)probability; }
  /// Whether the network has an auxiliary head.
  virtual bool has_auxiliary_head() const { return false; }
};

/// Number of trainable parameters (elements of every parameter that requires a
/// gradient; buffers such as BN running statistics are not counted).
int64_t count_parameters(const torch::nn::Module& module);

/// Refuses, before anything is allocated, a network that cannot fit: throws
/// ConfigError when `parameters` float32 parameters plus `feature_map_floats`
/// (one image's largest feature map) exceed `memory_budget()`. `network`
/// names it ("nasbench201 network") and `sizes` lists the options that set
/// its size with their values ("channels = 16, cells_per_stage = 5"). The
/// estimates are doubles so that absurd sizes cannot overflow.
void check_network_memory(double parameters, double feature_map_floats, const std::string& network,
                          const std::string& sizes);

}  // namespace nascpp

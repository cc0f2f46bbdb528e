#pragma once
/// Zero-cost proxies: scores of an untrained network, from its weights and
/// one batch of data, that rank architectures without training them
/// (Abdelfattah et al. 2021, "Zero-Cost Proxies for Lightweight NAS"; Mellor
/// et al. 2021; NAS-Bench-Suite-Zero, Krishnakumar et al. 2022). The
/// definitions follow the papers and NASLib's measures: only convolution and
/// linear weights count, one batch, cross-entropy loss, the network freshly
/// initialised from the seed and in training mode (batch statistics); see
/// docs/zero-cost.md for each formula.
///
///     auto space = nascpp::search_space_registry().create("nasbench201", cfg);
///     nascpp::ZeroCostScorer scorer(space, nascpp::ZeroCostOptions().batch_size(64).seed(0));
///     for (const auto& s : scorer.score(space->parse(text), {"synflow", "nwot"}))
///       fmt::print("{} {} ({} s)\n", s.proxy, s.score, s.seconds);
///     scorer.batch().description;  // which images the data-dependent proxies saw
///
/// Every proxy is an entry of `zero_cost_registry()`: a function of a
/// `ProxyInput` (a factory for the freshly initialised network and the batch)
/// that returns the score; a user registers their own the same way.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/registry.h"
#include "nascpp/network.h"

namespace nascpp {

class SearchSpace;

/// The one batch the data-dependent proxies see.
struct ProxyBatch {
  /// float32 [B, C, H, W], normalised with the dataset's mean and stddev.
  torch::Tensor images;
  /// int64 [B].
  torch::Tensor labels;
  /// Classes of the labels (the classifier's outputs).
  int64_t num_classes = 0;
  /// Where the images come from: a dataset registry name, or "random".
  std::string dataset;
  /// What the images are, e.g. "fashion_mnist: 64 training images drawn
  /// with seed 0, gray replicated to 3 channels, zero-padded 28 -> 32".
  std::string description;
};

/// What a proxy function receives.
struct ProxyInput {
  /// A freshly initialised network (the same weights on every call: torch's
  /// generator is seeded before each build), in training mode, on `device`.
  std::function<std::shared_ptr<Network>()> build_network;
  /// The batch, on `device`.
  const ProxyBatch& batch;
  /// The shape the network is built for.
  NetworkSpec spec;
  torch::Device device = torch::kCPU;
  /// Seed of the proxy's own draws (zen's Gaussian inputs and weights).
  uint64_t seed = 0;
};

/// Proxies by name: each entry is the proxy itself, a function of its input
/// returning the score (higher predicts better). A proxy that cannot be
/// computed for a network (e.g. a correlation of constant rows) returns NaN.
using ZeroCostRegistry = Registry<double(const ProxyInput&)>;
ZeroCostRegistry& zero_cost_registry();
/// The builtin list (src/zero_cost/builtin.cpp).
void register_builtin_zero_cost_proxies(ZeroCostRegistry& registry);

/// The built-in proxies in NAS-Bench-Suite-Zero's order: epe_nas, fisher,
/// flops, grad_norm, grasp, jacov, l2_norm, nwot, params, plain, snip,
/// synflow, zen.
std::vector<std::string> builtin_zero_cost_proxies();

struct ZeroCostOptions {
  /// Images in the batch (NASLib's zero-cost benchmark: 32).
  NASCPP_ARG(int64_t, batch_size) = 32;
  /// Seeds the network's initial weights, the batch draw and zen's draws.
  NASCPP_ARG(uint64_t, seed) = 0;
  /// Where the batch comes from: "auto" (CIFAR-10 from `data_root` when its
  /// files are there, else Fashion-MNIST), a dataset of the dataset registry
  /// ("cifar10", "cifar100", "fashion_mnist", ...), or "random" (standard
  /// normal images, uniform labels over `num_classes`).
  NASCPP_ARG(std::string, data) = "auto";
  /// The dataset's folder ("" = its default; required for CIFAR).
  NASCPP_ARG(std::string, data_root) = "";
  /// The network's input: channels and square size. Images of another shape
  /// are adapted (gray replicated to 3 channels, or colour averaged to 1;
  /// zero-padded or centre-cropped), and the description says so.
  /// Default: CIFAR-10's 3x32x32, the shape benchmark scores refer to.
  NASCPP_ARG(int64_t, in_channels) = 3;
  NASCPP_ARG(int64_t, image_size) = 32;
  /// Classes for `data: random` (a dataset brings its own).
  NASCPP_ARG(int64_t, num_classes) = 10;
  /// "cpu", "cuda", "cuda:N" or "auto".
  NASCPP_ARG(std::string, device) = "cpu";
  /// Augment the drawn images as NASLib's training loader does (random crop
  /// after padding by 1/8 of the side, horizontal flip), drawn from `seed`.
  NASCPP_ARG(bool, augment) = true;

 public:
  /// Throws ConfigError naming a bad value and the valid choices.
  void validate() const;
  /// Reads the keys of the same names (unknown keys are an error).
  static ZeroCostOptions from_config(ConfigNode& config);
};

/// One proxy's score for one architecture.
struct ProxyScore {
  std::string proxy;
  double score = 0.0;
  /// Wall seconds of the computation (network builds included).
  double seconds = 0.0;
};

/// Scores architectures of one space with proxies; the batch is drawn once at
/// construction.
class ZeroCostScorer {
 public:
  ZeroCostScorer(std::shared_ptr<const SearchSpace> space, ZeroCostOptions options);

  /// Scores `arch` (validated first) with each of `proxies` (registry
  /// names; an unknown one is a ConfigError listing the valid ones), in that
  /// order. Every proxy sees the same initial weights.
  std::vector<ProxyScore> score(const Architecture& arch,
                                const std::vector<std::string>& proxies) const;
  /// One proxy's score.
  double score_one(const Architecture& arch, const std::string& proxy) const;

  const ProxyBatch& batch() const { return batch_; }
  const NetworkSpec& spec() const { return spec_; }
  const ZeroCostOptions& options() const { return options_; }
  /// The data files the batch was read from (for manifests).
  const std::vector<std::string>& data_files() const { return data_files_; }

 private:
  std::shared_ptr<const SearchSpace> space_;
  ZeroCostOptions options_;
  torch::Device device_;
  NetworkSpec spec_;
  ProxyBatch batch_;
  std::vector<std::string> data_files_;
};

/// FLOPs of one image's forward pass in millions, counted as NASLib's
/// `flops` measure counts them (tensorwatch's torchstat analyzer, the
/// NAS-Bench-Suite-Zero files' unit): per Conv2d k*k*C_in*C_out/groups per
/// output position plus C_out per position for a bias; per Linear
/// C_in*C_out (no bias term); batch norm 2 per input element (1 without
/// affine); ReLU 1 per input element; average and max pooling k*k per
/// output element; adaptive and global average pooling (H+1)*(W+1) per
/// channel for a 1x1 output (torchstat's bin count, "+1" included). Runs
/// `network` (eval mode, restored after) on one zero image of `spec`'s shape.
double count_flops_m(Network& network, const NetworkSpec& spec);

}  // namespace nascpp

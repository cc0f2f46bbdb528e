#pragma once
/// Training-time data augmentation of image batches, as in the DARTS and
/// NAS-Bench-201 training pipelines: random crop with zero padding, random
/// horizontal flip, cutout (DeVries & Taylor 2017), and per-channel
/// normalisation. Randomness comes from a `nascpp::Rng`, so a batch is
/// reproducible from the generator's state.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"

namespace nascpp {

struct AugmentOptions {
  /// Zero padding on each side before a random crop back to the input size
  /// (DARTS and NAS-Bench-201 on CIFAR: 4; 0 disables the crop).
  NASCPP_ARG(int64_t, crop_padding) = 0;
  /// Flip each image horizontally with probability 1/2.
  NASCPP_ARG(bool, horizontal_flip) = false;
  /// Side of the square zeroed by cutout, after normalisation (DARTS: 16;
  /// 0 disables). The square's centre is uniform over the image and the
  /// square is clipped at the borders.
  NASCPP_ARG(int64_t, cutout_length) = 0;

 public:
  /// Reads `crop_padding`, `horizontal_flip`, `cutout_length`.
  static AugmentOptions from_config(ConfigNode& cfg);
  /// Throws ConfigError for negative sizes.
  void validate() const;
  /// Whether any augmentation is enabled.
  bool enabled() const { return crop_padding_ > 0 || horizontal_flip_ || cutout_length_ > 0; }
};

/// Random crop and flip of uint8 images [N, C, H, W]; returns a new tensor of
/// the same shape. Draws, per image: the crop offsets (when crop_padding > 0),
/// then the flip (when horizontal_flip).
torch::Tensor crop_and_flip(const torch::Tensor& images, const AugmentOptions& options, Rng& rng);

/// Cutout in place on float images [N, C, H, W] (one square per image).
void cutout_(torch::Tensor& images, int64_t length, Rng& rng);

/// Per-channel normalisation: uint8 images [N, C, H, W] -> float32
/// (x / 255 - mean[c]) / stddev[c].
torch::Tensor normalize(const torch::Tensor& images, const torch::Tensor& mean,
                        const torch::Tensor& stddev);

/// `mean`/`stddev` as float tensors [1, C, 1, 1]; throws Error unless both have
/// the same positive length and every stddev is positive.
std::pair<torch::Tensor, torch::Tensor> normalization_tensors(const std::vector<double>& mean,
                                                              const std::vector<double>& stddev);

}  // namespace nascpp

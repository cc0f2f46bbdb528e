#include "nascpp/data/augment.h"

#include <torch/torch.h>

#include <algorithm>

#include "nascpp/core/error.h"

namespace nascpp {

AugmentOptions AugmentOptions::from_config(ConfigNode& cfg) {
  AugmentOptions o;
  o.crop_padding(cfg.get<int64_t>("crop_padding", o.crop_padding()));
  o.horizontal_flip(cfg.get<bool>("horizontal_flip", o.horizontal_flip()));
  o.cutout_length(cfg.get<int64_t>("cutout_length", o.cutout_length()));
  o.validate();
  return o;
}

void AugmentOptions::validate() const {
  NASCPP_CHECK_CONFIG(crop_padding_ >= 0, "augment.crop_padding must be >= 0, got {}",
                      crop_padding_);
  NASCPP_CHECK_CONFIG(cutout_length_ >= 0, "augment.cutout_length must be >= 0, got {}",
                      cutout_length_);
}

torch::Tensor crop_and_flip(const torch::Tensor& images, const AugmentOptions& options, Rng& rng) {
  NASCPP_CHECK(images.dim() == 4, "augmentation needs images [N, C, H, W], got {} dimensions",
               images.dim());
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  const int64_t pad = options.crop_padding();
  if (pad == 0 && !options.horizontal_flip()) return images;
  const auto padded = pad > 0 ? torch::constant_pad_nd(images, {pad, pad, pad, pad}, 0) : images;
  auto out = torch::empty_like(images);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t dy = pad > 0 ? rng.uniform_int(0, 2 * pad) : 0;
    const int64_t dx = pad > 0 ? rng.uniform_int(0, 2 * pad) : 0;
    auto crop = padded[i].slice(1, dy, dy + h).slice(2, dx, dx + w);
    if (options.horizontal_flip() && rng.bernoulli(0.5)) crop = crop.flip({2});
    out[i].copy_(crop);
  }
  return out;
}

void cutout_(torch::Tensor& images, int64_t length, Rng& rng) {
  if (length <= 0) return;
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  for (int64_t i = 0; i < n; ++i) {
    // As in the DARTS code: centre uniform over the image, square clipped.
    const int64_t cy = rng.uniform_int(0, h - 1);
    const int64_t cx = rng.uniform_int(0, w - 1);
    const int64_t y0 = std::clamp<int64_t>(cy - length / 2, 0, h);
    const int64_t y1 = std::clamp<int64_t>(cy + length / 2, 0, h);
    const int64_t x0 = std::clamp<int64_t>(cx - length / 2, 0, w);
    const int64_t x1 = std::clamp<int64_t>(cx + length / 2, 0, w);
    images[i].slice(1, y0, y1).slice(2, x0, x1).zero_();
  }
}

torch::Tensor normalize(const torch::Tensor& images, const torch::Tensor& mean,
                        const torch::Tensor& stddev) {
  NASCPP_CHECK(images.dim() == 4 && images.size(1) == mean.size(1),
               "normalisation has {} channels but the images are {}", mean.size(1),
               c10::str(images.sizes()));
  return images.to(torch::kFloat32).div_(255.0f).sub_(mean).div_(stddev);
}

std::pair<torch::Tensor, torch::Tensor> normalization_tensors(const std::vector<double>& mean,
                                                              const std::vector<double>& stddev) {
  NASCPP_CHECK(!mean.empty() && mean.size() == stddev.size(),
               "normalisation needs one mean and one stddev per channel ({} and {} given)",
               mean.size(), stddev.size());
  for (const double s : stddev) {
    NASCPP_CHECK(s > 0, "normalisation stddev must be positive, got {}", s);
  }
  const auto channels = static_cast<int64_t>(mean.size());
  return {
      torch::tensor(std::vector<float>(mean.begin(), mean.end())).view({1, channels, 1, 1}),
      torch::tensor(std::vector<float>(stddev.begin(), stddev.end())).view({1, channels, 1, 1})};
}

}  // namespace nascpp

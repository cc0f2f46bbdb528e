#include "nascpp/data/augment.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/test_support.h"

namespace nascpp {
namespace {

// Images whose pixel (y, x) holds 10 * y + x + 1 (so 0 marks padding).
torch::Tensor coordinate_images(int64_t n, int64_t size) {
  auto grid = (torch::arange(size).view({size, 1}) * 10 + torch::arange(size).view({1, size}) + 1)
                  .to(torch::kUInt8);
  return grid.view({1, 1, size, size}).expand({n, 3, size, size}).clone();
}

TEST(Augment, CropIsAShiftedWindowOfThePaddedImage) {
  const auto images = coordinate_images(64, 8);
  Rng rng(3);
  const auto out = crop_and_flip(images, AugmentOptions().crop_padding(2), rng);
  ASSERT_EQ(out.sizes(), images.sizes());
  int shifted = 0;
  for (int64_t i = 0; i < 64; ++i) {
    // Find the shift from any non-padding pixel and check the whole window.
    const auto img = out[i][0];
    int64_t dy = 99, dx = 99;
    for (int64_t y = 0; y < 8 && dy == 99; ++y) {
      for (int64_t x = 0; x < 8; ++x) {
        const int v = img[y][x].item<uint8_t>();
        if (v > 0) {
          dy = (v - 1) / 10 - y;
          dx = (v - 1) % 10 - x;
          break;
        }
      }
    }
    ASSERT_LE(std::abs(dy), 2);
    ASSERT_LE(std::abs(dx), 2);
    shifted += (dy != 0 || dx != 0);
    for (int64_t y = 0; y < 8; ++y) {
      for (int64_t x = 0; x < 8; ++x) {
        const int64_t sy = y + dy, sx = x + dx;
        const int expected = (sy >= 0 && sy < 8 && sx >= 0 && sx < 8) ? 10 * sy + sx + 1 : 0;
        ASSERT_EQ(img[y][x].item<uint8_t>(), expected) << i << " " << y << " " << x;
        // All channels get the same crop.
        ASSERT_EQ(out[i][2][y][x].item<uint8_t>(), expected);
      }
    }
  }
  EXPECT_GT(shifted, 40);  // 24 of 25 offsets shift the image
}

TEST(Augment, FlipMirrorsAboutHalfOfTheImages) {
  const auto images = coordinate_images(200, 6);
  Rng rng(4);
  const auto out = crop_and_flip(images, AugmentOptions().horizontal_flip(true), rng);
  int flipped = 0;
  for (int64_t i = 0; i < 200; ++i) {
    if (torch::equal(out[i], images[i].flip({2}))) {
      ++flipped;
    } else {
      ASSERT_TRUE(torch::equal(out[i], images[i])) << i;
    }
  }
  EXPECT_GT(flipped, 70);
  EXPECT_LT(flipped, 130);
}

TEST(Augment, SameGeneratorStateGivesTheSameBatch) {
  const auto images = coordinate_images(16, 8);
  const auto opts = AugmentOptions().crop_padding(2).horizontal_flip(true).cutout_length(4);
  Rng a(9), b(9);
  auto xa = normalize(crop_and_flip(images, opts, a), torch::zeros({1, 3, 1, 1}),
                      torch::ones({1, 3, 1, 1}));
  auto xb = normalize(crop_and_flip(images, opts, b), torch::zeros({1, 3, 1, 1}),
                      torch::ones({1, 3, 1, 1}));
  cutout_(xa, 4, a);
  cutout_(xb, 4, b);
  EXPECT_TRUE(torch::equal(xa, xb));
}

TEST(Augment, CutoutZeroesOneClippedSquarePerImage) {
  auto x = torch::ones({50, 2, 10, 10});
  Rng rng(5);
  cutout_(x, 4, rng);
  for (int64_t i = 0; i < 50; ++i) {
    const auto zeros = (x[i][0] == 0).sum().item<int64_t>();
    EXPECT_GE(zeros, 4) << i;   // a corner leaves at least a 2x2 square
    EXPECT_LE(zeros, 16) << i;  // never more than length^2
    EXPECT_TRUE(torch::equal(x[i][0], x[i][1]));
  }
  EXPECT_EQ((x == 0).sum().item<int64_t>() > 0, true);
}

TEST(Augment, NormalizeAndOptionErrors) {
  const auto images = torch::full({1, 2, 1, 1}, 255, torch::kUInt8);
  const auto [mean, std] = normalization_tensors({0.5, 0.0}, {0.25, 1.0});
  const auto x = normalize(images, mean, std);
  EXPECT_FLOAT_EQ(x[0][0][0][0].item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(x[0][1][0][0].item<float>(), 1.0f);
  NASCPP_EXPECT_THROW_WITH(normalization_tensors({0.5}, {0.0}), Error,
                           "stddev must be positive, got 0");
  NASCPP_EXPECT_THROW_WITH(AugmentOptions().crop_padding(-1).validate(), ConfigError,
                           "augment.crop_padding must be >= 0, got -1");
  auto cfg = ConfigNode::parse("crop_padding: 4\nhorizontal_flip: true\ncutout_length: 16\n");
  const auto o = AugmentOptions::from_config(cfg);
  EXPECT_EQ(o.crop_padding(), 4);
  EXPECT_TRUE(o.horizontal_flip());
  EXPECT_EQ(o.cutout_length(), 16);
}

}  // namespace
}  // namespace nascpp

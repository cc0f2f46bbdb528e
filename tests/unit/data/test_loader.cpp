#include "nascpp/data/loader.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "support/test_support.h"

namespace nascpp {
namespace {

// Image i is filled with i and labelled i (n <= 256).
ImageSet numbered(int64_t n) {
  auto labels = torch::arange(n, torch::kInt64);
  auto images = labels.to(torch::kUInt8).view({n, 1, 1, 1}).expand({n, 1, 4, 4}).clone();
  return ImageSet{images, labels};
}

std::vector<Batch> epoch(BatchLoader& loader, int64_t e) {
  loader.start_epoch(e);
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(*b);
  return out;
}

TEST(BatchLoader, EveryExampleOncePerEpochWithItsLabel) {
  const auto set = numbered(100);
  BatchLoader loader(set, {0.0}, {1.0 / 255.0}, LoaderOptions().batch_size(32).seed(1));
  EXPECT_EQ(loader.batches_per_epoch(), 4);
  const auto batches = epoch(loader, 0);
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches.back().labels.size(0), 4);
  std::set<int64_t> seen;
  for (const auto& b : batches) {
    ASSERT_EQ(b.images.scalar_type(), torch::kFloat32);
    for (int64_t i = 0; i < b.labels.size(0); ++i) {
      const auto label = b.labels[i].item<int64_t>();
      EXPECT_TRUE(seen.insert(label).second);
      // Normalised with mean 0 and stddev 1/255: the pixel value is the label.
      EXPECT_FLOAT_EQ(b.images[i][0][2][2].item<float>(), static_cast<float>(label));
    }
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(BatchLoader, EpochsAreReproducibleAndIndependentOfHistory) {
  const auto set = numbered(64);
  const auto opts = LoaderOptions().batch_size(16).seed(5).augment(
      AugmentOptions().crop_padding(1).horizontal_flip(true));
  BatchLoader a(set, {0.0}, {1.0}, opts);
  BatchLoader b(set, {0.0}, {1.0}, opts);
  BatchLoader sync(set, {0.0}, {1.0}, LoaderOptions(opts).prefetch(0));
  epoch(a, 0);
  epoch(a, 1);
  const auto a2 = epoch(a, 2);
  const auto b2 = epoch(b, 2);  // epoch 2 straight away, as after a resume
  const auto s2 = epoch(sync, 2);
  ASSERT_EQ(a2.size(), b2.size());
  ASSERT_EQ(a2.size(), s2.size());
  for (size_t i = 0; i < a2.size(); ++i) {
    EXPECT_TRUE(torch::equal(a2[i].images, b2[i].images));
    EXPECT_TRUE(torch::equal(a2[i].labels, b2[i].labels));
    EXPECT_TRUE(torch::equal(a2[i].images, s2[i].images));
  }
  const auto b3 = epoch(b, 3);
  EXPECT_FALSE(torch::equal(b3[0].labels, b2[0].labels));
}

TEST(BatchLoader, LimitAbandonAndErrors) {
  const auto set = numbered(50);
  BatchLoader loader(set, {0.0}, {1.0}, LoaderOptions().batch_size(8).limit(20).prefetch(1));
  EXPECT_EQ(loader.examples_per_epoch(), 20);
  loader.start_epoch(0);
  ASSERT_TRUE(loader.next().has_value());
  const auto full = epoch(loader, 1);  // abandoning epoch 0 midway is fine
  EXPECT_EQ(full.size(), 3u);
  NASCPP_EXPECT_THROW_WITH(BatchLoader(set, {0.0}, {1.0}, LoaderOptions().batch_size(0)),
                           ConfigError, "batch_size must be in [1, 2147483648], got 0");
  NASCPP_EXPECT_THROW_WITH(BatchLoader(set, {0.0, 0.0}, {1.0, 1.0}, LoaderOptions()), Error,
                           "normalisation has 2 channels but the images have 1");
  BatchLoader unstarted(set, {0.0}, {1.0}, LoaderOptions());
  NASCPP_EXPECT_THROW_WITH(unstarted.next(), Error, "before start_epoch");
}

}  // namespace
}  // namespace nascpp

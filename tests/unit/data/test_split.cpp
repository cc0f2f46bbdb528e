#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "nascpp/data/split.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

ImageSet numbered(int64_t n) {
  // Image i is filled with i % 256 and labelled i, so examples are traceable.
  auto labels = torch::arange(n, torch::kInt64);
  auto images = (labels % 256).to(torch::kUInt8).view({n, 1, 1, 1}).expand({n, 1, 2, 2}).clone();
  return ImageSet{images, labels};
}

TEST(Split, PartitionsTheSetReproducibly) {
  const auto set = numbered(1000);
  const auto a = split_train_valid(set, 0.5, 7);
  const auto b = split_train_valid(set, 0.5, 7);
  const auto c = split_train_valid(set, 0.5, 8);
  ASSERT_EQ(a.train.size(), 500);
  ASSERT_EQ(a.valid.size(), 500);
  EXPECT_TRUE(torch::equal(a.train.labels, b.train.labels));
  EXPECT_TRUE(torch::equal(a.valid.images, b.valid.images));
  EXPECT_FALSE(torch::equal(a.train.labels, c.train.labels));
  // Disjoint and complete; images travel with their labels.
  std::set<int64_t> seen;
  for (const auto* part : {&a.train, &a.valid}) {
    for (int64_t i = 0; i < part->size(); ++i) {
      const auto label = part->labels[i].item<int64_t>();
      EXPECT_TRUE(seen.insert(label).second) << label;
      EXPECT_EQ(part->images[i][0][1][1].item<uint8_t>(), label % 256);
    }
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Shuffled, not the first half.
  EXPECT_FALSE(torch::equal(a.train.labels, torch::arange(500, torch::kInt64)));
}

TEST(Split, PortionsAndErrors) {
  const auto set = numbered(10);
  EXPECT_EQ(split_train_valid(set, 0.8, 1).train.size(), 8);
  const auto all = split_train_valid(set, 1.0, 1);
  EXPECT_EQ(all.train.size(), 10);
  EXPECT_EQ(all.valid.size(), 0);
  NASCPP_EXPECT_THROW_WITH(split_train_valid(set, 0.0, 1), ConfigError,
                           "train_portion must be in (0, 1], got 0");
  NASCPP_EXPECT_THROW_WITH(split_train_valid(set, 1.5, 1), ConfigError, "got 1.5");
}

}  // namespace
}  // namespace nascpp

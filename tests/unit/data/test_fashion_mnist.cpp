#include "nascpp/data/fashion_mnist.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "nascpp/core/config.h"
#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

std::string be32(uint32_t v) {
  std::string s(4, '\0');
  for (int i = 0; i < 4; ++i) s[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return s;
}

void write_gz(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

// Writes a tiny Fashion-MNIST-shaped data set in the official IDX format.
void write_fake_fashion_mnist(const std::string& dir, int n_train, int n_test) {
  for (const auto& [prefix, n] :
       {std::pair<std::string, int>{"train", n_train}, {"t10k", n_test}}) {
    std::string images = be32(2051) + be32(n) + be32(28) + be32(28);
    for (int i = 0; i < n * 28 * 28; ++i) images.push_back(static_cast<char>(i % 251));
    std::string labels = be32(2049) + be32(n);
    for (int i = 0; i < n; ++i) labels.push_back(static_cast<char>(i % 10));
    write_gz(dir + "/" + prefix + "-images-idx3-ubyte.gz", images);
    write_gz(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
  }
}

TEST(FashionMnist, ReadsIdxFilesWrittenInTheOfficialFormat) {
  test::TempDir dir;
  write_fake_fashion_mnist(dir.path(), 12, 5);
  auto data = FashionMnist::load(dir.path());
  EXPECT_EQ(data->train().images.sizes(), torch::IntArrayRef({12, 1, 28, 28}));
  EXPECT_EQ(data->test().images.sizes(), torch::IntArrayRef({5, 1, 28, 28}));
  EXPECT_EQ(data->train().images.scalar_type(), torch::kUInt8);
  EXPECT_EQ(data->train().labels[7].item<int64_t>(), 7);
  EXPECT_EQ(data->train().images[0][0][0][3].item<int>(), 3);
  EXPECT_EQ(data->train().images[1][0][0][0].item<int>(), (28 * 28) % 251);
}

TEST(FashionMnist, TruncatedAndWrongFilesGiveErrorsNamingTheFile) {
  test::TempDir dir;
  write_fake_fashion_mnist(dir.path(), 4, 2);
  const std::string images = dir.file("train-images-idx3-ubyte.gz");
  // Truncated: header promises 4 images, data holds 3.
  std::string bytes = be32(2051) + be32(4) + be32(28) + be32(28) + std::string(3 * 28 * 28, 'x');
  write_gz(images, bytes);
  NASCPP_EXPECT_THROW_WITH(FashionMnist::load(dir.path()), DataError,
                           "train-images-idx3-ubyte.gz' holds 2368 bytes, expected 3152");
  // Wrong magic number.
  write_gz(images, be32(2049) + be32(0) + be32(28) + be32(28));
  NASCPP_EXPECT_THROW_WITH(FashionMnist::load(dir.path()), DataError,
                           "has magic number 2049, expected 2051");
  NASCPP_EXPECT_THROW_WITH(FashionMnist::load(dir.file("missing")), DataError, "does not exist");
}

TEST(FashionMnist, RealDebianPackageFilesLoadThroughTheRegistry) {
  if (!std::filesystem::is_directory(kFashionMnistDefaultRoot)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  ConfigNode cfg;
  auto data = dataset_registry().create("fashion_mnist", cfg);
  EXPECT_EQ(data->train().size(), 60000);
  EXPECT_EQ(data->test().size(), 10000);
  EXPECT_EQ(data->num_classes(), 10);
  // The official training set is balanced: 6,000 images per class.
  const auto counts = torch::bincount(data->train().labels);
  EXPECT_TRUE(torch::equal(counts, torch::full({10}, 6000, torch::kInt64)));
  // Normalisation constants match the data (mean 0.2860, std 0.3530).
  const auto pixels = data->train().images.to(torch::kFloat64).div(255.0);
  EXPECT_NEAR(pixels.mean().item<double>(), data->mean()[0], 5e-4);
  EXPECT_NEAR(pixels.std().item<double>(), data->stddev()[0], 5e-4);
}

}  // namespace
}  // namespace nascpp

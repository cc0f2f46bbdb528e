#include "nascpp/data/cifar.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "nascpp/core/config.h"
#include "nascpp/registries.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// Writes `n` records in the official binary layout; record i has label(s)
// derived from i and pixel value (i + byte offset) % 256.
void write_records(const std::string& path, int n, int label_bytes, int classes) {
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < n; ++i) {
    if (label_bytes == 2) out.put(static_cast<char>(i % 20));  // coarse label
    out.put(static_cast<char>((i * 7) % classes));
    for (int b = 0; b < 3072; ++b) out.put(static_cast<char>((i + b) % 256));
  }
}

TEST(Cifar, Cifar10BinaryRecordsOf3073Bytes) {
  test::TempDir dir;
  for (int i = 1; i <= 5; ++i)
    write_records(dir.file("data_batch_" + std::to_string(i) + ".bin"), 3, 1, 10);
  write_records(dir.file("test_batch.bin"), 2, 1, 10);
  ConfigNode cfg = ConfigNode::parse("root: " + dir.path());
  auto data = dataset_registry().create("cifar10", cfg);
  ASSERT_EQ(data->train().size(), 15);
  ASSERT_EQ(data->test().size(), 2);
  EXPECT_EQ(data->train().images.sizes(), torch::IntArrayRef({15, 3, 32, 32}));
  // Third record of the second file is record 2 of that file: label 14 % 10.
  EXPECT_EQ(data->train().labels[5].item<int64_t>(), 4);
  // Channel planes: byte 1024 of the image is the first green pixel.
  EXPECT_EQ(data->train().images[1][1][0][0].item<int>(), (1 + 1024) % 256);
  EXPECT_EQ(data->train().images[1][2][31][31].item<int>(), (1 + 3071) % 256);
}

TEST(Cifar, Cifar100UsesTheFineLabelOf3074ByteRecords) {
  test::TempDir dir;
  write_records(dir.file("train.bin"), 30, 2, 100);
  write_records(dir.file("test.bin"), 4, 2, 100);
  ConfigNode cfg = ConfigNode::parse("root: " + dir.path());
  auto data = dataset_registry().create("cifar100", cfg);
  ASSERT_EQ(data->train().size(), 30);
  EXPECT_EQ(data->num_classes(), 100);
  EXPECT_EQ(data->train().labels[29].item<int64_t>(), (29 * 7) % 100);
  EXPECT_EQ(data->train().images[3][0][0][0].item<int>(), 3);
}

TEST(Cifar, TruncatedFileNamesFileAndOffset) {
  test::TempDir dir;
  write_records(dir.file("test.bin"), 2, 2, 100);
  write_records(dir.file("train.bin"), 3, 2, 100);
  std::filesystem::resize_file(dir.file("train.bin"), 3074 * 2 + 100);
  NASCPP_EXPECT_THROW_WITH(
      Cifar::load_cifar100(dir.path()), DataError,
      "train.bin' is truncated or not a CIFAR-100 binary file: 6248 bytes is "
      "not a whole number of 3074-byte records (partial record at offset 6148)");
  NASCPP_EXPECT_THROW_WITH(Cifar::load_cifar10(dir.file("nowhere")), DataError, "does not exist");
  ConfigNode empty;
  NASCPP_EXPECT_THROW_WITH(dataset_registry().create("cifar10", empty), ConfigError,
                           "missing required config key 'root'");
}

TEST(Cifar, LabelOutOfRangeIsReported) {
  test::TempDir dir;
  {
    std::ofstream out(dir.file("test_batch.bin"), std::ios::binary);
    out.put(static_cast<char>(12));
    out << std::string(3072, 'a');
  }
  NASCPP_EXPECT_THROW_WITH(read_cifar_binary({dir.file("test_batch.bin")}, 1, 10), DataError,
                           "label 12 at offset 0 is not below 10 classes");
}

}  // namespace
}  // namespace nascpp

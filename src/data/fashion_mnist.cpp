#include "nascpp/data/fashion_mnist.h"

#include <torch/torch.h>

#include <cstring>
#include <filesystem>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"

namespace nascpp {

namespace {

uint32_t read_be32(const std::string& bytes, size_t offset) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + 3]));
}

std::string read_idx(const std::string& path, uint32_t expected_magic, size_t header_bytes) {
  std::string bytes = read_gzip_file(path);
  NASCPP_CHECK_DATA(bytes.size() >= header_bytes,
                    "IDX file '{}' is too short for its header ({} bytes, need {})", path,
                    bytes.size(), header_bytes);
  const uint32_t magic = read_be32(bytes, 0);
  NASCPP_CHECK_DATA(magic == expected_magic, "IDX file '{}' has magic number {}, expected {}", path,
                    magic, expected_magic);
  return bytes;
}

}  // namespace

torch::Tensor read_idx_images(const std::string& path) {
  const std::string bytes = read_idx(path, 2051, 16);
  const int64_t n = read_be32(bytes, 4), rows = read_be32(bytes, 8), cols = read_be32(bytes, 12);
  const size_t expected = 16 + static_cast<size_t>(n * rows * cols);
  NASCPP_CHECK_DATA(bytes.size() == expected,
                    "IDX image file '{}' holds {} bytes, expected {} for {} images of {}x{}", path,
                    bytes.size(), expected, n, rows, cols);
  auto images = torch::empty({n, 1, rows, cols}, torch::kUInt8);
  std::memcpy(images.data_ptr<uint8_t>(), bytes.data() + 16, expected - 16);
  return images;
}

torch::Tensor read_idx_labels(const std::string& path) {
  const std::string bytes = read_idx(path, 2049, 8);
  const int64_t n = read_be32(bytes, 4);
  NASCPP_CHECK_DATA(bytes.size() == 8 + static_cast<size_t>(n),
                    "IDX label file '{}' holds {} bytes, expected {} for {} labels", path,
                    bytes.size(), 8 + n, n);
  auto labels = torch::empty({n}, torch::kUInt8);
  std::memcpy(labels.data_ptr<uint8_t>(), bytes.data() + 8, static_cast<size_t>(n));
  return labels.to(torch::kInt64);
}

std::shared_ptr<const FashionMnist> FashionMnist::load(const std::string& root) {
  NASCPP_CHECK_DATA(std::filesystem::is_directory(root),
                    "Fashion-MNIST directory '{}' does not exist (install the Debian package "
                    "dataset-fashion-mnist, or set the dataset's 'root')",
                    root);
  auto data = std::shared_ptr<FashionMnist>(new FashionMnist());
  auto load_part = [&root, &data](const std::string& prefix, ImageSet& part) {
    const std::string images = root + "/" + prefix + "-images-idx3-ubyte.gz";
    const std::string labels = root + "/" + prefix + "-labels-idx1-ubyte.gz";
    part.images = read_idx_images(images);
    part.labels = read_idx_labels(labels);
    data->add_data_file(images);
    data->add_data_file(labels);
    NASCPP_CHECK_DATA(part.images.size(0) == part.labels.size(0),
                      "Fashion-MNIST '{}' part has {} images but {} labels", prefix,
                      part.images.size(0), part.labels.size(0));
    NASCPP_CHECK_DATA(part.labels.max().item<int64_t>() < 10, "Fashion-MNIST '{}' labels exceed 9",
                      prefix);
  };
  load_part("train", data->train_);
  load_part("t10k", data->test_);
  return data;
}

}  // namespace nascpp

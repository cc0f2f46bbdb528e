#include "nascpp/data/cifar.h"

#include <torch/torch.h>

#include <cstring>
#include <filesystem>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"

namespace nascpp {

namespace {
constexpr int64_t kImageBytes = 3 * 32 * 32;
}

ImageSet read_cifar_binary(const std::vector<std::string>& files, int label_bytes,
                           int num_classes) {
  NASCPP_ASSERT(label_bytes == 1 || label_bytes == 2);
  const int64_t record = label_bytes + kImageBytes;
  std::vector<std::string> contents;
  int64_t total = 0;
  for (const auto& file : files) {
    contents.push_back(read_file(file));
    const auto size = static_cast<int64_t>(contents.back().size());
    NASCPP_CHECK_DATA(size % record == 0,
                      "CIFAR file '{}' is truncated or not a CIFAR-{} binary file: {} bytes is "
                      "not a whole number of {}-byte records (partial record at offset {})",
                      file, num_classes, size, record, size - size % record);
    NASCPP_CHECK_DATA(size > 0, "CIFAR file '{}' is empty", file);
    total += size / record;
  }
  ImageSet set;
  set.images = torch::empty({total, 3, 32, 32}, torch::kUInt8);
  set.labels = torch::empty({total}, torch::kInt64);
  auto* images = set.images.data_ptr<uint8_t>();
  auto* labels = set.labels.data_ptr<int64_t>();
  int64_t index = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const auto& bytes = contents[f];
    const int64_t n = static_cast<int64_t>(bytes.size()) / record;
    for (int64_t i = 0; i < n; ++i, ++index) {
      const char* r = bytes.data() + i * record;
      const int label = static_cast<uint8_t>(r[label_bytes - 1]);
      NASCPP_CHECK_DATA(label < num_classes,
                        "CIFAR file '{}': label {} at offset {} is not below {} classes", files[f],
                        label, i * record + label_bytes - 1, num_classes);
      labels[index] = label;
      std::memcpy(images + index * kImageBytes, r + label_bytes, kImageBytes);
    }
  }
  return set;
}

std::shared_ptr<const Cifar> Cifar::load_cifar10(const std::string& root) {
  NASCPP_CHECK_DATA(std::filesystem::is_directory(root),
                    "CIFAR-10 directory '{}' does not exist (it must hold data_batch_1.bin .. "
                    "data_batch_5.bin and test_batch.bin of the binary version)",
                    root);
  auto data = std::shared_ptr<Cifar>(new Cifar());
  std::vector<std::string> train_files;
  for (int i = 1; i <= 5; ++i)
    train_files.push_back(root + "/data_batch_" + std::to_string(i) + ".bin");
  data->name_ = "cifar10";
  data->num_classes_ = 10;
  // Per-channel statistics of the CIFAR-10 training set (as in the DARTS and
  // NAS-Bench-201 training code).
  data->mean_ = {0.4914, 0.4822, 0.4465};
  data->stddev_ = {0.2470, 0.2435, 0.2616};
  data->train_ = read_cifar_binary(train_files, 1, 10);
  data->test_ = read_cifar_binary({root + "/test_batch.bin"}, 1, 10);
  for (const auto& f : train_files) data->add_data_file(f);
  data->add_data_file(root + "/test_batch.bin");
  return data;
}

std::shared_ptr<const Cifar> Cifar::load_cifar100(const std::string& root) {
  NASCPP_CHECK_DATA(std::filesystem::is_directory(root),
                    "CIFAR-100 directory '{}' does not exist (it must hold train.bin and "
                    "test.bin of the binary version)",
                    root);
  auto data = std::shared_ptr<Cifar>(new Cifar());
  data->name_ = "cifar100";
  data->num_classes_ = 100;
  data->mean_ = {0.5071, 0.4865, 0.4409};
  data->stddev_ = {0.2673, 0.2564, 0.2762};
  data->train_ = read_cifar_binary({root + "/train.bin"}, 2, 100);
  data->test_ = read_cifar_binary({root + "/test.bin"}, 2, 100);
  data->add_data_file(root + "/train.bin");
  data->add_data_file(root + "/test.bin");
  return data;
}

}  // namespace nascpp

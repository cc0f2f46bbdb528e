#pragma once
/// CIFAR-10 and CIFAR-100 (Krizhevsky 2009) in their official binary formats.
/// Users bring the files (they cannot be downloaded by nascpp):
/// - CIFAR-10: `cifar-10-batches-bin/data_batch_{1..5}.bin` and `test_batch.bin`,
///   records of 3073 bytes (label, then 3072 bytes of R, G, B planes of 32x32).
/// - CIFAR-100: `cifar-100-binary/train.bin` and `test.bin`, records of 3074
///   bytes (coarse label, fine label, then the image); nascpp uses the fine label.

#include <memory>
#include <string>
#include <vector>

#include "nascpp/dataset.h"

namespace nascpp {

/// Reads CIFAR binary records from `files`; `label_bytes` is 1 (CIFAR-10) or 2
/// (CIFAR-100, fine label = second byte). A size that is not a whole number of
/// records is a DataError naming the file and the offset of the partial record.
ImageSet read_cifar_binary(const std::vector<std::string>& files, int label_bytes, int num_classes);

class Cifar : public Dataset {
 public:
  /// Loads CIFAR-10 from `root` (the folder holding data_batch_*.bin).
  static std::shared_ptr<const Cifar> load_cifar10(const std::string& root);
  /// Loads CIFAR-100 from `root` (the folder holding train.bin and test.bin).
  static std::shared_ptr<const Cifar> load_cifar100(const std::string& root);

  std::string name() const override { return name_; }
  const ImageSet& train() const override { return train_; }
  const ImageSet& test() const override { return test_; }
  int64_t num_classes() const override { return num_classes_; }
  std::vector<double> mean() const override { return mean_; }
  std::vector<double> stddev() const override { return stddev_; }

 private:
  std::string name_;
  int64_t num_classes_ = 0;
  std::vector<double> mean_, stddev_;
  ImageSet train_, test_;
};

}  // namespace nascpp

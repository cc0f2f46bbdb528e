#pragma once
/// Fashion-MNIST (Xiao et al. 2017) from its gzipped IDX files, as the Debian
/// package `dataset-fashion-mnist` installs them under
/// /usr/share/datasets/fashion-mnist.

#include <memory>
#include <string>

#include "nascpp/dataset.h"

namespace nascpp {

/// Default location of the Debian package's files.
inline constexpr const char* kFashionMnistDefaultRoot = "/usr/share/datasets/fashion-mnist";

/// Reads an IDX image file (magic 2051) into uint8 [N, 1, rows, cols];
/// gzip-compressed or plain. Errors name the file and what was wrong.
torch::Tensor read_idx_images(const std::string& path);
/// Reads an IDX label file (magic 2049) into int64 [N].
torch::Tensor read_idx_labels(const std::string& path);

class FashionMnist : public Dataset {
 public:
  /// Loads train-{images,labels} and t10k-{images,labels} (*.gz) from `root`.
  static std::shared_ptr<const FashionMnist> load(
      const std::string& root = kFashionMnistDefaultRoot);

  std::string name() const override { return "fashion_mnist"; }
  const ImageSet& train() const override { return train_; }
  const ImageSet& test() const override { return test_; }
  int64_t num_classes() const override { return 10; }
  std::vector<double> mean() const override { return {0.2860}; }
  std::vector<double> stddev() const override { return {0.3530}; }

 private:
  ImageSet train_;
  ImageSet test_;
};

}  // namespace nascpp

#pragma once
/// `Dataset`: an image classification data set held in memory, with its
/// official train and test parts.

#include <torch/types.h>

#include <string>

namespace nascpp {

/// Images as uint8 [N, C, H, W] and labels as int64 [N].
struct ImageSet {
  torch::Tensor images;
  torch::Tensor labels;
  /// Number of examples.
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Registry name ("fashion_mnist", ...).
  virtual std::string name() const = 0;
  /// The official training set.
  virtual const ImageSet& train() const = 0;
  /// The official test set (kept apart from any train/validation split).
  virtual const ImageSet& test() const = 0;
  /// Number of classes.
  virtual int64_t num_classes() const = 0;
  /// Per-channel mean and standard deviation of the training images in [0, 1].
  virtual std::vector<double> mean() const = 0;
  virtual std::vector<double> stddev() const = 0;

  /// The files the dataset was read from (for run manifests), in load order.
  const std::vector<std::string>& data_files() const { return data_files_; }

 protected:
  /// Loaders record each file they read.
  void add_data_file(std::string path) { data_files_.push_back(std::move(path)); }

 private:
  std::vector<std::string> data_files_;
};

}  // namespace nascpp

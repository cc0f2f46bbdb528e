#pragma once
/// Seeded splits of a training set into a train and a validation part, as the
/// one-shot methods need (DARTS: `train_portion` 0.5 of the CIFAR-10 training
/// images for the weights, the rest for the architecture). The official test
/// set is never part of a split.

#include <cstdint>
#include <utility>

#include "nascpp/dataset.h"

namespace nascpp {

/// The two parts of a split.
struct TrainValidSplit {
  ImageSet train;
  ImageSet valid;
};

/// Shuffles the indices of `set` with a generator seeded by `seed` and gives
/// the first round(train_portion * N) examples to `train`, the rest to `valid`.
/// The same (set, portion, seed) always gives the same split. `train_portion`
/// must lie in (0, 1] (1 leaves `valid` empty); throws ConfigError otherwise.
TrainValidSplit split_train_valid(const ImageSet& set, double train_portion, uint64_t seed);

/// The examples of `set` at `indices` (int64 [K]), copied.
ImageSet subset(const ImageSet& set, const torch::Tensor& indices);

}  // namespace nascpp

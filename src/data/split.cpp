#include "nascpp/data/split.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "nascpp/core/error.h"
#include "nascpp/core/random.h"

namespace nascpp {

ImageSet subset(const ImageSet& set, const torch::Tensor& indices) {
  return ImageSet{set.images.index_select(0, indices), set.labels.index_select(0, indices)};
}

TrainValidSplit split_train_valid(const ImageSet& set, double train_portion, uint64_t seed) {
  NASCPP_CHECK_CONFIG(train_portion > 0.0 && train_portion <= 1.0,
                      "train_portion must be in (0, 1], got {}", train_portion);
  const int64_t n = set.size();
  NASCPP_CHECK(n > 0, "cannot split an empty data set");
  const auto n_train = std::clamp<int64_t>(
      static_cast<int64_t>(std::llround(train_portion * static_cast<double>(n))), 1, n);
  // Our own generator (not torch's) so that a split does not depend on how
  // much torch randomness was used before it.
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  Rng rng(seed);
  std::shuffle(order.begin(), order.end(), rng.engine());
  const auto all = torch::tensor(order, torch::kInt64);
  TrainValidSplit out;
  out.train = subset(set, all.slice(0, 0, n_train));
  if (n_train < n) {
    out.valid = subset(set, all.slice(0, n_train, n));
  } else {
    out.valid = ImageSet{set.images.slice(0, 0, 0).clone(), set.labels.slice(0, 0, 0).clone()};
  }
  return out;
}

}  // namespace nascpp

#pragma once
/// `NASCPP_ARG(type, name)` declares an option with a chainable setter and a
/// getter, in the manner of LibTorch's `TORCH_ARG`:
///
///     struct TrainerOptions {
///       NASCPP_ARG(double, learning_rate) = 0.025;
///     };
///     auto o = TrainerOptions().learning_rate(0.1);  // o.learning_rate() == 0.1

#define NASCPP_ARG(T, name)                                       \
 public:                                                          \
  inline auto name(const T& new_##name)->decltype(*this) {        \
    this->name##_ = new_##name;                                   \
    return *this;                                                 \
  }                                                               \
  inline const T& name() const noexcept { return this->name##_; } \
                                                                  \
 private:                                                         \
  T name##_

#include <cstdint>

namespace nascpp {

/// Limits that option checks share. Training runs in float32: a learning
/// rate or weight decay above float's largest value cannot be converted
/// (LibTorch fails inside the optimizer step). A batch is at most 2^31
/// examples, so index arithmetic on batch boundaries never overflows.
constexpr double kMaxFloat32 = 3.4028234663852886e38;
constexpr int64_t kMaxBatchSize = int64_t{1} << 31;

}  // namespace nascpp

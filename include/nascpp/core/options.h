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

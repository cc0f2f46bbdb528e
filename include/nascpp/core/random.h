#pragma once
/// Randomness: one seeded generator per run, passed explicitly to everything
/// that draws. Together with `seed_torch(seed)` a CPU run is bit-for-bit
/// reproducible from its seed.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nascpp/core/error.h"

namespace nascpp {

/// The run's random number generator (64-bit Mersenne Twister) with a few
/// convenience draws. Its state can be saved and restored as text.
class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : seed_(seed), engine_(seed) {}

  /// The seed the generator was created with.
  uint64_t seed() const { return seed_; }

  /// Uniform integer in [low, high] (both inclusive).
  int64_t uniform_int(int64_t low, int64_t high) {
    NASCPP_CHECK(low <= high, "empty integer range [{}, {}]", low, high);
    return std::uniform_int_distribution<int64_t>(low, high)(engine_);
  }

  /// Uniform index in [0, n).
  size_t index(size_t n) {
    NASCPP_CHECK(n > 0, "cannot draw an index from an empty range");
    return static_cast<size_t>(uniform_int(0, static_cast<int64_t>(n) - 1));
  }

  /// Uniform real in [low, high).
  double uniform(double low = 0.0, double high = 1.0) {
    return std::uniform_real_distribution<double>(low, high)(engine_);
  }

  /// Standard normal draw.
  double normal(double mean = 0.0, double stddev = 1.0) {
    return std::normal_distribution<double>(mean, stddev)(engine_);
  }

  /// True with probability p.
  bool bernoulli(double p) { return uniform() < p; }

  /// A uniformly chosen element of a non-empty vector.
  template <class T>
  const T& choice(const std::vector<T>& items) {
    return items[index(items.size())];
  }

  /// A fresh seed derived from this generator (for child generators, torch).
  uint64_t next_seed() { return engine_(); }

  /// Underlying engine, for standard distributions and std::shuffle.
  std::mt19937_64& engine() { return engine_; }

  /// Serialised engine state (text), for checkpoints.
  std::string state() const;
  /// Restores a state produced by `state()`; a malformed state is a DataError.
  void set_state(const std::string& state);

 private:
  uint64_t seed_;
  std::mt19937_64 engine_;
};

/// Seeds torch's CPU (and, where present, CUDA) generators.
void seed_torch(uint64_t seed);

}  // namespace nascpp

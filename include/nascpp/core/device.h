#pragma once
/// Device selection: "cpu", "cuda" (or "cuda:N") and "auto" (CUDA when
/// available, else CPU); thread count for LibTorch's CPU kernels.

#include <torch/types.h>

#include <string>

namespace nascpp {

/// Parses a device name. "cuda" where no GPU is available is a ConfigError
/// that says so; an unknown name lists the valid choices.
torch::Device parse_device(const std::string& name);

/// The most threads `set_num_threads` accepts (more would only make each
/// OpenMP region start that many threads).
constexpr int kMaxThreads = 1024;

/// The count `set_num_threads(threads)` puts in effect (0: all cores), without
/// setting it; the same ConfigError for a bad count.
int resolve_num_threads(int threads);

/// Sets LibTorch's intra-op thread count; 0 means all cores. A count below 0
/// or above kMaxThreads is a ConfigError. Returns the count in effect.
int set_num_threads(int threads);

}  // namespace nascpp

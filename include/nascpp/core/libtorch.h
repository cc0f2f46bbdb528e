#pragma once
/// The two places where the core of the library (search spaces' encodings,
/// tabular benchmarks, black-box optimizers, the experiment loop and run
/// directories) asks the process's LibTorch something. The library defines
/// them in src/core/libtorch.cpp; the `nascpp` front-end program links the
/// core without LibTorch and defines them for a process that never loads it
/// (tools/cli/front/without_libtorch.cpp, docs/getting-started.md).

#include <string>

namespace nascpp::libtorch {

/// What LibTorch reports about this process for a run manifest, as a JSON
/// object: "gpu" (CUDA and cuDNN), "threads" (intra- and inter-op) and
/// "determinism"; in a process without LibTorch {"libtorch_loaded": false}.
std::string facts_json();

/// Turns LibTorch's deterministic algorithms on (`deterministic: true`); in a
/// process without LibTorch nothing computes with it, so nothing to turn on.
void use_deterministic_algorithms();

}  // namespace nascpp::libtorch

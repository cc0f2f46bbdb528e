// The core's questions to the process's LibTorch (nascpp/core/libtorch.h).
#include "nascpp/core/libtorch.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

namespace nascpp::libtorch {

std::string facts_json() {
  auto& context = at::globalContext();
  nlohmann::json j;
  j["libtorch_loaded"] = true;
  j["gpu"] = {{"cuda_available", torch::cuda::is_available()},
              {"devices", torch::cuda::is_available() ? torch::cuda::device_count() : 0},
              {"cudnn_available", torch::cuda::cudnn_is_available()}};
  j["threads"] = {{"intra_op", torch::get_num_threads()},
                  {"inter_op", torch::get_num_interop_threads()}};
  j["determinism"] = {{"deterministic_algorithms", context.deterministicAlgorithms()},
                      {"cudnn_deterministic", context.deterministicCuDNN()},
                      {"cudnn_benchmark", context.benchmarkCuDNN()}};
  return j.dump();
}

void use_deterministic_algorithms() {
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
}

}  // namespace nascpp::libtorch

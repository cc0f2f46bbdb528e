// The facts about the software and the machine that a run manifest records.
#include <torch/version.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "nascpp/core/libtorch.h"
#include "nascpp/experiment.h"
#include "nascpp_build_info.h"

namespace nascpp {

namespace {

// "model name" of the first processor in /proc/cpuinfo ("" elsewhere).
std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "";
}

// The library behind libblas.so.3 (Debian's alternatives), which decides
// LibTorch's CPU matrix speed: reference BLAS or OpenBLAS.
std::string blas_library() {
  for (const char* link : {"/etc/alternatives/libblas.so.3-x86_64-linux-gnu",
                           "/etc/alternatives/libblas.so.3-aarch64-linux-gnu"}) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(link, ec);
    if (!ec) return target.string();
  }
  return "";
}

}  // namespace

std::string environment_json() {
  nlohmann::json j;
  j["nascpp"] = {{"version", NASCPP_VERSION}, {"git_revision", NASCPP_GIT_REVISION}};
  j["libtorch"] = TORCH_VERSION;
  j["compiler"] = NASCPP_CXX_COMPILER;
  j["cpu"] = {{"model", cpu_model()},
              {"logical_cores", std::thread::hardware_concurrency()},
              {"blas", blas_library()}};
  j.update(nlohmann::json::parse(libtorch::facts_json()));
  return j.dump();
}

}  // namespace nascpp

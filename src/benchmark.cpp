#include "nascpp/benchmark.h"

#include <cstdlib>
#include <filesystem>

#include "nascpp/core/error.h"

namespace nascpp {

std::string resolve_data_dir(const std::string& configured) {
  std::string dir = configured;
  const char* source = "config key 'data_dir'";
  if (dir.empty()) {
    const char* env = std::getenv("NASCPP_DATA");
    if (env != nullptr) dir = env;
    source = "environment variable NASCPP_DATA";
  }
  NASCPP_CHECK_CONFIG(!dir.empty(),
                      "no benchmark data directory: set the config key 'data_dir' or the "
                      "environment variable NASCPP_DATA (README.md, 'Benchmark data', says "
                      "where to get the files)");
  NASCPP_CHECK_CONFIG(std::filesystem::is_directory(dir),
                      "benchmark data directory '{}' (from the {}) does not exist", dir, source);
  return dir;
}

}  // namespace nascpp

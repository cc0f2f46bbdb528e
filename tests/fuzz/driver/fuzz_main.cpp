// A libFuzzer program for one target of fuzz_targets.h (NASCPP_FUZZ_TARGET,
// set per executable by tests/CMakeLists.txt). scripts/fuzz.sh runs them.
//
// Environment: NASCPP_DATA (the benchmark data; without it the file targets
// fuzz only what needs no real file), NASCPP_FUZZ_WRITE_SEEDS=DIR (write the
// target's seed inputs into DIR and exit).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>

#include "fuzz/fuzz_targets.h"

namespace {

namespace fs = std::filesystem;

nascpp::fuzz::Context context;
std::string work_dir;

void remove_work_dir() {
  std::error_code ec;
  fs::remove_all(work_dir, ec);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const auto& target = nascpp::fuzz::target(NASCPP_FUZZ_TARGET);
  if (const char* data = std::getenv("NASCPP_DATA"); data && fs::is_directory(data)) {
    context.data_dir = data;
  }
  context.source_dir = NASCPP_FUZZ_SOURCE_DIR;
  work_dir = (fs::temp_directory_path() /
              ("nascpp-fuzz-" + std::string(target.name) + "-" + std::to_string(getpid())))
                 .string();
  fs::create_directories(work_dir);
  std::atexit(remove_work_dir);
  context.work_dir = work_dir;
  if (const char* out = std::getenv("NASCPP_FUZZ_WRITE_SEEDS")) {
    fs::create_directories(out);
    int i = 0;
    for (const auto& seed : target.seeds(context)) {
      std::ofstream f(fs::path(out) / ("seed-" + std::to_string(i++)), std::ios::binary);
      f.write(seed.data(), static_cast<std::streamsize>(seed.size()));
    }
    std::cout << "wrote " << i << " seed inputs of " << target.name << " into " << out << "\n";
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto& target = nascpp::fuzz::target(NASCPP_FUZZ_TARGET);
  target.run(std::string_view(reinterpret_cast<const char*>(data), size), context);
  return 0;
}

#include "support/test_support.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

namespace nascpp::test {

std::string data_dir() {
  if (const char* env = std::getenv("NASCPP_DATA"); env && std::filesystem::is_directory(env)) {
    return env;
  }
  if (std::filesystem::is_directory(NASCPP_TEST_DEFAULT_DATA_DIR)) {
    return std::filesystem::canonical(NASCPP_TEST_DEFAULT_DATA_DIR).string();
  }
  return "";
}

bool data_required() {
  const char* env = std::getenv("NASCPP_REQUIRE_DATA");
  return env != nullptr && std::string(env) == "1";
}

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto candidate = std::filesystem::temp_directory_path() /
                     ("nascpp-test-" + std::to_string(rd()) + std::to_string(attempt));
    if (std::filesystem::create_directory(candidate)) {
      path_ = candidate.string();
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string cli_path() { return NASCPP_TEST_CLI; }

}  // namespace nascpp::test

#pragma once
// Helpers shared by the tests.

#include <gtest/gtest.h>

#include <string>

#include "nascpp/core/error.h"

// NASCPP_TEST_ASAN: defined when the tests are built with AddressSanitizer
// (g++ says so with __SANITIZE_ADDRESS__, clang with __has_feature), which
// replaces the allocator and reserves terabytes of address space.
#if defined(__SANITIZE_ADDRESS__)
#define NASCPP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NASCPP_TEST_ASAN 1
#endif
#endif

namespace nascpp::test {

/// The benchmark data directory for tests: $NASCPP_DATA, else ../shared/data
/// beside the source tree. Empty when neither exists.
std::string data_dir();

/// Skips the current test when the benchmark data is absent, unless
/// NASCPP_REQUIRE_DATA=1 (as in .ci/run), where it fails instead.
#define NASCPP_REQUIRE_DATA_DIR()                                                \
  do {                                                                           \
    if (::nascpp::test::data_dir().empty()) {                                    \
      if (::nascpp::test::data_required()) FAIL() << "benchmark data not found"; \
      GTEST_SKIP() << "benchmark data not found (set NASCPP_DATA)";              \
    }                                                                            \
  } while (false)

bool data_required();

/// A fresh empty temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

/// Output and exit status of a command run through the shell.
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::string& command);

/// Path of the built `nascpp` command-line program.
std::string cli_path();

}  // namespace nascpp::test

/// Asserts that `statement` throws `ErrorType` whose message contains `substring`.
#define NASCPP_EXPECT_THROW_WITH(statement, ErrorType, substring)                    \
  do {                                                                               \
    try {                                                                            \
      statement;                                                                     \
      ADD_FAILURE() << "expected " #ErrorType " containing '" << (substring) << "'"; \
    } catch (const ErrorType& e) {                                                   \
      EXPECT_NE(std::string(e.what()).find(substring), std::string::npos)            \
          << "message was: " << e.what();                                            \
    }                                                                                \
  } while (false)

// Every fuzz target on its seed inputs and on every input fuzzing once found
// (tests/fuzz/regressions/<target>/): each parses or gives a nascpp::Error,
// nothing else. scripts/fuzz.sh runs the same targets under libFuzzer.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "fuzz/fuzz_targets.h"
#include "nascpp/core/io.h"
#include "support/test_support.h"

namespace nascpp::fuzz {
namespace {

namespace fs = std::filesystem;

Context test_context(const test::TempDir& dir) {
  return Context{test::data_dir(), dir.path(), NASCPP_TEST_SOURCE_DIR};
}

std::string describe(std::string_view input) {
  std::string out;
  for (char c : input.substr(0, 200)) {
    out += (c >= 32 && c < 127) ? std::string(1, c) : "\\x" + std::to_string(uint8_t(c));
  }
  return out;
}

class FuzzInputs : public ::testing::TestWithParam<std::string> {};

TEST_P(FuzzInputs, SeedsAndRegressionsParseOrGiveNascppErrors) {
  const auto& target = fuzz::target(GetParam());
  test::TempDir dir;
  const Context context = test_context(dir);
  const auto seeds = target.seeds(context);
  ASSERT_FALSE(seeds.empty());
  for (const auto& seed : seeds) {
    try {
      target.run(seed, context);
    } catch (const std::exception& e) {
      ADD_FAILURE() << target.name << " on seed '" << describe(seed) << "': " << e.what();
    }
  }
  const fs::path regressions = fs::path(NASCPP_TEST_SOURCE_DIR) / "tests" / "fuzz" /
                               "regressions" / target.name;
  if (!fs::is_directory(regressions)) return;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(regressions)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const std::string input = read_file(file.string());
    try {
      target.run(input, context);
    } catch (const std::exception& e) {
      ADD_FAILURE() << target.name << " on " << file << ": " << e.what();
    }
  }
}

TEST(FuzzTargets, UnknownNamesListTheValidOnes) {
  try {
    fuzz::target("nope");
    ADD_FAILURE() << "no error for an unknown target";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'nope'; valid choices: nb201_arch, nb101_arch"),
              std::string::npos)
        << e.what();
  }
}

std::vector<std::string> target_names() {
  std::vector<std::string> names;
  for (const auto& t : targets()) names.push_back(t.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzInputs, ::testing::ValuesIn(target_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nascpp::fuzz

// The nascpp command run as a real child process.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace nascpp {
namespace {

using test::cli_path;
using test::run_command;

TEST(Cli, ListPrintsEveryRegistryWithDescriptions) {
  const auto r = run_command(cli_path() + " list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* title :
       {"search spaces:", "optimizers:", "benchmarks:", "datasets:", "operations:"}) {
    EXPECT_NE(r.output.find(title), std::string::npos) << title << "\n" << r.output;
  }
  EXPECT_NE(r.output.find("nor_conv_3x3"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("sep_conv_5x5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("fashion_mnist"), std::string::npos) << r.output;
}

TEST(Cli, ListOneKind) {
  const auto r = run_command(cli_path() + " list datasets");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fashion_mnist"), std::string::npos);
  EXPECT_EQ(r.output.find("operations:"), std::string::npos);
}

TEST(Cli, BadArgumentsExitNonZeroWithChoices) {
  auto r = run_command(cli_path() + " list widgets");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("widgets"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("operations"), std::string::npos) << r.output;

  r = run_command(cli_path() + " frobnicate");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("frobnicate"), std::string::npos) << r.output;

  r = run_command(cli_path());
  EXPECT_NE(r.exit_code, 0);
}

TEST(Cli, HelpOnEverySubcommand) {
  for (const char* sub : {"list", "query", "evaluate"}) {
    const auto r = run_command(cli_path() + " " + sub + " --help");
    EXPECT_EQ(r.exit_code, 0) << sub << ": " << r.output;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << sub << ": " << r.output;
  }
}

TEST(Cli, EvaluateRejectsUnknownConfigKeysBeforeTraining) {
  test::TempDir dir;
  const std::string config = dir.file("exp.yaml");
  {
    std::FILE* f = std::fopen(config.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("train:\n  epocs: 3\n", f);
    std::fclose(f);
  }
  const auto r = run_command(cli_path() + " evaluate " + config +
                             " --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_"
                             "connect~0|skip_connect~1|skip_connect~2|'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown config key 'train.epocs'; did you mean 'epochs'?"),
            std::string::npos)
      << r.output;
}

TEST(Cli, EvaluateRejectsMalformedArchitecture) {
  const auto r = run_command(cli_path() + " evaluate --arch '|conv~0|+|'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("nor_conv_3x3"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace nascpp

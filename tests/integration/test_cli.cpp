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
  for (const char* sub : {"list", "query", "evaluate", "describe"}) {
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

namespace nascpp {
namespace {

std::string data_env() { return "NASCPP_DATA='" + test::data_dir() + "' "; }

TEST(CliQuery, ArchitectureByIndexPrintsEveryMetric) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto r =
      test::run_command(data_env() + test::cli_path() + " query nasbench201 --arch 6111");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("architecture: |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_"
                          "connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"),
            std::string::npos)
      << r.output;
  // Reference values of the NAS-Bench-201 data (PROVENANCE.md): 91.6067 / 94.3733.
  EXPECT_NE(r.output.find("valid_acc: 91.606"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("test_acc: 94.373"), std::string::npos) << r.output;
  for (const char* d : {"cifar10-valid:", "cifar10:", "cifar100:", "ImageNet16-120:"}) {
    EXPECT_NE(r.output.find(d), std::string::npos) << d;
  }
  EXPECT_NE(r.output.find("latency_ms.raspi4"), std::string::npos) << r.output;
}

TEST(CliQuery, OpCodeAndArchStringGiveTheSameRow) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto by_code = test::run_command(data_env() + test::cli_path() +
                                         " query nasbench201 --arch 421211 --dataset cifar100");
  const auto by_string = test::run_command(
      data_env() + test::cli_path() +
      " query nasbench201 --dataset cifar100 --arch '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_"
      "connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|'");
  ASSERT_EQ(by_code.exit_code, 0) << by_code.output;
  EXPECT_EQ(by_code.output, by_string.output);
  EXPECT_NE(by_code.output.find("index: 0\n"), std::string::npos) << by_code.output;
}

TEST(CliQuery, BestMatchesThePublishedOptima) {
  NASCPP_REQUIRE_DATA_DIR();
  auto r = test::run_command(data_env() + test::cli_path() +
                             " query nasbench201 --best --dataset cifar100");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("index: 9930\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("best valid_acc on cifar100: 73.49"), std::string::npos) << r.output;
  r = test::run_command(data_env() + test::cli_path() +
                        " query nasbench201 --best --dataset ImageNet16-120 --metric test_acc");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("best test_acc on ImageNet16-120: 47.31"), std::string::npos) << r.output;
}

TEST(CliQuery, BadInputNamesTheValueAndTheChoices) {
  NASCPP_REQUIRE_DATA_DIR();
  auto r = test::run_command(data_env() + test::cli_path() +
                             " query nasbench201 --arch 6111 --dataset cifar11");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown dataset 'cifar11'; did you mean 'cifar10'?"), std::string::npos)
      << r.output;
  r = test::run_command(data_env() + test::cli_path() + " query nasbench201 --arch 15625");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("15625"), std::string::npos) << r.output;
  r = test::run_command(data_env() + test::cli_path() + " query nasbench202 --arch 1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown benchmark 'nasbench202'"), std::string::npos) << r.output;
  r = test::run_command("NASCPP_DATA=/nonexistent " + test::cli_path() +
                        " query nasbench201 --arch 1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'/nonexistent'"), std::string::npos) << r.output;
}

TEST(Cli, LogFileReceivesTheLog) {
  test::TempDir dir;
  const auto r = test::run_command(test::cli_path() + " --log-file " + dir.file("run.log") +
                                   " evaluate --arch '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|"
                                   "none~1|nor_conv_1x1~2|' --set search_space.channels=2 --set "
                                   "search_space.cells_per_stage=1 --set train.train_limit=64 "
                                   "--set train.eval_limit=64 --set train.batch_size=32");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("test top-1:"), std::string::npos) << r.output;
  const auto log = test::run_command("cat " + dir.file("run.log"));
  EXPECT_NE(log.output.find("epoch 1/1: train loss"), std::string::npos) << log.output;
}

}  // namespace
}  // namespace nascpp

namespace nascpp {
namespace {

using test::cli_path;
using test::run_command;

// The NAS-Bench-201 network of index 4811: its NAS-Bench-Suite-Zero CIFAR-10
// record has params 0.615386 (units of 1e6). MACs by hand: cells 5 x 3 stages
// x (2 conv3x3 + 2 conv1x1) = 78,643,200; stem 442,368; two ResNet blocks
// 2 x 3,670,016; classifier 640.
TEST(CliDescribe, PrintsParametersMacsAndLayers) {
  const auto r =
      run_command(cli_path() +
                  " describe nasbench201 --arch '|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
                  "|nor_conv_1x1~0|nor_conv_1x1~1|none~2|'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("parameters: 615386\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("parameters without auxiliary head: 615386\n"), std::string::npos);
  EXPECT_NE(r.output.find("multiply-accumulates per image: 86426240 "), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("layers:"), std::string::npos);
}

TEST(CliDescribe, BadInputNamesTheValueAndTheChoices) {
  auto r = run_command(cli_path() + " describe nasbench999 --arch x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("nasbench999"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nasbench201"), std::string::npos) << r.output;
  r = run_command(cli_path() + " describe nasbench201 --arch '|bogus~0|'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bogus"), std::string::npos) << r.output;
  r = run_command(cli_path() + " describe nasbench201 --set widht=3 --arch x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("widht"), std::string::npos) << r.output;
}

// 30,000 nested '[' once overflowed the stack of the DARTS genotype parser
// (SIGSEGV, exit 139); they are a configuration error (exit 2) naming the
// limit, given on the command line or inside an evaluate configuration.
TEST(CliDescribe, DeeplyNestedGenotypeIsAUsageError) {
  const std::string deep(30000, '[');
  auto r = run_command(cli_path() + " describe darts --arch '" + deep + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("lists and calls nested deeper than 64 levels"), std::string::npos)
      << r.output.substr(0, 2000);
  EXPECT_LT(r.output.size(), 4000u) << "the message repeats the whole input";

  test::TempDir dir;
  const std::string quoted = dir.file("quoted.yaml");
  {
    std::FILE* f = std::fopen(quoted.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(("search_space:\n  name: darts\narch: \"" + deep + "\"\n").c_str(), f);
    std::fclose(f);
  }
  r = run_command(cli_path() + " evaluate " + quoted);
  EXPECT_EQ(r.exit_code, 2) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("nested deeper than 64 levels"), std::string::npos)
      << r.output.substr(0, 2000);

  // Unquoted, the '[' are YAML flow sequences: yaml-cpp's depth guard stops
  // them, reported as a configuration error rather than "bad file".
  const std::string flow = dir.file("flow.yaml");
  {
    std::FILE* f = std::fopen(flow.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(("search_space:\n  name: darts\narch: " + deep + "\n").c_str(), f);
    std::fclose(f);
  }
  r = run_command(cli_path() + " evaluate " + flow);
  EXPECT_EQ(r.exit_code, 2) << r.output.substr(0, 2000);
  EXPECT_NE(r.output.find("the YAML nests deeper than the parser's recursion limit"),
            std::string::npos)
      << r.output.substr(0, 2000);
}

}  // namespace
}  // namespace nascpp

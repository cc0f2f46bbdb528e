// `nascpp query nasbench101` run as a real child process.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace nascpp {
namespace {

std::string data_env() { return "NASCPP_DATA='" + test::data_dir() + "' "; }

// The first cell of nb101_sample30.json: its hash, its pruned spec, and the
// mean of its three 108-epoch validation accuracies (0.92558, 0.92798,
// 0.92468 -> 92.608 %), 6,315,018 parameters.
const char* kHash = "ff92c322c5d9d3d587d9c146a63d0807";
const char* kSpec =
    "[[0,1,0,1,0,0,0],[0,0,1,1,1,0,0],[0,0,0,1,0,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,1,0],"
    "[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]|input,conv3x3-bn-relu,conv1x1-bn-relu,conv1x1-bn-relu,"
    "conv3x3-bn-relu,conv1x1-bn-relu,output";

TEST(CliQueryNasBench101, BySpecAndByHashPrintTheSameCell) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto by_spec = test::run_command(data_env() + test::cli_path() +
                                         " query nasbench101 --spec '" + kSpec + "'");
  ASSERT_EQ(by_spec.exit_code, 0) << by_spec.output;
  EXPECT_NE(by_spec.output.find(std::string("hash: ") + kHash), std::string::npos)
      << by_spec.output;
  EXPECT_NE(by_spec.output.find("valid_acc: 92.608"), std::string::npos) << by_spec.output;
  EXPECT_NE(by_spec.output.find("params: 6315018"), std::string::npos) << by_spec.output;
  const auto by_hash =
      test::run_command(data_env() + test::cli_path() + " query nasbench101 --hash " + kHash);
  ASSERT_EQ(by_hash.exit_code, 0) << by_hash.output;
  EXPECT_EQ(by_hash.output, by_spec.output);
}

TEST(CliQueryNasBench101, BadInputIsAnErrorNamingIt) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto bad_op =
      test::run_command(data_env() + test::cli_path() +
                        " query nasbench101 --spec '[[0,1],[0,0]]|input,conv,output'");
  EXPECT_NE(bad_op.exit_code, 0);
  EXPECT_NE(bad_op.output.find("unknown op 'conv'"), std::string::npos) << bad_op.output;
  const auto unknown = test::run_command(
      data_env() + test::cli_path() + " query nasbench101 --hash 0123456789abcdef0123456789abcdef");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("is not in the benchmark table"), std::string::npos)
      << unknown.output;
  const auto wrong_bench =
      test::run_command(data_env() + test::cli_path() + " query nasbench201 --hash " + kHash);
  EXPECT_NE(wrong_bench.exit_code, 0);
  EXPECT_NE(wrong_bench.output.find("options of the nasbench101 benchmark"), std::string::npos)
      << wrong_bench.output;
}

}  // namespace
}  // namespace nascpp

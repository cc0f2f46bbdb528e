#include "support/experiment_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "nascpp/core/io.h"
#include "nascpp/experiment.h"
#include "support/test_support.h"

extern char** environ;

namespace nascpp::test {

using Json = nlohmann::json;

std::string example_config(const std::string& name) {
  return std::string(NASCPP_TEST_SOURCE_DIR) + "/examples/configs/" + name;
}

ConfigNode tabular_config(const std::string& optimizer, int64_t queries, uint64_t seed) {
  auto cfg = ConfigNode::load_file(example_config("search_nb201_" + optimizer + ".yaml"));
  cfg.apply_override("evaluator.data_dir=" + data_dir());
  cfg.apply_override("budget.max_queries=" + std::to_string(queries));
  cfg.apply_override("seed=" + std::to_string(seed));
  return cfg;
}

std::vector<Json> results_without_wall(const std::string& dir) {
  std::vector<Json> out;
  for (const auto& line : read_complete_lines(dir + "/results.jsonl")) {
    Json j = Json::parse(line);
    j.erase("wall_s");
    if (j.contains("epoch")) j.erase("cost");  // one-shot: the epoch's wall seconds
    out.push_back(j);
  }
  return out;
}

int spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << args[0];
  return rc == 0 ? pid : -1;
}

int wait_for(int pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void run_and_kill(const std::vector<std::string>& args, const std::string& results, size_t lines,
                  int delay_ms) {
  const pid_t pid = spawn(args);
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    if (read_complete_lines(results).size() >= lines) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_FALSE(exited) << "the run ended before it could be killed";
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
}

std::vector<std::string> with_out(std::vector<std::string> args, const std::string& out) {
  args.insert(args.end(), {"--out", out});
  return args;
}

std::string shell_line(const std::vector<std::string>& args) {
  std::string cmd;
  for (const auto& a : args) cmd += "'" + a + "' ";
  return cmd;
}

void expect_same_runs(const std::string& uninterrupted, const std::string& resumed) {
  const auto a = results_without_wall(uninterrupted);
  const auto b = results_without_wall(resumed);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], b[i]) << "line " << i + 1;
  const auto sa = read_summary(uninterrupted);
  const auto sb = read_summary(resumed);
  EXPECT_EQ(sa.architecture, sb.architecture);
  EXPECT_EQ(sa.objective, sb.objective);
  EXPECT_EQ(sa.report_value, sb.report_value);
  EXPECT_EQ(sa.steps, sb.steps);
  EXPECT_EQ(sa.has_final, sb.has_final);
  EXPECT_EQ(sa.final_test_top1, sb.final_test_top1);
  EXPECT_EQ(sa.final_test_loss, sb.final_test_loss);
  const Json manifest = Json::parse(read_file(resumed + "/manifest.json"));
  EXPECT_GE(manifest["sessions"].size(), 2u);
  EXPECT_TRUE(manifest["sessions"].back()["resumed"].get<bool>());
}

}  // namespace nascpp::test

// The front end `nascpp`: runs `run`, `report` and `query` itself, with the
// library's core linked without LibTorch (no LibTorch start-up: 0.5-0.7 s on
// the reference machine), and hands every other command line over to
// nascpp-torch, the program beside it, as it does a run that turns out to
// need LibTorch (tools/cli/commands.h, docs/getting-started.md).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <set>

#include "../commands.h"
#include "nascpp/core/log.h"

namespace nascpp::cli {

void add_commands(CLI::App& app) {
  add_query_command(app);
  add_run_command(app);
  add_report_command(app);
}

bool runs_here(const std::string& command) {
  static const std::set<std::string> here = {"query", "report", "run"};
  return here.count(command) > 0;
}

int hand_over(int argc, char** argv) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string full =
      ec ? std::string("nascpp-torch") : (self.parent_path() / "nascpp-torch").string();
  std::cout.flush();
  std::cerr.flush();
  logger()->flush();
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  ::execv(full.c_str(), args.data());
  std::cerr << "nascpp: error: cannot start '" << full << "' (the nascpp program with LibTorch, "
            << "installed beside this one, which runs this command): " << std::strerror(errno)
            << "\n";
  return 1;
}

std::string error_message(const std::exception& e) { return e.what(); }

}  // namespace nascpp::cli

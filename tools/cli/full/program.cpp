// nascpp-torch: the program that runs every command, with LibTorch
// (tools/cli/commands.h).
#include <c10/util/Exception.h>

#include <iostream>

#include "../commands.h"

namespace nascpp::cli {

void add_commands(CLI::App& app) {
  add_list_command(app);
  add_query_command(app);
  add_evaluate_command(app);
  add_describe_command(app);
  add_run_command(app);
  add_report_command(app);
  add_zero_cost_command(app);
  add_predictors_command(app);
}

bool runs_here(const std::string&) { return true; }

int hand_over(int, char**) {
  // Nothing here throws NeedsLibTorch (only the front end's stand-ins do).
  std::cerr << "nascpp: error: internal: nascpp-torch was asked to hand a command over\n";
  return 1;
}

std::string error_message(const std::exception& e) {
  // what() of a LibTorch error carries C++ stack frames; the message alone
  // is what the user can act on.
  if (const auto* torch_error = dynamic_cast<const c10::Error*>(&e)) {
    return one_line(torch_error->what_without_backtrace());
  }
  return e.what();
}

}  // namespace nascpp::cli

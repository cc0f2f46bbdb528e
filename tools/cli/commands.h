#pragma once
// Subcommands of the nascpp program. Each add_* registers its subcommand and
// the callback that runs it; callbacks throw nascpp::Error on bad input and
// main() turns that into a message and an exit code.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "nascpp/core/error.h"
#include "nascpp/core/progress.h"

namespace nascpp::cli {

/// Options every subcommand shares.
struct GlobalOptions {
  int threads = 0;       // 0: all cores
  bool verbose = false;  // debug-level logging
  bool quiet = false;    // warnings and errors only
};

// The two programs (tools/cli/main.cpp) differ in the five functions below:
// tools/cli/full/program.cpp defines them for nascpp-torch,
// tools/cli/front/program.cpp for the front end `nascpp`.

/// Adds the subcommands this program runs.
void add_commands(CLI::App& app);
/// Whether this program runs `command` (the first argument that is neither
/// a global option nor its value; "" for none, e.g. `nascpp --help`).
bool runs_here(const std::string& command);
/// Runs the command line in nascpp-torch instead (the program beside this
/// one, which replaces this process); returns only when that cannot be done,
/// with an error status after a message.
int hand_over(int argc, char** argv);
/// The message for an exception no other handler took (a LibTorch error:
/// without its C++ stack frames, on one line).
std::string error_message(const std::exception& e);

/// Thrown in the front end by each part of the library that needs LibTorch,
/// when the experiment is composed (before anything is written): main()
/// then hands the command line over to nascpp-torch.
class NeedsLibTorch : public Error {
 public:
  using Error::Error;
};

/// The subcommand of a command line: the first argument that is neither a
/// global option nor the value of one ("" when there is none).
std::string command_of(int argc, char** argv);

void add_list_command(CLI::App& app);
void add_query_command(CLI::App& app);
void add_evaluate_command(CLI::App& app);
void add_describe_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_zero_cost_command(CLI::App& app);
void add_predictors_command(CLI::App& app);

/// A progress bar on stderr when stderr is a terminal (and logging is not
/// quiet), else nullptr: then the library's periodic log lines show progress.
std::unique_ptr<ProgressBar> terminal_progress();

/// Adds a log file sink (--log-file) to the library's logger.
void add_log_file(const std::string& path);
/// Sends what the calling thread logs to `path` as well (a run directory's
/// run.log; several runs of a study may log at once from their threads);
/// an empty path stops it.
void set_thread_run_log(const std::string& path);

/// The command line as one string (for run manifests).
std::string command_line();

/// `text` on one line: runs of white space (newlines included) become one
/// space, none at either end.
std::string one_line(const std::string& text);

}  // namespace nascpp::cli

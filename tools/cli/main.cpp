// The nascpp programs: the only place that catches exceptions, configures log
// sinks and chooses exit codes (0 success, 1 runtime failure, 2 bad usage or
// configuration, 3 bad or missing data). Two programs share it: nascpp-torch
// runs every command (tools/cli/full), and the front end `nascpp` runs the
// commands of tabular studies without loading LibTorch and hands everything
// else over to nascpp-torch (tools/cli/front).
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <new>

#include "address_space.h"
#include "commands.h"
#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "nascpp/core/memory.h"
#include "validators.h"

namespace nascpp::cli {

namespace {
bool quiet_console = false;
}  // namespace

std::unique_ptr<ProgressBar> terminal_progress() {
  if (quiet_console || !is_terminal(2)) return nullptr;
  return std::make_unique<ProgressBar>(std::cerr);
}

namespace {

std::string the_command_line;
constexpr const char* kFilePattern = "[%Y-%m-%d %H:%M:%S.%e] [%l] %v";

// A sink that writes each message to the run log of the thread that logged
// it: the runs of a study with --jobs log at once, each into its own run.log.
class ThreadRunLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static void set(const std::string& path) {
    current().reset();
    if (!path.empty()) {
      current() = std::make_unique<spdlog::sinks::basic_file_sink_st>(path, /*truncate=*/false);
      current()->set_pattern(kFilePattern);
    }
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (auto& file = current()) {
      file->log(msg);
      file->flush();
    }
  }
  void flush_() override {}

 private:
  static std::unique_ptr<spdlog::sinks::basic_file_sink_st>& current() {
    thread_local std::unique_ptr<spdlog::sinks::basic_file_sink_st> file;
    return file;
  }
};

}  // namespace

void add_log_file(const std::string& path) {
  auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, /*truncate=*/false);
  sink->set_pattern(kFilePattern);
  logger()->sinks().push_back(sink);
}

void set_thread_run_log(const std::string& path) { ThreadRunLogSink::set(path); }

std::string command_line() { return the_command_line; }

std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string command_of(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" || arg == "--log-file") {
      ++i;  // and its value
    } else if (arg.empty() || arg[0] != '-') {
      return arg;
    }
  }
  return "";
}

namespace {

void configure_console_logging(const GlobalOptions& options) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_pattern("[%H:%M:%S] %^%l%$ %v");
  logger()->sinks().push_back(sink);
  logger()->set_level(options.verbose ? spdlog::level::debug
                      : options.quiet ? spdlog::level::warn
                                      : spdlog::level::info);
  logger()->flush_on(spdlog::level::info);
  logger()->sinks().push_back(std::make_shared<ThreadRunLogSink>());
}

}  // namespace
}  // namespace nascpp::cli

int main(int argc, char** argv) {
  using namespace nascpp;
  // Keep freed tensor memory in the process between training steps
  // (nascpp/core/memory.h); MALLOC_*_ environment variables still win.
  tune_allocator();
  for (int i = 0; i < argc; ++i) {
    cli::the_command_line += (i ? " " : "") + std::string(argv[i]);
  }
  cli::GlobalOptions global;
  CLI::App app{"nascpp: neural architecture search on LibTorch"};
  app.set_version_flag("--version", std::string("nascpp ") + "0.1.0");
  app.require_subcommand(1);
  app.add_option("--threads", global.threads, "LibTorch CPU threads (0: all cores)")
      ->check(cli::whole_number_in(0, kMaxThreads));
  app.add_flag("-v,--verbose", global.verbose, "debug-level log messages");
  app.add_flag("-q,--quiet", global.quiet, "warnings and errors only");
  std::string log_file;
  app.add_option("--log-file", log_file, "also append the log to this file")
      ->check(cli::non_empty());
  cli::add_commands(app);
  app.parse_complete_callback([&app, &global, &log_file] {
    cli::configure_console_logging(global);
    cli::quiet_console = global.quiet;
    if (!log_file.empty()) cli::add_log_file(log_file);
    const int threads = set_num_threads(global.threads);
    // The commands that compute call BLAS; under `ulimit -v` its buffers are
    // mapped now (cli/address_space.h).
    for (const auto* sub : app.get_subcommands()) {
      for (const char* computing : {"describe", "evaluate", "run"}) {
        if (sub->get_name() == computing) cli::reserve_blas_buffers(threads);
      }
    }
  });
  try {
    // The front end runs only some commands itself (cli/commands.h).
    const std::string command = cli::command_of(argc, argv);
    if (!cli::runs_here(command)) return cli::hand_over(argc, argv);
    // Name an unknown command and the valid ones (CLI11 only says one is required).
    if (!command.empty()) {
      std::vector<std::string> known;
      for (const auto* sub : app.get_subcommands({})) known.push_back(sub->get_name());
      if (std::find(known.begin(), known.end(), command) == known.end()) {
        throw ConfigError(unknown_choice_message("command", command, known));
      }
    }
    app.parse(argc, argv);
  } catch (const cli::NeedsLibTorch& e) {
    // Thrown only in the front end, while the run is composed and before it
    // writes anything (tools/cli/front/without_libtorch.cpp).
    logger()->debug("{}: handing over to nascpp-torch", e.what());
    return cli::hand_over(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints --help and --version (exit 0) and its message for a bad
    // command line; its own exit codes (105, 106, 109, ...) are not ours: bad
    // usage exits 2.
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const ConfigError& e) {
    std::cerr << "nascpp: error: " << e.what() << "\n";
    return 2;
  } catch (const DataError& e) {
    std::cerr << "nascpp: data error: " << e.what() << "\n";
    return 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "nascpp: error: out of memory; use a smaller network or batch (e.g. lower "
                 "channels, layers or batch_size) or a machine with more memory\n";
    return 1;
  } catch (const std::exception& e) {
    // The last line of defence, e.g. a LibTorch error the library did not
    // turn into one of its own (its message without C++ stack frames).
    std::cerr << "nascpp: error: " << cli::error_message(e) << "\n";
    return 1;
  }
  return 0;
}

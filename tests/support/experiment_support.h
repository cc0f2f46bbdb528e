#pragma once
// Helpers of the experiment tests: example configurations, child processes
// of the nascpp program killed at a chosen moment, comparisons of run
// directories.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nascpp/core/config.h"

namespace nascpp::test {

/// examples/configs/<name>.
std::string example_config(const std::string& name);

/// An example NAS-Bench-201 search (search_nb201_<optimizer>.yaml) on the
/// test data with `queries` queries and `seed`.
ConfigNode tabular_config(const std::string& optimizer, int64_t queries, uint64_t seed = 0);

/// results.jsonl without the wall-clock fields (the only ones a resumed run
/// may differ in).
std::vector<nlohmann::json> results_without_wall(const std::string& dir);

/// Starts the program `args[0]` with `args`, kills it with SIGKILL once
/// `results` has `lines` complete lines plus `delay_ms`, and waits for it.
/// Fails the test when the program ends before.
void run_and_kill(const std::vector<std::string>& args, const std::string& results, size_t lines,
                  int delay_ms);

/// Starts the program in the background; returns its pid (stdout/stderr to
/// /dev/null).
int spawn(const std::vector<std::string>& args);
/// Waits for `pid`; its exit code (-1 when killed by a signal).
int wait_for(int pid);

/// `args` with `--out DIR` appended, and as one shell command line.
std::vector<std::string> with_out(std::vector<std::string> args, const std::string& out);
std::string shell_line(const std::vector<std::string>& args);

/// The two runs have the same results (but wall time), summary and, for
/// the resumed one, two manifest sessions.
void expect_same_runs(const std::string& uninterrupted, const std::string& resumed);

}  // namespace nascpp::test

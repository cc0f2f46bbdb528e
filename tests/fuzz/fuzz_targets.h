#pragma once
// The fuzz targets: every parser of untrusted text or files (architecture
// strings and genotypes, search spaces declared from a graph, command-line seed lists, experiment configurations,
// the CSV reader, the NAS-Bench-201 and NAS-Bench-101 readers).
//
// A target feeds one input to the parser and checks what must hold for any
// input: it either succeeds (and then round trips where the format allows)
// or throws a nascpp::Error (ConfigError, DataError). Any other exception,
// a failed invariant (FuzzFailure) or a sanitizer report is a bug.
//
// The same targets run in three places: the libFuzzer programs of
// scripts/fuzz.sh (tests/fuzz/driver), and the GoogleTest suite, which feeds
// them their seed inputs and every input under tests/fuzz/regressions/<target>/
// (what fuzzing once found) on every CI run.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nascpp::fuzz {

/// Where a target finds the benchmark data (empty: absent; the file targets
/// then fuzz only what needs no real file) and a scratch directory for the
/// files it writes.
struct Context {
  std::string data_dir;
  std::string work_dir;
  /// The source tree (examples/configs seeds the configuration target).
  std::string source_dir;
};

/// An invariant that failed for some input (a bug, unlike nascpp::Error).
class FuzzFailure : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

struct Target {
  const char* name;
  const char* what;
  void (*run)(std::string_view input, const Context& context);
  std::vector<std::string> (*seeds)(const Context& context);
};

/// Every target, in a fixed order.
const std::vector<Target>& targets();
/// The target called `name`; std::invalid_argument listing the names otherwise.
const Target& target(const std::string& name);

}  // namespace nascpp::fuzz

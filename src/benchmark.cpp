#include "nascpp/benchmark.h"

#include <cstdlib>
#include <algorithm>
#include <filesystem>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {
bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
}  // namespace

std::vector<std::string> Benchmark::metrics(const std::string& dataset) const {
  const auto valid = datasets();
  if (std::find(valid.begin(), valid.end(), dataset) == valid.end()) {
    throw ConfigError(unknown_choice_message("dataset of benchmark '" + name() + "'", dataset,
                                             valid));
  }
  return metrics();
}

std::map<std::string, double> Benchmark::all_metrics(const Architecture& arch,
                                                     const std::string& dataset) const {
  std::map<std::string, double> out;
  for (const auto& metric : metrics(dataset)) {
    const Handle h = resolve(dataset, metric, 0);
    if (!h.valid()) continue;
    if (auto v = value(arch, h)) out[metric] = *v;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Benchmark::identifiers(
    const Architecture& arch) const {
  (void)arch;
  return {};
}

std::optional<Architecture> Benchmark::lookup(const std::string& key) const {
  (void)key;
  return std::nullopt;
}

Benchmark::BestArchitecture Benchmark::best_architecture(const std::string& dataset,
                                                         const std::string& metric) const {
  (void)dataset;
  throw ConfigError(fmt::format(
      "benchmark '{}' cannot enumerate its architectures, so it has no best one for '{}'", name(),
      metric));
}

bool Benchmark::lower_is_better(const std::string& metric) const {
  for (const char* prefix : {"train_time", "params", "flops", "latency", "zc_time"}) {
    if (starts_with(metric, prefix)) return true;
  }
  for (const char* prefix : {"halfway_train_time"}) {
    if (starts_with(metric, prefix)) return true;
  }
  return false;
}

std::string Benchmark::default_metric(const std::string& dataset) const {
  (void)dataset;
  return "valid_acc";
}

std::string resolve_data_dir(const std::string& configured) {
  std::string dir = configured;
  const char* source = "config key 'data_dir'";
  if (dir.empty()) {
    const char* env = std::getenv("NASCPP_DATA");
    if (env != nullptr) dir = env;
    source = "environment variable NASCPP_DATA";
  }
  NASCPP_CHECK_CONFIG(!dir.empty(),
                      "no benchmark data directory: set the config key 'data_dir' or the "
                      "environment variable NASCPP_DATA (README.md, 'Benchmark data', says "
                      "where to get the files)");
  NASCPP_CHECK_CONFIG(std::filesystem::is_directory(dir),
                      "benchmark data directory '{}' (from the {}) does not exist", dir, source);
  return dir;
}

}  // namespace nascpp

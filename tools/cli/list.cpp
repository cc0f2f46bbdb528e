// `nascpp list`: every registered name of every extension kind, with its
// one-line description.
#include <iostream>

#include "commands.h"
#include "nascpp/ops/op.h"
#include "nascpp/registries.h"
#include "nascpp/zero_cost.h"

namespace nascpp::cli {

namespace {

template <class R>
void print_registry(const std::string& title, const R& registry) {
  std::cout << title << ":\n";
  const auto entries = registry.entries();
  if (entries.empty()) std::cout << "  (none registered)\n";
  size_t width = 0;
  for (const auto& e : entries) width = std::max(width, e.name.size());
  for (const auto& e : entries) {
    std::cout << "  " << e.name << std::string(width - e.name.size() + 2, ' ') << e.description
              << "\n";
  }
}

}  // namespace

void add_list_command(CLI::App& app) {
  auto* cmd =
      app.add_subcommand("list",
                         "List the registered search spaces, optimizers, "
                         "benchmarks, datasets, operations, zero-cost proxies and predictors");
  auto kind = std::make_shared<std::string>("all");
  cmd->add_option("kind", *kind, "Which registry to list")
      ->check(CLI::IsMember({"all", "search_spaces", "optimizers", "benchmarks", "datasets",
                             "operations", "zero_cost", "predictors"}));
  cmd->callback([kind] {
    const bool all = *kind == "all";
    if (all || *kind == "search_spaces") print_registry("search spaces", search_space_registry());
    if (all || *kind == "optimizers") print_registry("optimizers", optimizer_registry());
    if (all || *kind == "benchmarks") print_registry("benchmarks", benchmark_registry());
    if (all || *kind == "datasets") print_registry("datasets", dataset_registry());
    if (all || *kind == "operations") print_registry("operations", op_registry());
    if (all || *kind == "zero_cost") print_registry("zero-cost proxies", zero_cost_registry());
    if (all || *kind == "predictors") print_registry("predictors", predictor_registry());
  });
}

}  // namespace nascpp::cli

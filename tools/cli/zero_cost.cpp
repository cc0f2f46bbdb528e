// `nascpp zero-cost`: zero-cost proxy scores of architectures, without
// training (nascpp/zero_cost.h; docs/zero-cost.md).
#include <fmt/format.h>

#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "nascpp/search_space.h"
#include "nascpp/zero_cost.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct ZeroCostArgs {
  std::string space = "nasbench201";
  std::vector<std::string> archs;
  std::optional<uint64_t> sample;
  std::vector<std::string> proxies;
  std::vector<std::string> overrides;
  std::string data = "auto";
  std::string data_root;
  int64_t batch_size = 32;
  uint64_t seed = 0;
  std::string device = "cpu";
  bool csv = false;
};

std::string number(double value) {
  if (std::isnan(value)) return "nan";
  return fmt::format("{:.6g}", value);
}

void run_zero_cost(const ZeroCostArgs& args) {
  ConfigNode space_cfg;
  for (const auto& o : args.overrides) space_cfg.apply_override(o);
  auto space = search_space_registry().create(args.space, space_cfg);
  space_cfg.finish();
  std::vector<std::string> proxies = args.proxies;
  if (proxies.empty()) proxies = builtin_zero_cost_proxies();
  for (const auto& p : proxies) zero_cost_registry().at(p);  // unknown names fail here, first

  std::vector<Architecture> archs;
  for (const auto& text : args.archs) archs.push_back(space->parse(text));
  if (args.sample) {
    Rng rng(args.seed);
    for (uint64_t i = 0; i < *args.sample; ++i) archs.push_back(space->sample(rng));
  }
  NASCPP_CHECK_CONFIG(!archs.empty(),
                      "no architecture given: pass --arch '<text form>' (repeatable) or --sample "
                      "N (search space '{}')",
                      args.space);

  ZeroCostScorer scorer(space, ZeroCostOptions()
                                   .batch_size(args.batch_size)
                                   .seed(args.seed)
                                   .data(args.data)
                                   .data_root(args.data_root)
                                   .device(args.device));
  const char* sep = args.csv ? "," : " | ";
  std::ostringstream header;
  header << "arch";
  for (const auto& p : proxies) header << sep << p;
  header << sep << "seconds";
  std::cout << (args.csv ? "# " : "") << "batch: " << scorer.batch().description << "\n"
            << (args.csv ? "# " : "")
            << fmt::format(
                   "seed {}, batch_size {}, device {}, network input {}x{}x{}, {} "
                   "classes\n",
                   args.seed, args.batch_size, args.device, scorer.spec().in_channels(),
                   scorer.spec().image_size(), scorer.spec().image_size(),
                   scorer.spec().num_classes())
            << header.str() << "\n";
  for (const auto& arch : archs) {
    double seconds = 0.0;
    std::ostringstream row;
    const std::string text = space->format(arch);
    row << (args.csv ? "\"" + text + "\"" : text);
    for (const auto& s : scorer.score(arch, proxies)) {
      row << sep << number(s.score);
      seconds += s.seconds;
    }
    row << sep << fmt::format("{:.3f}", seconds);
    std::cout << row.str() << std::endl;
  }
}

}  // namespace

void add_zero_cost_command(CLI::App& app) {
  auto args = std::make_shared<ZeroCostArgs>();
  auto* cmd = app.add_subcommand(
      "zero-cost", "Score architectures with zero-cost proxies (untrained networks, one batch)");
  cmd->add_option("space", args->space, "search space (default nasbench201)")->check(non_empty());
  cmd->add_option("--arch", args->archs, "architecture in the space's text form (repeatable)")
      ->check(non_empty());
  cmd->add_option("--sample", args->sample, "also score N architectures drawn with --seed")
      ->check(whole_number_in(1, 1000000));
  cmd->add_option("--proxies", args->proxies,
                  "proxies to compute, comma separated (default: all; `nascpp list zero_cost`)")
      ->delimiter(',');
  cmd->add_option("--set", args->overrides, "override a search-space key: key=value (repeatable)");
  cmd->add_option("--data", args->data,
                  "the batch: auto (CIFAR-10 from --data-root when there, else Fashion-MNIST), "
                  "a dataset name, or random")
      ->check(non_empty());
  cmd->add_option("--data-root", args->data_root, "the dataset's folder")->check(non_empty());
  cmd->add_option("--batch-size", args->batch_size,
                  "images in the batch (default 32, as NAS-Bench-Suite-Zero)")
      ->check(whole_number_in(2, 1u << 20));
  cmd->add_option("--seed", args->seed, "seeds the weights, the batch and --sample (default 0)")
      ->check(whole_number_in(0, std::numeric_limits<uint64_t>::max()));
  cmd->add_option("--device", args->device, "cpu, cuda, cuda:N or auto (default cpu)")
      ->check(non_empty());
  cmd->add_flag("--csv", args->csv, "CSV output (comment lines start with #)");
  cmd->callback([args] { run_zero_cost(*args); });
}

}  // namespace nascpp::cli

// `nascpp evaluate`: trains one architecture from scratch on a dataset and
// reports its test accuracy (and, where a tabular benchmark knows the
// architecture, the benchmark's numbers beside it).
#include <iostream>
#include <optional>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/log.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "nascpp/train/protocols.h"
#include "nascpp/train/trainer.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct EvaluateArgs {
  std::string config;
  std::string arch;
  std::vector<std::string> overrides;
  std::optional<uint64_t> seed;
  std::string protocol;
};

void run_evaluate(const EvaluateArgs& args) {
  ConfigNode cfg = args.config.empty() ? ConfigNode() : ConfigNode::load_file(args.config);
  for (const auto& o : args.overrides) cfg.apply_override(o);
  if (args.seed) cfg.apply_override("seed=" + std::to_string(*args.seed));
  if (!args.protocol.empty()) apply_training_protocol(cfg, args.protocol);

  const auto seed = cfg.get<uint64_t>("seed", 0);
  auto space_cfg = cfg.section("search_space");
  const auto space_name = space_cfg.get<std::string>("name", "nasbench201");
  auto space = search_space_registry().create(space_name, space_cfg);

  auto dataset_cfg = cfg.section("dataset");
  const auto dataset_name = dataset_cfg.get<std::string>("name", "fashion_mnist");
  auto train_cfg = cfg.section("train");
  const bool train_seed_given = train_cfg.has("seed");
  auto options = TrainerOptions::from_config(train_cfg);
  if (!train_seed_given) options.seed(seed);
  std::string arch_text = cfg.get<std::string>("arch", "");
  if (!args.arch.empty()) arch_text = args.arch;
  NASCPP_CHECK_CONFIG(!arch_text.empty(),
                      "no architecture given: pass --arch '<text form>' or set 'arch' in the "
                      "config (search space '{}')",
                      space_name);
  const Architecture arch = space->parse(arch_text);
  auto dataset = dataset_registry().create(dataset_name, dataset_cfg);
  cfg.finish();  // every key has been read: anything left is a typo
  const auto& train = dataset->train();
  NetworkSpec spec;
  spec.in_channels(train.images.size(1))
      .image_size(train.images.size(2))
      .num_classes(dataset->num_classes());

  seed_torch(seed);
  auto network = space->build_network(arch, spec);
  logger()->info("evaluating {} ({} parameters) on {} with seed {}", space->format(arch),
                 count_parameters(*network), dataset->name(), seed);
  Trainer trainer(options, dataset->mean(), dataset->stddev());
  auto bar = terminal_progress();
  if (bar) trainer.on_progress([&bar](const Progress& p) { bar->update(p); });
  trainer.fit(*network, train, nullptr, [&bar](const EpochMetrics&) {
    if (bar) bar->finish();
  });
  const auto test = trainer.evaluate(*network, dataset->test());
  std::cout << "architecture: " << space->format(arch) << "\n"
            << "parameters: " << count_parameters(*network) << "\n"
            << "dataset: " << dataset->name() << " (" << test.images << " test images)\n"
            << fmt::format("test top-1: {:.2f}%  top-5: {:.2f}%  loss: {:.4f}\n", test.top1,
                           test.top5, test.loss);
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate",
                                 "Train an architecture from scratch and report its "
                                 "test accuracy");
  cmd->add_option("config", args->config,
                  "YAML file with search_space, dataset and train "
                  "sections (optional)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--arch", args->arch, "architecture in the space's text form")
      ->check(non_empty());
  cmd->add_option("--set", args->overrides, "override a config key: key=value (repeatable)");
  cmd->add_option("--seed", args->seed, "random seed (default 0)")
      ->check(whole_number_in(0, std::numeric_limits<uint64_t>::max()));
  cmd->add_option("--protocol", args->protocol,
                  "a paper's evaluation protocol for the keys the config leaves unset: "
                  "nasbench201 (200 epochs) or darts (600 epochs, C=36, 20 cells)")
      ->check(non_empty());
  cmd->callback([args] { run_evaluate(*args); });
}

}  // namespace nascpp::cli

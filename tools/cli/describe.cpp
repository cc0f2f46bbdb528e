// `nascpp describe SPACE --arch TEXT`: the network an architecture stands for,
// with its parameter count (with and without auxiliary head), its
// multiply-accumulates per image and a layer summary.
#include <iostream>

#include "commands.h"
#include "nascpp/core/config.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "nascpp/summary.h"
#include "validators.h"

namespace nascpp::cli {

namespace {

struct DescribeArgs {
  std::string space;
  std::string arch;
  std::vector<std::string> overrides;
  int64_t in_channels = 3;
  int64_t image_size = 32;
  int64_t num_classes = 10;
  int depth = 1;
};

void run_describe(const DescribeArgs& args) {
  // Overrides address the space's section: --set channels=36 -> search_space.channels.
  ConfigNode cfg;
  for (const auto& o : args.overrides) cfg.apply_override(o);
  auto space = search_space_registry().create(args.space, cfg);
  cfg.finish();
  const auto arch = args.arch.empty() ? std::optional<Architecture>() : space->parse(args.arch);
  NASCPP_CHECK_CONFIG(arch.has_value(), "no architecture given: pass --arch '<text form>' for '{}'",
                      args.space);
  const auto spec = NetworkSpec()
                        .in_channels(args.in_channels)
                        .image_size(args.image_size)
                        .num_classes(args.num_classes);
  spec.validate();
  seed_torch(0);
  auto network = space->build_network(*arch, spec);
  const auto s = summarize(*network, spec, args.depth);
  std::cout << "search space: " << space->name() << "\n"
            << "architecture: " << space->format(*arch) << "\n"
            << fmt::format("input: {}x{}x{}, {} classes\n", spec.in_channels(), spec.image_size(),
                           spec.image_size(), spec.num_classes())
            << "parameters: " << s.parameters << "\n"
            << "parameters without auxiliary head: " << s.parameters_without_auxiliary << "\n"
            << "multiply-accumulates per image: " << s.macs
            << fmt::format(" ({:.1f} M)\n", s.macs / 1e6) << "layers:\n";
  for (const auto& layer : s.layers) {
    std::cout << fmt::format("  {:<32} {:<36} {:>12}\n", layer.name, layer.type, layer.parameters);
  }
}

}  // namespace

void add_describe_command(CLI::App& app) {
  auto args = std::make_shared<DescribeArgs>();
  auto* cmd = app.add_subcommand(
      "describe", "Parameters, multiply-accumulates and layers of an architecture's network");
  cmd->add_option("space", args->space, "search space (see `nascpp list`)")
      ->required()
      ->check(non_empty());
  cmd->add_option("--arch", args->arch, "architecture in the space's text form")
      ->required()
      ->check(non_empty());
  cmd->add_option("--set", args->overrides,
                  "override a key of the space's config section, e.g. channels=36 (repeatable)");
  cmd->add_option("--in-channels", args->in_channels, "input channels (default 3)")
      ->check(whole_number_in(1, kMaxCliSize));
  cmd->add_option("--image-size", args->image_size, "input height and width (default 32)")
      ->check(whole_number_in(1, kMaxCliSize));
  cmd->add_option("--classes", args->num_classes, "number of classes (default 10)")
      ->check(whole_number_in(2, kMaxCliSize));
  cmd->add_option("--depth", args->depth, "levels of the layer summary (default 1)")
      ->check(whole_number_in(1, 1000));
  cmd->callback([args] { run_describe(*args); });
}

}  // namespace nascpp::cli

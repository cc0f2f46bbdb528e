// A search space of your own without a SearchSpace class: the cell is a
// nascpp::Graph whose mixed slots are the choices, and GraphSearchSpace
// derives the text form, sampling, mutation, neighbours, encodings, networks
// and the one-shot supernet from it. The same space is declared in YAML in
// search.yaml beside this file (what `nascpp run` reads); the program checks
// that the two are the same space and searches it with the file's optimizer
// and evaluator (regularized evolution, real training on Fashion-MNIST).
//
//   build/examples/custom_search_space [queries] [search.yaml]
#include <iostream>

#include "nascpp/core/config.h"
#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/network.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"

#ifndef NASCPP_EXAMPLE_DIR
#define NASCPP_EXAMPLE_DIR "examples/custom_search_space"
#endif

int main(int argc, char** argv) {
  using namespace nascpp;
  try {
    const std::string yaml = argc > 2 ? argv[2] : NASCPP_EXAMPLE_DIR "/search.yaml";
    auto cfg = ConfigNode::load_file(yaml);
    const int64_t budget = cfg.section("budget").require<int64_t>("max_queries");
    const int64_t queries = argc > 1 ? std::stoll(argv[1]) : budget;
    set_num_threads(0);

    // (1) The space in C++: four nodes, five edges, each a choice of three ops.
    const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_3x3"};
    Graph cell;
    cell.add_input("0").add_node("1").add_node("2").add_output("3");
    for (const auto& [from, to] :
         {std::pair{"0", "1"}, {"0", "2"}, {"1", "2"}, {"1", "3"}, {"2", "3"}}) {
      cell.add_edge(from, to, OpSlot::mixed(ops));
    }
    GraphSpaceOptions options;
    options.skeleton(SkeletonOptions().channels(8).stages(2).cells_per_stage(1));
    const auto in_cpp = std::make_shared<GraphSearchSpace>("four_node", cell, options);

    // (2) The same space from search.yaml, read through the registry entry `graph`.
    auto space_cfg = cfg.section("search_space");
    const auto in_yaml =
        search_space_registry().create(space_cfg.require<std::string>("name"), space_cfg);
    NASCPP_CHECK(in_cpp->enumerate() == in_yaml->enumerate(), "the C++ and YAML spaces differ");
    const auto last = in_cpp->enumerate().back();
    NASCPP_CHECK(count_parameters(*in_cpp->build_network(last, NetworkSpec())) ==
                     count_parameters(*in_yaml->build_network(last, NetworkSpec())),
                 "the C++ and YAML networks differ");
    std::cout << in_cpp->size().value() << " architectures, written " << in_cpp->text_form()
              << ", e.g. " << in_cpp->format(last) << "\n";

    // (3) Any optimizer and evaluator by name (the file's).
    auto opt_cfg = cfg.section("optimizer");
    auto optimizer = optimizer_registry().create(opt_cfg.require<std::string>("name"), opt_cfg);
    auto eval_cfg = cfg.section("evaluator");
    auto evaluator =
        evaluator_registry().create(eval_cfg.require<std::string>("name"), eval_cfg, in_yaml);
    Rng rng(cfg.get<uint64_t>("seed", 0));
    cfg.finish();  // a key the program did not read is a mistake in the file
    auto& bb = dynamic_cast<BlackBoxOptimizer&>(*optimizer);
    bb.attach(in_yaml, &rng);
    const auto result =
        run_black_box(bb, *evaluator, rng, SearchOptions().budget(Budget().max_queries(queries)));
    for (const auto& e : result.evaluations) {
      std::cout << in_yaml->format(e.trial.arch) << "  valid_acc " << e.result.objective << "\n";
    }
    std::cout << "best: " << in_yaml->format(result.incumbent()->trial.arch) << " ("
              << result.incumbent()->result.objective << "% validation accuracy)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "custom_search_space: " << e.what() << "\n";
    return 1;
  }
}

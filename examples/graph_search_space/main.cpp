// A new cell search space with no SearchSpace class to write: the cell is a
// nascpp::Graph whose mixed slots are the choices, and GraphSearchSpace
// derives the text form, sampling, mutation, encodings, networks and the
// supernet from it. The same space is then declared in YAML (what `nascpp
// run` reads), checked to be the same, and searched by the built-in
// regularized evolution with real training on Fashion-MNIST.
//
//   build/examples/graph_search_space [queries]
#include <iostream>

#include "nascpp/core/config.h"
#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"

int main(int argc, char** argv) {
  using namespace nascpp;
  try {
    const int queries = argc > 1 ? std::stoi(argv[1]) : 8;
    set_num_threads(0);

    // (1) The space in C++: four nodes, five edges, each a choice of three ops.
    const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_3x3"};
    Graph cell;
    cell.add_input("0").add_node("1").add_node("2").add_output("3");
    for (const auto& [from, to] : {std::pair{"0", "1"}, {"0", "2"}, {"1", "2"}, {"1", "3"}, {"2", "3"}}) {
      cell.add_edge(from, to, OpSlot::mixed(ops));
    }
    GraphSpaceOptions options;
    options.skeleton(SkeletonOptions().channels(8).stages(2).cells_per_stage(1));
    const auto in_cpp = std::make_shared<GraphSearchSpace>("four_node", cell, options);

    // (2) The same space as YAML, read through the registry entry `graph`.
    auto cfg = ConfigNode::parse(R"(
      search_space:
        name: graph
        label: four_node
        nodes: [{name: "0", role: input}, {name: "1"}, {name: "2"}, {name: "3", role: output}]
        edges:
          - {from: "0", to: "1", ops: [none, skip_connect, nor_conv_3x3]}
          - {from: "0", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
          - {from: "1", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
          - {from: "1", to: "3", ops: [none, skip_connect, nor_conv_3x3]}
          - {from: "2", to: "3", ops: [none, skip_connect, nor_conv_3x3]}
        skeleton: {channels: 8, stages: 2, cells_per_stage: 1}
      optimizer: {name: regularized_evolution, population_size: 4, sample_size: 2}
      evaluator:
        name: training
        dataset: fashion_mnist
        validation_fraction: 0.02
        train: {epochs: 1, batch_size: 64, train_limit: 512, log_every: 0}
    )");
    auto space_cfg = cfg.section("search_space");
    const auto in_yaml =
        search_space_registry().create(space_cfg.require<std::string>("name"), space_cfg);
    const auto cpp_all = in_cpp->enumerate();
    const auto yaml_all = in_yaml->enumerate();
    NASCPP_CHECK(cpp_all == yaml_all, "the C++ and YAML spaces differ");
    std::cout << in_cpp->size().value() << " architectures, written " << in_cpp->text_form()
              << ", e.g. " << in_cpp->format(cpp_all.back()) << "\n";

    // (3) Any optimizer and evaluator by name.
    auto opt_cfg = cfg.section("optimizer");
    auto optimizer = optimizer_registry().create(opt_cfg.require<std::string>("name"), opt_cfg);
    auto eval_cfg = cfg.section("evaluator");
    auto evaluator =
        evaluator_registry().create(eval_cfg.require<std::string>("name"), eval_cfg, in_yaml);
    cfg.finish();
    Rng rng(0);
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
    std::cerr << "graph_search_space: " << e.what() << "\n";
    return 1;
  }
}

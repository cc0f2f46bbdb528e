// The front end's stand-ins for the library's LibTorch side. The front end
// links the core of the library (CMakeLists.txt: everything but
// NASCPP_LIBTORCH_SOURCES) and, instead of the LibTorch sources, these
// definitions of the functions the core calls into them:
//
// - the factories and loaders of everything that needs LibTorch (the
//   training and zero-cost evaluators, the one-shot optimizers, the gcn
//   predictor, the datasets, final training's options) throw NeedsLibTorch,
//   and so do the networks of the built-in and graph spaces, building an
//   operation, and the one-shot and final-training runs. Every one of them is reached while the
//   experiment is composed (detail::build_parts), which a run does before it writes anything: a
//   factory is called there, and the networks, the one-shot run and the final training are reached
//   only through a component whose factory is among them. main() then hands the command line over
//   to nascpp-torch, which runs it from the start.
// - the process-wide LibTorch settings (threads, determinism, the manifest's
//   LibTorch facts) are those of a process that never loads LibTorch.
#include <nlohmann/json.hpp>

#include "../commands.h"
#include "nascpp/core/device.h"
#include "nascpp/core/libtorch.h"
#include "nascpp/core/log.h"
#include "nascpp/data/cifar.h"
#include "nascpp/data/fashion_mnist.h"
#include "nascpp/evaluators/training.h"
#include "nascpp/evaluators/zero_cost.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/one_shot_search.h"
#include "nascpp/ops/op.h"
#include "nascpp/train/trainer.h"
#include "nascpp/zero_cost.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"
#include "optimizers/predictors/gcn.h"
#include "search_spaces/darts/darts.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "src/experiment/parts.h"

namespace nascpp {

namespace {

[[noreturn]] void needs_libtorch(const std::string& what) {
  throw cli::NeedsLibTorch(what + " needs LibTorch");
}

}  // namespace

// Process-wide settings.
namespace libtorch {

std::string facts_json() { return nlohmann::json{{"libtorch_loaded", false}}.dump(); }

void use_deterministic_algorithms() {}

}  // namespace libtorch

int set_num_threads(int threads) {
  // Validated as nascpp-torch does; nothing here runs LibTorch kernels.
  return resolve_num_threads(threads);
}

// Factories and loaders.
std::unique_ptr<Evaluator> TrainingEvaluator::from_config(ConfigNode&,
                                                          std::shared_ptr<const SearchSpace>) {
  needs_libtorch("the training evaluator");
}

std::unique_ptr<Evaluator> ZeroCostEvaluator::from_config(ConfigNode&,
                                                          std::shared_ptr<const SearchSpace>) {
  needs_libtorch("the zero-cost evaluator");
}

void register_builtin_zero_cost_proxies(ZeroCostRegistry&) { needs_libtorch("a zero-cost proxy"); }

std::unique_ptr<Predictor> GcnPredictor::from_config(ConfigNode&) {
  needs_libtorch("the gcn predictor");
}

std::unique_ptr<Optimizer> DartsOptimizer::from_config(ConfigNode&) {
  needs_libtorch("the darts optimizer");
}

std::unique_ptr<Optimizer> GdasOptimizer::from_config(ConfigNode&) {
  needs_libtorch("the gdas optimizer");
}

void OneShotSearchOptions::validate() const { needs_libtorch("a one-shot search"); }

std::shared_ptr<const FashionMnist> FashionMnist::load(const std::string&) {
  needs_libtorch("the fashion_mnist dataset");
}

std::shared_ptr<const Cifar> Cifar::load_cifar10(const std::string&) {
  needs_libtorch("the cifar10 dataset");
}

std::shared_ptr<const Cifar> Cifar::load_cifar100(const std::string&) {
  needs_libtorch("the cifar100 dataset");
}

TrainerOptions TrainerOptions::from_config(ConfigNode&) { needs_libtorch("final training"); }

// The builtin operations by name (cell graphs are checked against them);
// building one needs LibTorch.
void register_builtin_ops(OpRegistry& registry) {
  for (const auto& [name, description] : builtin_op_descriptions()) {
    registry.add(name, description, [name = name](const OpArgs&) -> torch::nn::AnyModule {
      needs_libtorch("operation '" + name + "'");
    });
  }
}

// Networks and the runs that train them.
std::shared_ptr<Network> GraphSearchSpace::build_network(const Architecture&,
                                                         const NetworkSpec&) const {
  needs_libtorch("a network of graph search space '" + name() + "'");
}

std::shared_ptr<Supernet> GraphSearchSpace::build_supernet(const NetworkSpec&) const {
  needs_libtorch("the supernet of graph search space '" + name() + "'");
}

Architecture GraphSearchSpace::derive(const torch::Tensor&) const {
  needs_libtorch("deriving an architecture from one-shot weights");
}

std::shared_ptr<Network> NasBench201Space::build_network(const Architecture&,
                                                         const NetworkSpec&) const {
  needs_libtorch("a nasbench201 network");
}

std::shared_ptr<Supernet> NasBench201Space::build_supernet(const NetworkSpec&) const {
  needs_libtorch("the nasbench201 supernet");
}

std::shared_ptr<Network> NasBench101Space::build_network(const Architecture&,
                                                         const NetworkSpec&) const {
  needs_libtorch("a nasbench101 network");
}

std::shared_ptr<Network> DartsSpace::build_network(const Architecture&, const NetworkSpec&) const {
  needs_libtorch("a darts network");
}

std::shared_ptr<Supernet> DartsSpace::build_supernet(const NetworkSpec&) const {
  needs_libtorch("the darts supernet");
}

namespace detail {

void run_one_shot(Parts&, RunDirectory&, const ExperimentOptions&, ExperimentSummary&,
                  std::vector<TrajectoryRow>&) {
  needs_libtorch("a one-shot search");
}

void FinalTraining::run(const std::string&, RunDirectory&, const ExperimentOptions&,
                        ExperimentSummary&) const {
  needs_libtorch("final training");
}

}  // namespace detail

}  // namespace nascpp

// Adding an optimizer to nascpp from user code: a (1+1) evolution strategy
// (mutate the best architecture so far; keep the child when it is better),
// registered in the optimizer registry and run through `run_experiment` on
// the NAS-Bench-201 table, beside the built-in random search.
//
//   NASCPP_DATA=../shared/data build/examples/custom_optimizer [run-folder]
//
// Steps: (1) derive from nascpp::BlackBoxOptimizer: ask, tell, and a state
// text for resume; (2) add it to optimizer_registry() under a name; (3) name
// it in a configuration (optimizer.name) like any built-in optimizer.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "nascpp/core/config.h"
#include "nascpp/core/error.h"
#include "nascpp/experiment.h"
#include "nascpp/registries.h"

namespace {

using namespace nascpp;

class OnePlusOne : public BlackBoxOptimizer {
 public:
  explicit OnePlusOne(int64_t initial) : initial_(initial) {
    NASCPP_CHECK_CONFIG(initial >= 1, "one_plus_one.initial must be at least 1, got {}", initial);
  }
  std::string name() const override { return "one_plus_one"; }

 private:
  // A random design first, then mutations of the incumbent. `trial` comes
  // with its id and fidelity set; fill in the architecture (return false to
  // say "nothing now, wait for a result").
  bool do_ask(Trial& trial) override {
    trial.arch = told_ < initial_ || !has_best_ ? space().sample(rng())
                                                 : space().mutate(best_, rng());
    return true;
  }
  // A failed evaluation (e.g. diverging training) has -infinity as objective.
  void do_tell(const Trial& trial, const EvaluationResult& result) override {
    ++told_;
    if (!result.failed() && (!has_best_ || result.objective > best_value_)) {
      best_ = trial.arch;
      best_value_ = result.objective;
      has_best_ = true;
    }
  }
  // A JSON object (the base class nests it in the search checkpoint); the
  // architecture in the space's text form.
  std::string do_save_state() const override {
    nlohmann::json j = {{"told", told_}, {"best_value", best_value_}};
    j["best"] = has_best_ ? nlohmann::json(space().format(best_)) : nlohmann::json(nullptr);
    return j.dump();
  }
  void do_load_state(const std::string& state) override {
    try {
      const auto j = nlohmann::json::parse(state);
      told_ = j.at("told").get<int64_t>();
      best_value_ = j.at("best_value").get<double>();
      has_best_ = !j.at("best").is_null();
      if (has_best_) best_ = space().parse(j.at("best").get<std::string>());
    } catch (const nlohmann::json::exception& e) {
      throw DataError(std::string("one_plus_one: malformed state: ") + e.what());
    }
  }

  int64_t initial_;
  int64_t told_ = 0;
  bool has_best_ = false;
  Architecture best_;
  double best_value_ = 0.0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string out = argc > 1 ? argv[1] : "runs/custom_optimizer";
    if (std::getenv("NASCPP_DATA") == nullptr) {
      std::cerr << "custom_optimizer: set NASCPP_DATA to the benchmark data folder (it reads "
                   "the NAS-Bench-201 table; docs/benchmark-data.md)\n";
      return 77;
    }
    // (2) Register by name; its config section is read like a built-in's.
    optimizer_registry().add("one_plus_one", "(1+1) evolution: mutate the incumbent",
                             [](ConfigNode& cfg) -> std::unique_ptr<Optimizer> {
                               return std::make_unique<OnePlusOne>(
                                   cfg.get<int64_t>("initial", 5));
                             });
    double means[2] = {0, 0};
    const char* names[2] = {"one_plus_one", "random_search"};
    for (int o = 0; o < 2; ++o) {
      for (int seed = 0; seed < 5; ++seed) {
        // (3) The same configuration for both optimizers, as the NAS-Bench-201
        // protocol: search cifar10-valid validation accuracy, report cifar10 test.
        auto cfg = ConfigNode::parse(fmt::format(R"(
          seed: {}
          search_space: {{name: nasbench201}}
          optimizer: {{name: {}}}
          evaluator: {{name: tabular, dataset: cifar10-valid, metric: valid_acc}}
          budget: {{max_queries: 100}}
        )",
                                                 seed, names[o]));
        const std::string dir = out + "/" + names[o] + "/seed-" + std::to_string(seed);
        const auto s =
            run_experiment(cfg, ExperimentOptions().run_dir(dir).force(true));
        means[o] += *s.report_value / 5.0;
      }
      std::cout << names[o] << ": mean cifar10 test accuracy of the incumbent after 100 "
                << "queries over 5 seeds: " << means[o] << "%\n";
    }
    std::cout << "runs in " << out << " (nascpp report " << out << ")\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "custom_optimizer: " << e.what() << "\n";
    return 1;
  }
}

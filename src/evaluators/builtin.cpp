// The built-in evaluators, one line each, sorted by name.
#include "nascpp/evaluators/score_table.h"
#include "nascpp/evaluators/tabular.h"
#include "nascpp/evaluators/training.h"
#include "nascpp/evaluators/zero_cost.h"
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_evaluators(EvaluatorRegistry& registry) {
  registry.add("score_table", "a precomputed score read from a CSV file (no cost)",
               &ScoreTableEvaluator::from_config);
  registry.add("tabular", "look-up in a tabular benchmark (simulated cost)",
               [](ConfigNode& cfg, std::shared_ptr<const SearchSpace>) {
                 return TabularEvaluator::from_config(cfg);
               });
  registry.add("training", "train with the Trainer on a held-out split (wall-time cost)",
               &TrainingEvaluator::from_config);
  registry.add("zero_cost", "a zero-cost proxy of the untrained network (wall-time cost)",
               &ZeroCostEvaluator::from_config);
}

}  // namespace nascpp

// The built-in optimizers, one line each, sorted by name.
#include "nascpp/registries.h"
#include "optimizers/bananas/bananas.h"
#include "optimizers/local_search/local_search.h"
#include "optimizers/multi_fidelity/asha.h"
#include "optimizers/multi_fidelity/bohb.h"
#include "optimizers/multi_fidelity/brackets.h"
#include "optimizers/multi_fidelity/dehb.h"
#include "optimizers/random_search/random_search.h"
#include "optimizers/regularized_evolution/regularized_evolution.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"

namespace nascpp {

void register_builtin_optimizers(OptimizerRegistry& registry) {
  registry.add("asha", "asynchronous successive halving (multi-fidelity)", &Asha::from_config);
  registry.add("bananas", "BANANAS: MLP-ensemble Bayesian optimisation on path encodings",
               &Bananas::from_config);
  registry.add("bp", "neural predictor (Wen et al. 2019): random, one fit, the predicted best",
               &Bananas::bp_from_config);
  registry.add("bohb", "BOHB: Hyperband with kernel-density models per budget (multi-fidelity)",
               &Bohb::from_config);
  registry.add("darts", "DARTS, first or second order (one-shot)", &DartsOptimizer::from_config);
  registry.add("dehb", "DEHB: differential evolution in Hyperband brackets (multi-fidelity)",
               &Dehb::from_config);
  registry.add("gdas", "GDAS, Gumbel-softmax sampling (one-shot)", &GdasOptimizer::from_config);
  registry.add("hyperband", "Hyperband: brackets of successive halving (multi-fidelity)",
               &Hyperband::from_config);
  registry.add("local_search", "best-improvement local search with random restarts",
               &LocalSearch::from_config);
  registry.add("npenas", "NPENAS: predictor-guided mutation of the best (BANANAS, exploit_only)",
               &Bananas::npenas_from_config);
  registry.add("random_search", "uniform sampling without repeats", &RandomSearch::from_config);
  registry.add("regularized_evolution", "aging evolution with tournament selection",
               &RegularizedEvolution::from_config);
  registry.add("successive_halving", "successive halving (multi-fidelity)",
               &SuccessiveHalving::from_config);
}

}  // namespace nascpp

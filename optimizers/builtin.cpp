// The built-in optimizers, one line each, sorted by name.
#include "nascpp/registries.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"

namespace nascpp {

void register_builtin_optimizers(OptimizerRegistry& registry) {
  registry.add("darts", "DARTS, first or second order (one-shot)", &DartsOptimizer::from_config);
  registry.add("gdas", "GDAS, Gumbel-softmax sampling (one-shot)", &GdasOptimizer::from_config);
}

}  // namespace nascpp

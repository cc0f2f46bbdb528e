// The built-in optimizers, one line each, sorted by name.
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_optimizers(OptimizerRegistry& registry) { (void)registry; }

}  // namespace nascpp

// The built-in datasets, one line each, sorted by name.
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_datasets(DatasetRegistry& registry) { (void)registry; }

}  // namespace nascpp

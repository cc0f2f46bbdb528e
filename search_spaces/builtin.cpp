// The built-in search spaces, one line each, sorted by name.
#include "nascpp/graph/search_space.h"
#include "nascpp/registries.h"
#include "search_spaces/darts/darts.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"

namespace nascpp {

void register_builtin_search_spaces(SearchSpaceRegistry& registry) {
  registry.add("darts", "DARTS cell space (normal + reduction cell)", &DartsSpace::from_config);
  registry.add("graph", "a space declared as a cell graph with choices (docs/extending.md)",
               &GraphSearchSpace::from_config);
  registry.add("nasbench101", "NAS-Bench-101 cell space", &NasBench101Space::from_config);
  registry.add("nasbench201", "NAS-Bench-201 cell space", &NasBench201Space::from_config);
}

}  // namespace nascpp

// The built-in search spaces, one line each, sorted by name.
#include "nascpp/registries.h"

namespace nascpp {

void register_builtin_search_spaces(SearchSpaceRegistry& registry) { (void)registry; }

}  // namespace nascpp

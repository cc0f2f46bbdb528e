#include "nascpp/search_space.h"

namespace nascpp {

std::vector<Architecture> SearchSpace::enumerate() const {
  throw ConfigError(fmt::format("search space '{}' is not enumerable", name()));
}

}  // namespace nascpp

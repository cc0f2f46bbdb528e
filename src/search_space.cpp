#include "nascpp/search_space.h"

namespace nascpp {

std::vector<Architecture> SearchSpace::enumerate() const {
  throw ConfigError(fmt::format("search space '{}' is not enumerable", name()));
}

std::shared_ptr<Supernet> SearchSpace::build_supernet(const NetworkSpec& /*spec*/) const {
  throw ConfigError(fmt::format("search space '{}' has no one-shot supernet", name()));
}

}  // namespace nascpp

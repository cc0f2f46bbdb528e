#include "nascpp/search_space.h"

namespace nascpp {

std::vector<Architecture> SearchSpace::enumerate() const {
  throw ConfigError(fmt::format("search space '{}' is not enumerable", name()));
}

std::shared_ptr<Supernet> SearchSpace::build_supernet(const NetworkSpec& /*spec*/) const {
  throw ConfigError(fmt::format("search space '{}' has no one-shot supernet", name()));
}

namespace {
[[noreturn]] void no_choice_vectors(const std::string& space) {
  throw ConfigError(fmt::format(
      "search space '{}' has no choice-vector form (which BOHB and DEHB need); use "
      "hyperband, successive_halving or asha",
      space));
}
}  // namespace

std::vector<int32_t> SearchSpace::choices_of(const Architecture& arch) const {
  (void)arch;
  no_choice_vectors(name());
}

std::optional<Architecture> SearchSpace::from_choices(const std::vector<int32_t>& choices) const {
  (void)choices;
  no_choice_vectors(name());
}

}  // namespace nascpp

#include "optimizers/regularized_evolution/regularized_evolution.h"

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

RegularizedEvolutionOptions RegularizedEvolutionOptions::from_config(ConfigNode& cfg) {
  RegularizedEvolutionOptions o;
  o.population_size(cfg.get<int64_t>("population_size", o.population_size()));
  o.sample_size(cfg.get<int64_t>("sample_size", o.sample_size()));
  o.validate();
  return o;
}

void RegularizedEvolutionOptions::validate() const {
  NASCPP_CHECK_CONFIG(population_size_ >= 1,
                      "regularized_evolution population_size must be >= 1, got {}",
                      population_size_);
  NASCPP_CHECK_CONFIG(sample_size_ >= 1, "regularized_evolution sample_size must be >= 1, got {}",
                      sample_size_);
}

RegularizedEvolution::RegularizedEvolution(RegularizedEvolutionOptions options)
    : options_(std::move(options)) {
  options_.validate();
}

std::unique_ptr<Optimizer> RegularizedEvolution::from_config(ConfigNode& config) {
  return std::make_unique<RegularizedEvolution>(RegularizedEvolutionOptions::from_config(config));
}

void RegularizedEvolution::do_attach() {
  population_.clear();
  asked_ = 0;
}

Architecture RegularizedEvolution::do_ask() {
  // Random initial population; also while results are still outstanding and
  // the population is empty (asynchronous use).
  if (asked_ < options_.population_size() || population_.empty()) {
    ++asked_;
    return space().sample(rng());
  }
  ++asked_;
  const Member* winner = nullptr;
  for (int64_t i = 0; i < options_.sample_size(); ++i) {
    const Member& m = population_[rng().index(population_.size())];
    if (winner == nullptr || m.objective > winner->objective) winner = &m;
  }
  return space().mutate(winner->arch, rng());
}

void RegularizedEvolution::do_tell(const Architecture& arch, const EvaluationResult& result) {
  population_.push_back({arch, result.objective});
  while (static_cast<int64_t>(population_.size()) > options_.population_size()) {
    population_.pop_front();  // aging: the oldest dies, not the worst
  }
}

std::string RegularizedEvolution::do_save_state() const {
  nlohmann::json population = nlohmann::json::array();
  for (const auto& m : population_) {
    population.push_back({{"arch", detail::arch_to_json(m.arch)}, {"objective", m.objective}});
  }
  return nlohmann::json{{"asked", asked_}, {"population", population}}.dump();
}

void RegularizedEvolution::do_load_state(const std::string& text) {
  const auto state = detail::parse_state(text, name());
  const auto asked = detail::state_get<int64_t>(state, "asked", name());
  const auto& population = detail::state_at(state, "population", name());
  NASCPP_CHECK_DATA(population.is_array(), "optimizer '{}': saved 'population' is not a list",
                    name());
  std::deque<Member> loaded;
  for (const auto& m : population) {
    loaded.push_back({detail::arch_from_json(detail::state_at(m, "arch", name()), space(), name()),
                      detail::state_get<double>(m, "objective", name())});
  }
  population_ = std::move(loaded);
  asked_ = asked;
}

}  // namespace nascpp

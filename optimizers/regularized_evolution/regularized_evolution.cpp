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

bool RegularizedEvolution::do_ask(Trial& trial) {
  // Random initial population; also while results are still outstanding and
  // the population is empty: with several evaluations in flight this is the
  // asynchronous version of the paper (Real et al. 2019, a worker mutates
  // the current population whenever it is free).
  if (asked_ < options_.population_size() || population_.empty()) {
    ++asked_;
    // A warm start's best-scored architectures first (nascpp/warm_start.h).
    if (auto warm = next_warm_start()) {
      trial.arch = std::move(*warm);
    } else {
      trial.arch = space().sample(rng());
    }
    return true;
  }
  ++asked_;
  const Member* winner = nullptr;
  for (int64_t i = 0; i < options_.sample_size(); ++i) {
    const Member& m = population_[rng().index(population_.size())];
    if (winner == nullptr || m.objective > winner->objective) winner = &m;
  }
  trial.arch = space().mutate(winner->arch, rng());
  return true;
}

void RegularizedEvolution::do_tell(const Trial& trial, const EvaluationResult& result) {
  // A failed evaluation joins with -infinity: it never wins a tournament
  // and ages out like any member.
  population_.push_back({trial.arch, result.objective});
  while (static_cast<int64_t>(population_.size()) > options_.population_size()) {
    population_.pop_front();  // aging: the oldest dies, not the worst
  }
}

std::string RegularizedEvolution::do_save_state() const {
  nlohmann::json population = nlohmann::json::array();
  for (const auto& m : population_) {
    population.push_back(
        {{"arch", detail::arch_to_json(m.arch)}, {"objective", detail::objective_to_json(m.objective)}});
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
                      detail::objective_from_json(m, "objective", name())});
  }
  population_ = std::move(loaded);
  asked_ = asked;
}

}  // namespace nascpp

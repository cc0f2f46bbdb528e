#include "optimizers/random_search/random_search.h"

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

RandomSearchOptions RandomSearchOptions::from_config(ConfigNode& cfg) {
  RandomSearchOptions o;
  o.max_attempts(cfg.get<int64_t>("max_attempts", o.max_attempts()));
  o.validate();
  return o;
}

void RandomSearchOptions::validate() const {
  NASCPP_CHECK_CONFIG(max_attempts_ >= 1, "random_search max_attempts must be >= 1, got {}",
                      max_attempts_);
}

RandomSearch::RandomSearch(RandomSearchOptions options) : options_(std::move(options)) {
  options_.validate();
}

std::unique_ptr<Optimizer> RandomSearch::from_config(ConfigNode& config) {
  return std::make_unique<RandomSearch>(RandomSearchOptions::from_config(config));
}

void RandomSearch::do_attach() {
  proposed_.clear();
  seen_.clear();
  all_.clear();
}

bool RandomSearch::do_ask(Trial& trial) {
  const std::optional<uint64_t> size = space().size();
  if (size) {
    NASCPP_CHECK(seen_.size() < *size,
                 "random_search has proposed all {} architectures of search space '{}'", *size,
                 space().name());
  }
  Architecture arch;
  if (size && seen_.size() * 2 >= *size) {
    // Rejection sampling would slow down as the space fills up: draw
    // uniformly among the unseen architectures instead.
    if (all_.empty()) all_ = space().enumerate();
    std::vector<size_t> unseen;
    unseen.reserve(all_.size() - seen_.size());
    for (size_t i = 0; i < all_.size(); ++i) {
      if (seen_.count(all_[i]) == 0) unseen.push_back(i);
    }
    arch = all_[unseen[rng().index(unseen.size())]];
  } else {
    int64_t attempts = 0;
    do {
      NASCPP_CHECK(attempts < options_.max_attempts(),
                   "random_search found no unseen architecture of search space '{}' in {} draws "
                   "({} seen); raise max_attempts",
                   space().name(), options_.max_attempts(), seen_.size());
      arch = space().sample(rng());
      ++attempts;
    } while (seen_.count(arch) != 0);
  }
  seen_.insert(arch);
  proposed_.push_back(arch);
  trial.arch = std::move(arch);
  return true;
}

void RandomSearch::do_tell(const Trial& trial, const EvaluationResult& result) {
  (void)trial;
  (void)result;  // random search learns nothing from results
}

std::string RandomSearch::do_save_state() const {
  nlohmann::json proposed = nlohmann::json::array();
  for (const auto& a : proposed_) proposed.push_back(detail::arch_to_json(a));
  return nlohmann::json{{"proposed", proposed}}.dump();
}

void RandomSearch::do_load_state(const std::string& text) {
  const auto state = detail::parse_state(text, name());
  const auto& proposed = detail::state_at(state, "proposed", name());
  NASCPP_CHECK_DATA(proposed.is_array(), "optimizer '{}': saved 'proposed' is not a list", name());
  do_attach();
  for (const auto& a : proposed) {
    Architecture arch = detail::arch_from_json(a, space(), name());
    seen_.insert(arch);
    proposed_.push_back(std::move(arch));
  }
}

}  // namespace nascpp

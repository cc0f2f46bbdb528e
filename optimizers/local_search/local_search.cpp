#include "optimizers/local_search/local_search.h"

#include <algorithm>

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

namespace {
constexpr int kRandomAttempts = 1000;
}  // namespace

LocalSearchOptions LocalSearchOptions::from_config(ConfigNode& cfg) {
  LocalSearchOptions o;
  o.num_init(cfg.get<int64_t>("num_init", o.num_init()));
  o.shuffle_neighbours(cfg.get<bool>("shuffle_neighbours", o.shuffle_neighbours()));
  o.skip_evaluated(cfg.get<bool>("skip_evaluated", o.skip_evaluated()));
  o.validate();
  return o;
}

void LocalSearchOptions::validate() const {
  NASCPP_CHECK_CONFIG(num_init_ >= 1, "local_search num_init must be >= 1, got {}", num_init_);
}

LocalSearch::LocalSearch(LocalSearchOptions options) : options_(std::move(options)) {
  options_.validate();
}

std::unique_ptr<Optimizer> LocalSearch::from_config(ConfigNode& config) {
  return std::make_unique<LocalSearch>(LocalSearchOptions::from_config(config));
}

void LocalSearch::do_attach() {
  init_asked_ = 0;
  pending_ = 0;
  restarts_ = 0;
  told_.clear();
  values_.clear();
  proposed_.clear();
  current_ = Architecture();
  current_value_ = 0.0;
  neighbourhood_.clear();
  queue_.clear();
  restart_ = Architecture();
}

Architecture LocalSearch::propose(Architecture arch) {
  proposed_.insert(arch);
  ++pending_;
  return arch;
}

Architecture LocalSearch::propose_random() {
  // An unseen architecture where one is found quickly; a repeat otherwise
  // (a nearly exhausted finite space).
  Architecture arch = space().sample(rng());
  for (int i = 1; i < kRandomAttempts && proposed_.count(arch) != 0; ++i) {
    arch = space().sample(rng());
  }
  return propose(std::move(arch));
}

void LocalSearch::build_neighbourhood() {
  neighbourhood_ = space().neighbours(current_);
  if (options_.shuffle_neighbours()) {
    std::shuffle(neighbourhood_.begin(), neighbourhood_.end(), rng().engine());
  }
  queue_.clear();
  // Taken from the back: store reversed so proposals follow the (shuffled) order.
  for (auto it = neighbourhood_.rbegin(); it != neighbourhood_.rend(); ++it) {
    if (!options_.skip_evaluated() || values_.count(*it) == 0) queue_.push_back(*it);
  }
}

bool LocalSearch::do_ask(Trial& trial) {
  // The move to the best neighbour needs every neighbour's result: with the
  // neighbourhood proposed and results pending, wait for them (several in
  // flight evaluate a neighbourhood in parallel).
  if (init_asked_ >= options_.num_init() && queue_.empty() && pending_ > 0) return false;
  trial.arch = next_architecture();
  return true;
}

Architecture LocalSearch::next_architecture() {
  if (init_asked_ < options_.num_init()) {
    ++init_asked_;
    return propose_random();
  }
  for (;;) {
    if (!queue_.empty()) {
      Architecture next = std::move(queue_.back());
      queue_.pop_back();
      return propose(std::move(next));
    }
    if (pending_ > 0) return propose_random();  // the decision needs those results
    if (!restart_.empty()) {
      auto it = values_.find(restart_);
      NASCPP_ASSERT(it != values_.end());
      current_ = restart_;
      current_value_ = it->second;
      restart_ = Architecture();
      build_neighbourhood();
      continue;
    }
    if (current_.empty()) {
      // First descent: start from the best architecture evaluated so far.
      NASCPP_ASSERT(!told_.empty());
      const auto best =
          std::max_element(told_.begin(), told_.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
      current_ = best->first;
      current_value_ = values_.at(current_);
      build_neighbourhood();
      continue;
    }
    // The neighbourhood is evaluated: move to its best member if it improves.
    const Architecture* best = nullptr;
    double best_value = 0.0;
    for (const auto& n : neighbourhood_) {
      auto it = values_.find(n);
      if (it == values_.end()) continue;  // told about nothing (cannot happen sequentially)
      if (best == nullptr || it->second > best_value) {
        best = &n;
        best_value = it->second;
      }
    }
    if (best != nullptr && best_value > current_value_) {
      current_ = *best;
      current_value_ = best_value;
      build_neighbourhood();
      continue;
    }
    // A local optimum: restart from a random architecture.
    ++restarts_;
    restart_ = propose_random();
    return restart_;
  }
}

void LocalSearch::do_tell(const Trial& trial, const EvaluationResult& result) {
  const Architecture& arch = trial.arch;
  if (pending_ > 0) --pending_;
  values_[arch] = result.objective;
  told_.emplace_back(arch, result.objective);
  proposed_.insert(arch);
}

std::string LocalSearch::do_save_state() const {
  auto archs = [](const std::vector<Architecture>& v) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& a : v) out.push_back(detail::arch_to_json(a));
    return out;
  };
  nlohmann::json told = nlohmann::json::array();
  for (const auto& [a, v] : told_)
    told.push_back({{"arch", detail::arch_to_json(a)}, {"value", detail::objective_to_json(v)}});
  std::vector<Architecture> proposed(proposed_.begin(), proposed_.end());
  std::sort(proposed.begin(), proposed.end());
  nlohmann::json s;
  s["init_asked"] = init_asked_;
  s["pending"] = pending_;
  s["restarts"] = restarts_;
  s["told"] = told;
  s["proposed"] = archs(proposed);
  s["current"] = current_.empty() ? nlohmann::json() : detail::arch_to_json(current_);
  s["current_value"] = detail::objective_to_json(current_value_);
  s["neighbourhood"] = archs(neighbourhood_);
  s["queue"] = archs(queue_);
  s["restart"] = restart_.empty() ? nlohmann::json() : detail::arch_to_json(restart_);
  return s.dump();
}

void LocalSearch::do_load_state(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  auto archs = [&](const char* key) {
    const auto& list = detail::state_at(s, key, name());
    NASCPP_CHECK_DATA(list.is_array(), "optimizer '{}': saved '{}' is not a list", name(), key);
    std::vector<Architecture> out;
    for (const auto& a : list) out.push_back(detail::arch_from_json(a, space(), name()));
    return out;
  };
  auto optional_arch = [&](const char* key) {
    const auto& v = detail::state_at(s, key, name());
    return v.is_null() ? Architecture() : detail::arch_from_json(v, space(), name());
  };
  do_attach();
  init_asked_ = detail::state_get<int64_t>(s, "init_asked", name());
  pending_ = detail::state_get<int64_t>(s, "pending", name());
  restarts_ = detail::state_get<int64_t>(s, "restarts", name());
  const auto& told = detail::state_at(s, "told", name());
  NASCPP_CHECK_DATA(told.is_array(), "optimizer '{}': saved 'told' is not a list", name());
  for (const auto& t : told) {
    Architecture a = detail::arch_from_json(detail::state_at(t, "arch", name()), space(), name());
    const double v = detail::objective_from_json(t, "value", name());
    values_[a] = v;
    told_.emplace_back(std::move(a), v);
  }
  for (auto& a : archs("proposed")) proposed_.insert(std::move(a));
  current_ = optional_arch("current");
  current_value_ = detail::objective_from_json(s, "current_value", name());
  neighbourhood_ = archs("neighbourhood");
  queue_ = archs("queue");
  restart_ = optional_arch("restart");
}

}  // namespace nascpp

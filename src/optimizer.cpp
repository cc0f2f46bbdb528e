#include "nascpp/optimizer.h"

#include <nlohmann/json.hpp>

#include "nascpp/core/nesting.h"

namespace nascpp {

void BlackBoxOptimizer::attach(std::shared_ptr<const SearchSpace> space, Rng* rng) {
  NASCPP_CHECK(space != nullptr, "optimizer '{}' attached to no search space", name());
  NASCPP_CHECK(rng != nullptr, "optimizer '{}' attached without a random generator", name());
  space_ = std::move(space);
  rng_ = rng;
  next_id_ = 0;
  pending_.clear();
  warm_start_.clear();
  do_attach();
}

void BlackBoxOptimizer::set_warm_start(std::vector<Architecture> archs) {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': set_warm_start() before attach()", name());
  NASCPP_CHECK(next_id_ == 0, "optimizer '{}': set_warm_start() after the first ask", name());
  NASCPP_CHECK_CONFIG(warm_start_size() > 0 || archs.empty(),
                      "optimizer '{}' takes no warm start (optimizers that do: "
                      "regularized_evolution, bananas, npenas, bp)",
                      name());
  for (const auto& a : archs) space_->validate(a);
  if (static_cast<int64_t>(archs.size()) > warm_start_size()) {
    archs.resize(static_cast<size_t>(warm_start_size()));
  }
  warm_start_ = std::move(archs);
}

std::optional<Architecture> BlackBoxOptimizer::next_warm_start() {
  if (warm_start_.empty()) return std::nullopt;
  Architecture next = std::move(warm_start_.front());
  warm_start_.erase(warm_start_.begin());
  return next;
}

void BlackBoxOptimizer::set_max_in_flight(int64_t n) {
  NASCPP_CHECK_CONFIG(n >= 1, "optimizer '{}': evaluations in flight must be >= 1, got {}", name(),
                      n);
  NASCPP_CHECK(static_cast<int64_t>(pending_.size()) <= n,
               "optimizer '{}': {} trials are pending, more than the new limit of {}", name(),
               pending_.size(), n);
  max_in_flight_ = n;
}

void BlackBoxOptimizer::set_fidelities(const Fidelity& fidelity, const FidelityRange& range) {
  NASCPP_CHECK_CONFIG(fidelity.epochs >= 0, "optimizer '{}': fidelity epochs must be >= 0, got {}",
                      name(), fidelity.epochs);
  // [0, 0]: an evaluator without epochs (zero-cost proxies).
  const bool no_epochs = range.min_epochs == 0 && range.max_epochs == 0;
  NASCPP_CHECK_CONFIG(no_epochs || (range.min_epochs >= 1 && range.min_epochs <= range.max_epochs),
                      "optimizer '{}': the fidelity range [{}, {}] epochs is empty or not positive",
                      name(), range.min_epochs, range.max_epochs);
  fidelity_ = fidelity;
  range_ = range;
}

std::optional<Trial> BlackBoxOptimizer::ask() {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': ask() before attach()", name());
  NASCPP_CHECK(static_cast<int64_t>(pending_.size()) < max_in_flight_,
               "optimizer '{}': ask() with {} trials pending (ids {}..); the loop allows {} in "
               "flight: tell a result first",
               name(), pending_.size(), pending_.empty() ? -1 : pending_.begin()->first,
               max_in_flight_);
  Trial trial;
  trial.id = next_id_;
  trial.fidelity = fidelity_;
  if (!do_ask(trial)) return std::nullopt;
  NASCPP_ASSERT(trial.id == next_id_);
  NASCPP_ASSERT(trial.arch.space() == space_->name());
  // An invalid proposal is our bug, but the check is cheap and the message
  // (from the space) names what is wrong.
  space_->validate(trial.arch);
  ++next_id_;
  pending_.emplace(trial.id, trial);
  return trial;
}

void BlackBoxOptimizer::tell(const Trial& trial, const EvaluationResult& result) {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': tell() before attach()", name());
  auto it = pending_.find(trial.id);
  if (it == pending_.end()) {
    NASCPP_CHECK(trial.id >= 0 && trial.id < next_id_,
                 "optimizer '{}': tell() of trial {}, which was never asked ({} trials asked)",
                 name(), trial.id, next_id_);
    throw Error(fmt::format("optimizer '{}': tell() of trial {}, which was told already", name(),
                            trial.id));
  }
  NASCPP_CHECK(trial.arch == it->second.arch && trial.fidelity == it->second.fidelity,
               "optimizer '{}': tell() of trial {} with another architecture or fidelity than "
               "the one asked",
               name(), trial.id);
  const Trial asked = std::move(it->second);
  pending_.erase(it);
  do_tell(asked, result);
}

std::string BlackBoxOptimizer::save_state() const {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': save_state() before attach()", name());
  nlohmann::json out;
  out["optimizer"] = name();
  out["space"] = space_->name();
  out["state"] = nlohmann::json::parse(do_save_state());
  out["next_trial"] = next_id_;
  nlohmann::json pending = nlohmann::json::array();
  for (const auto& [id, t] : pending_) {
    nlohmann::json j = {{"id", id}, {"arch", t.arch.encoding()}, {"epochs", t.fidelity.epochs}};
    if (t.continues) j["continues"] = {t.continues->trial, t.continues->epochs};
    pending.push_back(std::move(j));
  }
  out["pending"] = std::move(pending);
  nlohmann::json warm = nlohmann::json::array();
  for (const auto& a : warm_start_) warm.push_back(a.encoding());
  out["warm_start"] = std::move(warm);
  return out.dump();
}

void BlackBoxOptimizer::load_state(const std::string& state) {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': load_state() before attach()", name());
  // The parsed state is dumped again below: nlohmann's dump recurses once per
  // nesting level, so the depth is bounded first.
  check_json_nesting(state, fmt::format("saved state of optimizer '{}'", name()));
  nlohmann::json in;
  try {
    in = nlohmann::json::parse(state);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(
        fmt::format("optimizer '{}': the saved state is not valid JSON: {}", name(), e.what()));
  }
  NASCPP_CHECK_DATA(
      in.is_object() && in.contains("optimizer") && in.contains("state") && in.contains("space"),
      "optimizer '{}': the saved state lacks the keys optimizer, space and state", name());
  const std::string saved = in["optimizer"].is_string() ? in["optimizer"].get<std::string>() : "";
  NASCPP_CHECK_DATA(saved == name(), "optimizer '{}' cannot load a state saved by optimizer '{}'",
                    name(), saved);
  const std::string space = in["space"].is_string() ? in["space"].get<std::string>() : "";
  NASCPP_CHECK_DATA(space == space_->name(),
                    "optimizer '{}': the saved state is for search space '{}', attached to '{}'",
                    name(), space, space_->name());
  do_load_state(in["state"].dump());
  NASCPP_CHECK_DATA(in.contains("next_trial") && in.contains("pending"),
                    "optimizer '{}': the saved state lacks the keys next_trial and pending",
                    name());
  int64_t next = 0;
  std::map<int64_t, Trial> pending;
  std::vector<Architecture> warm;
  try {
    next = in.at("next_trial").get<int64_t>();
    for (const auto& j : in.at("pending")) {
      Trial t;
      t.id = j.at("id").get<int64_t>();
      t.arch = Architecture(space_->name(), j.at("arch").get<std::vector<int32_t>>());
      t.fidelity.epochs = j.at("epochs").get<int64_t>();
      if (j.contains("continues")) {
        t.continues = Trial::Continuation{j["continues"].at(0).get<int64_t>(),
                                          j["continues"].at(1).get<int64_t>()};
      }
      NASCPP_CHECK_DATA(t.id >= 0 && t.id < next && pending.count(t.id) == 0,
                        "optimizer '{}': the saved pending trial {} is out of range or repeated",
                        name(), t.id);
      space_->validate(t.arch);
      pending.emplace(t.id, std::move(t));
    }
    // States saved before warm starts existed have none.
    if (in.contains("warm_start")) {
      for (const auto& j : in.at("warm_start")) {
        Architecture a(space_->name(), j.get<std::vector<int32_t>>());
        space_->validate(a);
        warm.push_back(std::move(a));
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(
        fmt::format("optimizer '{}': the saved trials are malformed: {}", name(), e.what()));
  } catch (const ConfigError& e) {
    throw DataError(
        fmt::format("optimizer '{}': a saved pending trial is invalid: {}", name(), e.what()));
  }
  NASCPP_CHECK_DATA(static_cast<int64_t>(pending.size()) <= max_in_flight_,
                    "optimizer '{}': the saved state has {} pending trials, the loop allows {} in "
                    "flight",
                    name(), pending.size(), max_in_flight_);
  next_id_ = next;
  pending_ = std::move(pending);
  warm_start_ = std::move(warm);
}

}  // namespace nascpp

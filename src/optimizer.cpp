#include "nascpp/optimizer.h"

#include <nlohmann/json.hpp>

#include "nascpp/core/nesting.h"

namespace nascpp {

void BlackBoxOptimizer::attach(std::shared_ptr<const SearchSpace> space, Rng* rng) {
  NASCPP_CHECK(space != nullptr, "optimizer '{}' attached to no search space", name());
  NASCPP_CHECK(rng != nullptr, "optimizer '{}' attached without a random generator", name());
  space_ = std::move(space);
  rng_ = rng;
  do_attach();
}

Architecture BlackBoxOptimizer::ask() {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': ask() before attach()", name());
  Architecture arch = do_ask();
  NASCPP_ASSERT(arch.space() == space_->name());
  // An invalid proposal is our bug, but the check is cheap and the message
  // (from the space) names what is wrong.
  space_->validate(arch);
  return arch;
}

void BlackBoxOptimizer::tell(const Architecture& arch, const EvaluationResult& result) {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': tell() before attach()", name());
  NASCPP_CHECK(arch.space() == space_->name(),
               "optimizer '{}' told about an architecture of space '{}', attached to '{}'", name(),
               arch.space(), space_->name());
  do_tell(arch, result);
}

std::string BlackBoxOptimizer::save_state() const {
  NASCPP_CHECK(space_ != nullptr, "optimizer '{}': save_state() before attach()", name());
  nlohmann::json out;
  out["optimizer"] = name();
  out["space"] = space_->name();
  out["state"] = nlohmann::json::parse(do_save_state());
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
}

}  // namespace nascpp

#pragma once
// Helpers shared by the optimizers' state (de)serialisation: architectures as
// JSON values and checked reads with DataErrors naming the key. Internal to
// the library (nlohmann_json is a private dependency).

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/error.h"
#include "nascpp/search_space.h"

namespace nascpp::detail {

/// The compact encoding as a JSON array (the space name is stored once, by
/// BlackBoxOptimizer::save_state).
inline nlohmann::json arch_to_json(const Architecture& arch) { return arch.encoding(); }

/// An objective as JSON: a failed evaluation's -infinity (which JSON cannot
/// hold) as null.
inline nlohmann::json objective_to_json(double objective) {
  return std::isfinite(objective) ? nlohmann::json(objective) : nlohmann::json();
}

/// `state[key]` as an objective: null is -infinity (a failed evaluation).
inline double objective_from_json(const nlohmann::json& state, const char* key,
                                  const std::string& optimizer);

/// Parses a JSON value, a DataError naming `optimizer` when malformed.
inline nlohmann::json parse_state(const std::string& text, const std::string& optimizer) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("optimizer '{}': malformed saved state: {}", optimizer, e.what()));
  }
}

/// `state[key]`, a DataError when absent.
inline const nlohmann::json& state_at(const nlohmann::json& state, const char* key,
                                      const std::string& optimizer) {
  NASCPP_CHECK_DATA(state.is_object() && state.contains(key),
                    "optimizer '{}': the saved state lacks the key '{}'", optimizer, key);
  return state.at(key);
}

/// Reads `state[key]` as T, a DataError naming the key when absent or of
/// the wrong type.
template <class T>
T state_get(const nlohmann::json& state, const char* key, const std::string& optimizer) {
  const nlohmann::json& v = state_at(state, key, optimizer);
  try {
    return v.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("optimizer '{}': saved state key '{}' has the wrong type: {}",
                                optimizer, key, e.what()));
  }
}

inline double objective_from_json(const nlohmann::json& state, const char* key,
                                  const std::string& optimizer) {
  const nlohmann::json& v = state_at(state, key, optimizer);
  if (v.is_null()) return -std::numeric_limits<double>::infinity();
  return state_get<double>(state, key, optimizer);
}

/// An architecture of `space` from its JSON encoding; invalid ones are
/// DataErrors with the space's message.
inline Architecture arch_from_json(const nlohmann::json& value, const SearchSpace& space,
                                   const std::string& optimizer) {
  std::vector<int32_t> encoding;
  try {
    encoding = value.get<std::vector<int32_t>>();
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format(
        "optimizer '{}': a saved architecture is not a list of integers: {}", optimizer, e.what()));
  }
  Architecture arch(space.name(), std::move(encoding));
  try {
    space.validate(arch);
  } catch (const ConfigError& e) {
    throw DataError(
        fmt::format("optimizer '{}': a saved architecture is invalid: {}", optimizer, e.what()));
  }
  return arch;
}

}  // namespace nascpp::detail

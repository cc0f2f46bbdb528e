#pragma once
/// Configuration: YAML documents read into typed Options structs.
///
/// A `ConfigNode` wraps one YAML mapping (a section such as `optimizer:`). Each
/// `get` reads a key with a default and records the value in effect, so the
/// resolved configuration (user values plus defaults) can be written back out.
/// `finish()` turns every key nobody read into a ConfigError with a
/// did-you-mean suggestion: a typo never silently falls back to a default.
///
///     auto cfg = nascpp::ConfigNode::load_file("experiment.yaml");
///     auto opt = cfg.section("optimizer");
///     int population = opt.get<int>("population_size", 50);
///     cfg.finish();  // throws on unknown keys anywhere that was read

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "nascpp/core/error.h"

namespace nascpp {

class ConfigNode {
 public:
  /// An empty mapping at the root.
  ConfigNode();
  /// Wraps `node` (a mapping, or null for an empty section); `path` is the
  /// dotted location used in messages ("" for the root).
  ConfigNode(YAML::Node node, std::string path);

  /// Parses a YAML file; a missing or malformed file is a ConfigError naming it.
  /// So are several YAML documents in one file (`---`), a key repeated in a
  /// mapping at any depth (naming the key and both lines) and a key that is
  /// not a plain scalar.
  static ConfigNode load_file(const std::string& path);
  /// Parses YAML text; `origin` names it in messages.
  static ConfigNode parse(const std::string& text, const std::string& origin = "<string>");

  /// True if the mapping has `key`.
  bool has(const std::string& key) const;

  /// Reads `key` as T, or `default_value` when absent; records the value. A
  /// value of the wrong type, and for floating-point T a non-finite one (.inf,
  /// -.inf, .nan), is a ConfigError naming the key and the value.
  template <class T>
  T get(const std::string& key, const T& default_value) {
    T value = default_value;
    if (has(key)) value = convert<T>(key);
    record(key, YAML::Node(value));
    return value;
  }

  /// Reads a key that must be present.
  template <class T>
  T require(const std::string& key) {
    NASCPP_CHECK_CONFIG(has(key), "missing required config key '{}'", qualified(key));
    T value = convert<T>(key);
    record(key, YAML::Node(value));
    return value;
  }

  /// Reads a string key that must be one of `choices`.
  std::string get_choice(const std::string& key, const std::string& default_value,
                         const std::vector<std::string>& choices);

  /// The sub-mapping at `key` (an empty one when absent). Its keys are checked
  /// by `finish()` of this node.
  ConfigNode section(const std::string& key);

  /// Marks `key` as consumed without reading it (for keys handled elsewhere).
  void mark_used(const std::string& key);

  /// Keys present in the mapping, in document order.
  std::vector<std::string> keys() const;

  /// Throws ConfigError for the first key (here or in any section taken from
  /// this node) that was never read, listing the known keys of that section.
  void finish() const;

  /// The configuration in effect: every key read, with defaults filled in.
  YAML::Node resolved() const;

  /// Writes `resolved()` to `path` atomically (temporary file, then rename).
  void write_resolved(const std::string& path) const;

  /// Applies a `dotted.key=value` override; the value is parsed as YAML, by
  /// the rules of `parse` (one document, no repeated keys).
  void apply_override(const std::string& assignment);

  /// Dotted path of this node ("" at the root).
  const std::string& path() const;

  /// The raw YAML node (read-only use).
  YAML::Node raw() const;

 private:
  struct State;
  explicit ConfigNode(std::shared_ptr<State> state);

  std::string qualified(const std::string& key) const;
  YAML::Node lookup(const std::string& key) const;
  void record(const std::string& key, const YAML::Node& value);
  [[noreturn]] void conversion_error(const std::string& key, const char* expected) const;

  template <class T>
  T convert(const std::string& key) const {
    const YAML::Node node = lookup(key);
    T value;
    try {
      value = node.as<T>();
    } catch (const YAML::Exception&) {
      conversion_error(key, type_name<T>());
    }
    // YAML reads .inf, -.inf and .nan as numbers; no option means them
    // (0 is "no limit" where a limit can be switched off).
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(value)) conversion_error(key, "a finite number");
    }
    return value;
  }

  template <class T>
  static const char* type_name() {
    if constexpr (std::is_same_v<T, bool>) {
      return "a boolean (true/false)";
    } else if constexpr (std::is_integral_v<T>) {
      return "an integer";
    } else if constexpr (std::is_floating_point_v<T>) {
      return "a number";
    } else if constexpr (std::is_same_v<T, std::string>) {
      return "a string";
    } else {
      return "a list or mapping of the right type";
    }
  }

  std::shared_ptr<State> state_;
};

}  // namespace nascpp

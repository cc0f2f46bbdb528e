#pragma once
/// One registry per extension kind (search spaces, optimizers, benchmarks,
/// datasets, operations). Each is filled by an explicit builtin list
/// (`builtin.cpp`), never by static self-registration, which static linking
/// drops. A user adds their own entry with one call:
///
///     nascpp::search_space_registry().add("my_space", "my cells", factory);
///
/// after which a configuration can name "my_space".

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "nascpp/core/error.h"

namespace nascpp {

template <class Signature>
class Registry;

/// A name -> (description, factory) map for one kind of extension.
/// `Signature` is the factory's function type, e.g.
/// `std::unique_ptr<SearchSpace>(const ConfigNode&)`.
template <class Result, class... Args>
class Registry<Result(Args...)> {
 public:
  using Factory = std::function<Result(Args...)>;

  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  /// `kind` names the extension kind in messages ("search space", ...).
  explicit Registry(std::string kind) : kind_(std::move(kind)) {}

  /// Registers `name`; registering a name twice is an error.
  void add(const std::string& name, const std::string& description, Factory factory) {
    NASCPP_CHECK_CONFIG(!name.empty(), "a {} needs a non-empty name", kind_);
    NASCPP_CHECK_CONFIG(static_cast<bool>(factory), "{} '{}' has no factory", kind_, name);
    std::lock_guard<std::mutex> lock(mutex_);
    NASCPP_CHECK_CONFIG(entries_.count(name) == 0, "{} '{}' is already registered", kind_, name);
    entries_.emplace(name, Entry{name, description, std::move(factory)});
  }

  /// True if `name` is registered.
  bool contains(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return entries_.count(name) != 0;
  }

  /// The entry for `name`; an unknown name is a ConfigError that lists the
  /// registered names and suggests the closest one.
  const Entry& at(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      std::vector<std::string> known;
      for (const auto& kv : entries_) known.push_back(kv.first);
      throw ConfigError(unknown_choice_message(kind_, name, known));
    }
    return it->second;
  }

  /// Calls the factory registered under `name`.
  Result create(const std::string& name, Args... args) const {
    return at(name).factory(std::forward<Args>(args)...);
  }

  /// Registered names, sorted.
  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& kv : entries_) out.push_back(kv.first);
    return out;
  }

  /// Registered entries, sorted by name.
  std::vector<Entry> entries() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Entry> out;
    for (const auto& kv : entries_) out.push_back(kv.second);
    return out;
  }

  /// The kind's name as used in messages.
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nascpp

#pragma once
// Helpers of the graph-space tests (tests/unit/graph).
#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "nascpp/core/config.h"
#include "nascpp/graph/search_space.h"
#include "nascpp/registries.h"

namespace nascpp::test {

/// The staged skeleton at its smallest: 4 channels, 2 stages of 1 cell.
inline GraphSpaceOptions small_skeleton() {
  GraphSpaceOptions options;
  options.skeleton(SkeletonOptions().channels(4).stages(2).cells_per_stage(1));
  return options;
}

/// A `graph` space read from YAML as the `search_space` section of a config
/// (entry paths in messages start with "search_space"), every key checked.
inline std::shared_ptr<const SearchSpace> graph_space_from_yaml(const std::string& yaml) {
  auto cfg = ConfigNode(YAML::Load(yaml), "search_space");
  auto space = search_space_registry().create("graph", cfg);
  cfg.finish();
  return space;
}

}  // namespace nascpp::test

// The named evaluation protocols (include/nascpp/train/protocols.h). Values
// from the papers' released training configurations.
#include "nascpp/train/protocols.h"

#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {

struct Protocol {
  std::string name;
  std::string space;  // the space whose network keys apply ("" none)
  std::vector<std::pair<std::string, std::string>> space_keys;
  std::vector<std::pair<std::string, std::string>> train_keys;
};

const std::vector<Protocol>& protocols() {
  static const std::vector<Protocol> all = {
      {"nasbench201",
       "nasbench201",
       {{"channels", "16"}, {"cells_per_stage", "5"}},
       {{"epochs", "200"},
        {"batch_size", "256"},
        {"learning_rate", "0.1"},
        {"min_learning_rate", "0"},
        {"momentum", "0.9"},
        {"nesterov", "true"},
        {"weight_decay", "0.0005"},
        {"grad_clip", "0"},
        {"augment.crop_padding", "4"},
        {"augment.horizontal_flip", "true"}}},
      {"darts",
       "darts",
       {{"channels", "36"}, {"layers", "20"}, {"auxiliary", "true"}},
       {{"epochs", "600"},
        {"batch_size", "96"},
        {"learning_rate", "0.025"},
        {"min_learning_rate", "0"},
        {"momentum", "0.9"},
        {"nesterov", "false"},
        {"weight_decay", "0.0003"},
        {"grad_clip", "5"},
        {"auxiliary_weight", "0.4"},
        {"drop_path_prob", "0.2"},
        {"augment.crop_padding", "4"},
        {"augment.horizontal_flip", "true"},
        {"augment.cutout_length", "16"}}},
  };
  return all;
}

// Whether the dotted key is set below `node`.
bool has_path(YAML::Node node, const std::string& dotted) {
  size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot - start);
    if (!node.IsMap() || !node[part]) return false;
    // reset() rebinds; `node = ...` would overwrite the referenced node.
    node.reset(node[part]);
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

std::vector<std::string> training_protocols() {
  std::vector<std::string> names;
  for (const auto& p : protocols()) names.push_back(p.name);
  return names;
}

void apply_training_protocol(ConfigNode& cfg, const std::string& name) {
  const Protocol* found = nullptr;
  for (const auto& p : protocols()) {
    if (p.name == name) found = &p;
  }
  if (found == nullptr) {
    throw ConfigError(unknown_choice_message("evaluation protocol", name, training_protocols()));
  }
  const YAML::Node raw = cfg.raw();
  // Without a name the space is the default one, NAS-Bench-201.
  const std::string space = raw["search_space"] && raw["search_space"]["name"]
                                ? raw["search_space"]["name"].as<std::string>()
                                : "nasbench201";
  const bool space_matches = space == found->space;
  if (space_matches) {
    for (const auto& [key, value] : found->space_keys) {
      if (!has_path(raw, "search_space." + key)) {
        cfg.apply_override("search_space." + key + "=" + value);
      }
    }
  }
  for (const auto& [key, value] : found->train_keys) {
    if (!has_path(raw, "train." + key)) cfg.apply_override("train." + key + "=" + value);
  }
}

}  // namespace nascpp

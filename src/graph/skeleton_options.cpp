// SkeletonOptions: reading and checking the staged skeleton's settings. Part
// of the core (no LibTorch call); the skeleton's modules are in skeleton.cpp.
#include "nascpp/core/error.h"
#include "nascpp/graph/skeleton.h"

namespace nascpp {

SkeletonOptions SkeletonOptions::from_config(ConfigNode& cfg) {
  SkeletonOptions o;
  o.channels(cfg.get<int64_t>("channels", o.channels()));
  o.stages(cfg.get<int64_t>("stages", o.stages()));
  o.cells_per_stage(cfg.get<int64_t>("cells_per_stage", o.cells_per_stage()));
  o.reduction(cfg.get<std::string>("reduction", o.reduction()));
  o.head_bn_relu(cfg.get<bool>("head_bn_relu", o.head_bn_relu()));
  o.validate();
  return o;
}

void SkeletonOptions::validate() const {
  NASCPP_CHECK_CONFIG(channels_ >= 2, "skeleton channels must be at least 2, got {}", channels_);
  NASCPP_CHECK_CONFIG(stages_ >= 1 && stages_ <= 8,
                      "skeleton stages must be in [1, 8] (each after the first halves the "
                      "resolution), got {}",
                      stages_);
  NASCPP_CHECK_CONFIG(cells_per_stage_ >= 1, "skeleton cells_per_stage must be at least 1, got {}",
                      cells_per_stage_);
  if (!op_registry().contains(reduction_)) {
    throw ConfigError(
        unknown_choice_message("skeleton reduction op", reduction_, op_registry().names()));
  }
}

std::string SkeletonOptions::describe() const {
  return fmt::format("channels = {}, stages = {}, cells_per_stage = {}, reduction = {}", channels_,
                     stages_, cells_per_stage_, reduction_);
}

}  // namespace nascpp

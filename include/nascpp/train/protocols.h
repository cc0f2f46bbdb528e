#pragma once
/// Named evaluation protocols: the training settings (and, where the paper
/// fixes them, the evaluation network's size) with which the papers train an
/// architecture from scratch, for `nascpp evaluate --protocol NAME` and the
/// `final.protocol` key of an experiment.
///
///   nasbench201  Dong & Yang 2020 (AutoDL-Projects 200E config): 200 epochs,
///                batch 256, SGD lr 0.1 cosine to 0, momentum 0.9, Nesterov,
///                weight decay 5e-4, random crop (padding 4) and flip.
///   darts        Liu et al. 2019 (quark0/darts cnn/train.py): 600 epochs,
///                batch 96, SGD lr 0.025 cosine to 0, momentum 0.9, weight
///                decay 3e-4, gradient clip 5, auxiliary weight 0.4, drop path
///                0.2, cutout 16, crop and flip; in the DARTS space also
///                36 channels, 20 cells and the auxiliary head.
///
///     auto cfg = nascpp::ConfigNode::load_file("my.yaml");
///     nascpp::apply_training_protocol(cfg, "darts");  // keys cfg sets win

#include <string>
#include <vector>

#include "nascpp/core/config.h"

namespace nascpp {

/// The protocol names.
std::vector<std::string> training_protocols();

/// Sets in `cfg` (a node with `search_space` and `train` sections) every key
/// of the protocol that `cfg` does not set itself; the search-space keys only
/// when `search_space.name` is the protocol's space. An unknown name is a
/// ConfigError listing the protocols.
void apply_training_protocol(ConfigNode& cfg, const std::string& name);

}  // namespace nascpp

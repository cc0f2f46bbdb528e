#pragma once
/// The DARTS search space (Liu, Simonyan & Yang, ICLR 2019): a normal and a
/// reduction cell, each with two inputs (the outputs of the two previous
/// cells, c_{k-2} = 0 and c_{k-1} = 1) and four intermediate nodes 2..5; node
/// k sums two ops applied to two distinct earlier states (0 .. k-1); the cell
/// output concatenates nodes 2, 3, 4, 5. Ops: max_pool_3x3, avg_pool_3x3,
/// skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5
/// (`none` is only a candidate of the supernet).
///
/// An Architecture of this space has the space name "darts" and 32 integers,
/// the NAS-Bench-301 / NASLib compact form: the normal cell's 8 (input, op)
/// pairs, then the reduction cell's 8; pairs 2k and 2k+1 feed node k + 2; op
/// ids 0..6 in the order above. Its text form is the DARTS repository's
/// genotype; `parse` also accepts the compact form:
///
///     nascpp::DartsSpace space;
///     auto a = space.parse("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
///                          "...], normal_concat=[2, 3, 4, 5], reduce=[...], "
///                          "reduce_concat=[2, 3, 4, 5])");
///     auto b = space.parse("[[(0, 3), (1, 3), ...], [(0, 0), (1, 0), ...]]");
///     space.format_compact(a);  // "[[(0, 3), (1, 3), ...], [...]]"
///
/// The evaluation network (NetworkCIFAR) and the search supernet are built by
/// `build_network` / `build_supernet`, defined in network.cpp beside this file.
/// docs/darts.md describes the space, the encodings and the networks.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// The evaluation network's size (DARTS `train.py`; defaults = the paper's
/// CIFAR-10 evaluation protocol: 36 channels, 20 cells, auxiliary head,
/// drop path 0.2).
struct DartsNetworkOptions {
  /// Channels C of the first cells (the stem has 3C).
  NASCPP_ARG(int64_t, channels) = 36;
  /// Number of cells; reduction cells sit at layers/3 and 2*layers/3.
  NASCPP_ARG(int64_t, layers) = 20;
  /// Whether the auxiliary head (after cell 2*layers/3) is built.
  NASCPP_ARG(bool, auxiliary) = true;
  /// Drop-path probability the network starts with (DARTS' `drop_path_prob`;
  /// a trainer following DARTS ramps it with `Network::set_drop_path_prob`).
  NASCPP_ARG(double, drop_path_prob) = 0.2;
  /// Cell operations as DARTS' search network builds them: batch norms
  /// without affine parameters, and one after each pooling. NASLib's
  /// NAS-Bench-301 network (which NAS-Bench-Suite-Zero scored) is this with
  /// 32 channels, 8 cells and no auxiliary head. The preprocessing and the
  /// stem keep their affine batch norms either way.
  NASCPP_ARG(bool, search_cell_ops) = false;

 public:
  /// Reads `channels`, `layers`, `auxiliary`, `drop_path_prob`,
  /// `search_cell_ops`; ConfigError
  /// for invalid values.
  static DartsNetworkOptions from_config(ConfigNode& cfg);
  void validate() const;
};

/// The search supernet's size (DARTS `train_search.py` / `model_search.py`).
struct DartsSupernetOptions {
  /// Channels C of the first cells.
  NASCPP_ARG(int64_t, channels) = 16;
  /// Number of cells; reduction cells sit at layers/3 and 2*layers/3.
  NASCPP_ARG(int64_t, layers) = 8;
  /// The stem has stem_multiplier * C channels.
  NASCPP_ARG(int64_t, stem_multiplier) = 3;

 public:
  /// Reads `channels`, `layers`, `stem_multiplier`; ConfigError for invalid values.
  static DartsSupernetOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class DartsSpace : public SearchSpace {
 public:
  /// Registry name and the space name carried by its architectures.
  static constexpr const char* kName = "darts";
  /// Intermediate nodes per cell.
  static constexpr int kNumNodes = 4;
  /// (input, op) pairs per cell: two per intermediate node.
  static constexpr int kPairsPerCell = 2 * kNumNodes;
  /// Ops of the discrete space (without `none`).
  static constexpr int kNumOps = 7;
  /// Integers of an encoding: 2 cells x 8 pairs x (input, op).
  static constexpr int kEncodingSize = 2 * kPairsPerCell * 2;
  /// Edges of a supernet cell: 2 + 3 + 4 + 5 (node k has k incoming edges).
  static constexpr int kNumSupernetEdges = 14;

  /// The cells of an architecture.
  enum class CellType { kNormal = 0, kReduce = 1 };

  /// One (input state, op id) pair of a cell.
  struct Gene {
    int32_t input = 0;
    int32_t op = 0;
    friend bool operator==(const Gene& a, const Gene& b) {
      return a.input == b.input && a.op == b.op;
    }
  };
  /// The 8 pairs of one cell, pairs 2k and 2k+1 feeding node k + 2.
  using CellGenes = std::array<Gene, kPairsPerCell>;

  /// The discrete ops in compact-id order: max_pool_3x3, avg_pool_3x3,
  /// skip_connect, sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5.
  static const std::vector<std::string>& op_names();
  /// DARTS' PRIMITIVES: `none` followed by `op_names()` (the supernet's
  /// candidates; candidate i + 1 is compact op i).
  static const std::vector<std::string>& primitives();

  /// A space whose networks use the default options.
  DartsSpace() = default;
  DartsSpace(DartsNetworkOptions network_options, DartsSupernetOptions supernet_options)
      : network_options_(network_options), supernet_options_(supernet_options) {}

  /// Reads the network keys (DartsNetworkOptions) and the `supernet`
  /// subsection (DartsSupernetOptions).
  static std::shared_ptr<const DartsSpace> from_config(ConfigNode& config);

  const DartsNetworkOptions& network_options() const { return network_options_; }
  const DartsSupernetOptions& supernet_options() const { return supernet_options_; }

  // ---- conversions (static) ----

  /// The genes of cell `type` of `arch`; ConfigError if `arch` is invalid.
  static CellGenes genes_of(const Architecture& arch, CellType type);
  /// The architecture of these cells; ConfigError naming the first invalid
  /// pair (op id out of range, input out of range for its node, or the two
  /// inputs of a node equal).
  static Architecture from_genes(const CellGenes& normal, const CellGenes& reduce);
  /// The compact form as NASLib prints it: "[[(0, 3), (1, 3), ...], [...]]".
  static std::string format_compact(const Architecture& arch);

  // ---- SearchSpace ----

  std::string name() const override { return kName; }
  /// Parses a DARTS genotype `Genotype(normal=[('op', input), ...],
  /// normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])`
  /// (quotes ' or ", concat also `range(2, 6)`) or the compact form
  /// `[[(input, op id) x 8], [(input, op id) x 8]]` (brackets or parentheses).
  /// Malformed text is a ConfigError naming the offset, the bad token or value
  /// and the valid choices.
  Architecture parse(const std::string& text) const override;
  /// The DARTS genotype text, exactly as the DARTS repository prints it.
  std::string format(const Architecture& arch) const override;
  /// ConfigError unless the space is "darts", there are 32 integers, every op
  /// id is in [0, 7), every input of node k in [0, k) and the two inputs of
  /// each node differ.
  void validate(const Architecture& arch) const override;

  /// Per cell and node: two distinct inputs drawn uniformly without
  /// replacement, two ops drawn uniformly (NASLib's DARTS sampler).
  Architecture sample(Rng& rng) const override;
  /// NASLib's DARTS mutation, made to always change the architecture: a
  /// uniform cell, pair, and change kind (op or input); an op changes to one
  /// of the 6 others, an input to one of the node's other valid inputs that is
  /// not the sibling pair's input (node 2 has none, so its pairs change op).
  Architecture mutate(const Architecture& arch, Rng& rng) const override;
  /// All single changes (NASLib's get_nbhd order, unshuffled): for each cell,
  /// each pair: the 6 other ops in increasing id, then every other valid input
  /// in increasing order. 120 neighbours.
  std::vector<Architecture> neighbours(const Architecture& arch) const override;

  /// The space has 2.8e20 encodings (about 1e18 distinct networks): not
  /// enumerable.
  std::optional<uint64_t> size() const override { return std::nullopt; }

  /// "adjacency", "compact", "path".
  std::vector<std::string> encodings() const override;
  /// `compact`: the 32 integers. `adjacency`: NASLib's DARTS
  ///   adjacency_one_hot (`encode_adj`), 114 = per cell (normal, reduce) the
  ///   7x7 adjacency of inputs 0-1, nodes 2-5 and the output 6, row-major,
  ///   then the 8 op ids. `path`: NASLib's path encoding, 11,204 = per cell
  ///   and input, one feature per op sequence of length 0..4 (2,801); see
  ///   docs/darts.md.
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override;

  /// The evaluation network (defined in network.cpp).
  std::shared_ptr<Network> build_network(const Architecture& arch,
                                         const NetworkSpec& spec) const override;
  /// The search supernet (defined in network.cpp).
  std::shared_ptr<Supernet> build_supernet(const NetworkSpec& spec) const override;

 private:
  DartsNetworkOptions network_options_;
  DartsSupernetOptions supernet_options_;
};

}  // namespace nascpp

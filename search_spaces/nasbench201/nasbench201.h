#pragma once
/// The NAS-Bench-201 search space (Dong & Yang, ICLR 2020): one cell of 4 nodes
/// whose 6 edges 0->1, 0->2, 1->2, 0->3, 1->3, 2->3 each carry one of 5 ops
/// (none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3), i.e.
/// 5^6 = 15,625 architectures.
///
/// An Architecture of this space has the space name "nasbench201" and the
/// encoding = the 6 op indices in the official edge order (op indices in the
/// official op order, none = 0 ... avg_pool_3x3 = 4). Its text form is the
/// official arch string:
///
///     nascpp::NasBench201Space space;
///     auto a = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|"
///                          "+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|");
///     space.format_op_code(a);  // "334131"
///     space.encode(a, "path");  // 180 features, see docs/nasbench201.md
///
/// Sampling, mutation, neighbours, enumeration, the encodings and the
/// canonical form are those of the cell graph as a GraphSearchSpace
/// (nascpp/graph/search_space.h); the text form, op codes and dense ids are
/// the benchmark's. The networks (the NAS-Bench-201 macro skeleton around the
/// cell) are built by `build_network`, defined in network.cpp beside this file.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/core/random.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// The macro skeleton's size.
struct NasBench201NetworkOptions {
  /// Channels of the first stage (16 in the benchmark).
  NASCPP_ARG(int64_t, channels) = 16;
  /// Cells per stage (5 in the benchmark).
  NASCPP_ARG(int64_t, cells_per_stage) = 5;

 public:
  /// Reads `channels` and `cells_per_stage`; ConfigError for invalid values.
  static NasBench201NetworkOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class NasBench201Space : public SearchSpace {
 public:
  /// Registry name and the space name carried by its architectures.
  static constexpr const char* kName = "nasbench201";
  static constexpr int kNumNodes = 4;
  static constexpr int kNumEdges = 6;
  static constexpr int kNumOps = 5;
  /// 5^6.
  static constexpr int32_t kNumArchitectures = 15625;
  /// Source and target node of each edge, in the official edge order.
  static constexpr std::array<int, kNumEdges> kEdgeFrom = {0, 0, 1, 0, 1, 2};
  static constexpr std::array<int, kNumEdges> kEdgeTo = {1, 2, 2, 3, 3, 3};

  /// The op index of each of the 6 edges.
  using Ops = std::array<int32_t, kNumEdges>;

  /// Op names in the official order: none, skip_connect, nor_conv_1x1,
  /// nor_conv_3x3, avg_pool_3x3.
  static const std::vector<std::string>& op_names();

  /// A space whose networks have the benchmark's size (C=16, N=5).
  NasBench201Space() = default;
  /// A space whose networks use `network_options`.
  explicit NasBench201Space(NasBench201NetworkOptions network_options)
      : network_options_(network_options) {}

  /// Reads the network keys `channels` and `cells_per_stage` (see
  /// NasBench201NetworkOptions).
  static std::shared_ptr<const NasBench201Space> from_config(ConfigNode& config);

  /// The size of the networks `build_network` builds.
  const NasBench201NetworkOptions& network_options() const { return network_options_; }

  // ---- conversions (static: they need no instance) ----

  /// The ops of `arch`; a ConfigError if `arch` is not a valid member.
  static Ops ops_of(const Architecture& arch);
  /// The architecture with these ops; a ConfigError for an op out of range.
  static Architecture from_ops(const Ops& ops);
  /// The dense id of the ops: the op code read as a base-5 number, edge 0->1
  /// most significant (0 ... 15624; "000000" -> 0, "421211" -> 13931).
  static int32_t dense_id(const Ops& ops) {
    int32_t id = 0;
    for (int32_t op : ops) id = id * kNumOps + op;
    return id;
  }
  /// Dense id of `arch`; a ConfigError if `arch` is not a valid member.
  static int32_t dense_id(const Architecture& arch);
  /// The ops with dense id `id` (0 <= id < 15625, else ConfigError).
  static Ops ops_from_dense_id(int32_t id);
  /// The official arch string of `ops`.
  static std::string format_ops(const Ops& ops);
  /// The 6-digit op code of `ops` ("421211").
  static std::string op_code_of(const Ops& ops);

  // ---- SearchSpace ----

  std::string name() const override { return kName; }
  /// Parses the official arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
  /// Malformed text is a ConfigError naming the character offset, the edge,
  /// what was expected and the valid op names.
  Architecture parse(const std::string& text) const override;
  /// The official arch string.
  std::string format(const Architecture& arch) const override;
  /// ConfigError unless the space name is "nasbench201" and there are 6 op
  /// indices in [0, 5).
  void validate(const Architecture& arch) const override;

  /// Uniform over the 15,625 architectures.
  Architecture sample(Rng& rng) const override;
  /// Exactly one edge, drawn uniformly, gets a different op, drawn uniformly.
  Architecture mutate(const Architecture& arch, Rng& rng) const override;
  /// The 24 single-edge changes: edges in the official order, and for each
  /// edge the other 4 ops in increasing op index.
  std::vector<Architecture> neighbours(const Architecture& arch) const override;

  std::optional<uint64_t> size() const override { return kNumArchitectures; }
  /// All 15,625 architectures in op-code (= dense id) order.
  std::vector<Architecture> enumerate() const override;

  /// "adjacency", "onehot", "op_indices", "path".
  std::vector<std::string> encodings() const override;
  /// `onehot`: 30 = 6 edges x 5 ops, edge-major (feature 5*e + op).
  /// `adjacency`: 58 = the cell as an op-labelled DAG with one node per edge
  ///   (input, the 6 edge-nodes, output): the 28 entries above the diagonal
  ///   of its 8x8 adjacency matrix, row-major, then the 30 onehot features;
  ///   an edge-node whose op is `none` has no connections.
  /// `path`: 180 = one feature per (input-output path, op sequence): paths
  ///   0->3 (5 features), 0->1->3 (25), 0->2->3 (25), 0->1->2->3 (125); an op
  ///   sequence is numbered base 5 with the first edge most significant; a
  ///   path through a `none` edge sets nothing.
  /// `op_indices`: the 6 op indices.
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override;
  /// Six choices of five operations each (the edges in the canonical order).
  std::vector<int32_t> choice_cardinalities() const override;
  std::vector<int32_t> choices_of(const Architecture& arch) const override;
  std::optional<Architecture> from_choices(const std::vector<int32_t>& choices) const override;

  /// Defined in network.cpp (the NAS-Bench-201 macro skeleton).
  std::shared_ptr<Network> build_network(const Architecture& arch,
                                         const NetworkSpec& spec) const override;
  std::shared_ptr<Supernet> build_supernet(const NetworkSpec& spec) const override;

  // ---- NAS-Bench-201 specific ----

  /// Parses a 6-digit op code ("421211"); anything else is a ConfigError
  /// naming the position of the bad character.
  Architecture parse_op_code(const std::string& code) const;
  /// The 6-digit op code.
  std::string format_op_code(const Architecture& arch) const;

  /// An isomorphism-canonical form: two cells get the same string exactly when
  /// NATS-Bench's `get_unique_str` (the cell's `to_unique_str` with zeros
  /// considered) gives them the same string; the strings are the same too.
  /// Each node is written as the sorted '+'-join of its inputs, an input being
  /// "#" (a `none` edge, or a source node that is itself "#"), the source
  /// node's string (skip_connect) or "(source)@op"; node 0 is "0", the result
  /// is node 3's string. The 15,625 cells fall into 6,466 classes.
  std::string canonical(const Architecture& arch) const;

 private:
  NasBench201NetworkOptions network_options_;
};

}  // namespace nascpp

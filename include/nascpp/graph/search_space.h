#pragma once
/// `GraphSearchSpace`: a search space defined by a cell `Graph` whose mixed
/// slots are the choices, plus the macro skeleton (nascpp/graph/skeleton.h)
/// that stacks the cells into a network. Everything a search needs is
/// derived from the graph: the text form and its parser, validation, uniform
/// sampling, mutation, neighbours, size and enumeration, encodings, the
/// network and the one-shot supernet. No SearchSpace method to write.
///
///     using nascpp::OpSlot;
///     const std::vector<std::string> ops = {"none", "skip_connect", "nor_conv_3x3"};
///     nascpp::Graph cell;
///     cell.add_input("0").add_node("1").add_output("2")
///         .add_edge("0", "1", OpSlot::mixed(ops))
///         .add_edge("0", "2", OpSlot::mixed(ops))
///         .add_edge("1", "2", OpSlot::mixed(ops));
///     auto space = std::make_shared<nascpp::GraphSearchSpace>("tiny_cell", cell);
///     space->size();                                        // 27
///     auto a = space->parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|");
///     auto b = space->mutate(a, rng);
///     auto net = space->build_network(a, nascpp::NetworkSpec());
///
/// The choices are the mixed slots, on edges or nodes: each takes one of its
/// candidate ops. Fixed and empty slots are fixed parts of every architecture.
/// A node with `choose_inputs` k (Node::choose_inputs, as in DARTS' cells)
/// also chooses which k of its incoming edges it keeps; each kept edge takes
/// one of the candidates, the others are dropped.
///
/// The text form lists, for each node with a choice in topological order, its
/// node op (if mixed) and `op~source` for each mixed incoming edge in edge
/// order (for a node that chooses its inputs: each kept edge), as `|...|`
/// groups joined by '+'. On NAS-Bench-201's graph this is
/// the benchmark's own arch string (tests/unit/graph/test_search_space.cpp
/// checks every one of the 15,625 cells). The same space can be declared in
/// YAML and searched through `nascpp run` (docs/extending.md).

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/graph/graph.h"
#include "nascpp/graph/skeleton.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// Everything about a graph space except the cell graph and its name.
struct GraphSpaceOptions {
  /// The macro skeleton of the networks and the supernet.
  NASCPP_ARG(SkeletonOptions, skeleton);
};

class GraphSearchSpace : public SearchSpace {
 public:
  /// Name of the registry entry that reads a graph space from a config.
  static constexpr const char* kRegistryName = "graph";

  /// Validates the definition: the graph (Graph::validate with the operation
  /// registry), at least one choice, mixed slots of at least two candidates,
  /// node and op names free of the text form's separators ('|', '~', '+',
  /// spaces), one input node and an output with the cell's channels (the staged skeleton chains
  /// cells). Every problem is a ConfigError naming the node, edge or key.
  GraphSearchSpace(std::string name, Graph cell, GraphSpaceOptions options = {});

  /// Reads a space declared in a config section (docs/extending.md):
  ///
  ///     label: tiny_cell             # the name its architectures carry
  ///     nodes:
  ///       - {name: "0", role: input}
  ///       - {name: "1"}                              # intermediate, sums
  ///       - {name: "2", role: output}
  ///     edges:
  ///       - {from: "0", to: "1", ops: [none, skip_connect, nor_conv_3x3]}
  ///       - {from: "0", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
  ///       - {from: "1", to: "2", ops: [none, skip_connect, nor_conv_3x3]}
  ///     skeleton: {channels: 16, stages: 3, cells_per_stage: 5}
  ///
  /// A node or edge takes `op` (fixed) or `ops` (a choice) or neither; a node
  /// also `role` (input, intermediate, output), `combine` (sum, concat) and
  /// `choose_inputs` (keep that many of its incoming edges, as in DARTS).
  /// Every mistake is a ConfigError naming the entry ("search_space.edges[2]")
  /// and the valid keys or values.
  static std::shared_ptr<const GraphSearchSpace> from_config(ConfigNode& config);

  /// The cell graph with its mixed slots (the choices).
  const Graph& graph() const { return graph_; }
  const GraphSpaceOptions& options() const { return options_; }
  /// The mixed slots, in the order of an architecture's encoding.
  const std::vector<SlotRef>& choice_slots() const { return slots_; }

  /// The cell of `arch`: every mixed slot replaced by its chosen op (fixed).
  Graph cell_of(const Architecture& arch) const;
  /// An isomorphism-aware form: cells that differ only in how their
  /// intermediate nodes are numbered, or in the order of the edges into a
  /// summing node, get the same string. Each node is written from its inputs:
  /// an incoming edge gives "#" (zero) when its op is `none` or its source is
  /// "#", the source's string when its op is `skip_connect`, "(source)@op"
  /// otherwise; a summing node sorts its inputs and joins them with '+', a
  /// concatenating node keeps their order inside "cat(...)"; a node op then
  /// wraps the node as an edge op would. The input node is its name; the
  /// result is the output node's string. On NAS-Bench-201's graph it is
  /// NasBench201Space::canonical, NATS-Bench's unique string (6,466 classes).
  std::string canonical(const Architecture& arch) const;
  /// The form of the text: "|op~0|+|op~0|op~1|" (for messages and docs).
  std::string text_form() const;

  // ---- SearchSpace ----
  std::string name() const override { return name_; }
  /// Parses the text form; a malformed string is a ConfigError naming the
  /// group, the node, what was expected and the valid ops.
  Architecture parse(const std::string& text) const override;
  std::string format(const Architecture& arch) const override;
  void validate(const Architecture& arch) const override;
  /// Uniform over the space.
  Architecture sample(Rng& rng) const override;
  /// One elementary change: a position drawn uniformly (a mixed slot, or a
  /// kept edge of a node that chooses its inputs), then one of its changes
  /// uniformly: another op, or (a kept edge) moving the edge with its op to
  /// one of the node's dropped edges. Without input choices these are the
  /// same draws as NasBench201Space::mutate on NAS-Bench-201's graph.
  Architecture mutate(const Architecture& arch, Rng& rng) const override;
  /// Every elementary change, position by position: the other ops in
  /// increasing op index, then (a kept edge) the moves in edge order.
  std::vector<Architecture> neighbours(const Architecture& arch) const override;
  /// The number of architectures, or nullopt beyond 2^63.
  std::optional<uint64_t> size() const override;
  /// In dense-id order (the first choice most significant); a ConfigError
  /// beyond 10 million architectures.
  std::vector<Architecture> enumerate() const override;
  /// "adjacency", "onehot", "op_indices", and "path" when it has at most
  /// 2^20 features.
  std::vector<std::string> encodings() const override;
  /// `op_indices`: the encoding (a dropped edge: its number of candidates).
  ///   `onehot`: one block of candidates per choice slot (a dropped edge:
  ///   all zeros). `adjacency`: the cell as a DAG with one vertex per edge
  ///   (a virtual input, the edges ordered by their target's topological
  ///   position, a virtual output): the entries above the diagonal,
  ///   row-major, then `onehot`; an edge whose op is `none`, or a dropped
  ///   edge, has no connections. `path` (offered when every edge is mixed, no node has an
  ///   op, and there are at most 2^20 features): one feature per
  ///   (input-output path, op sequence), paths by length then edge indices,
  ///   op sequences numbered with the first edge most significant. On
  ///   NAS-Bench-201's graph all four equal NasBench201Space's.
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override;
  /// One choice per mixed slot: its number of candidates (plus one, "dropped",
  /// on the incoming edges of a node that chooses its inputs; from_choices
  /// gives nullopt unless such a node keeps exactly its number of edges).
  std::vector<int32_t> choice_cardinalities() const override;
  std::vector<int32_t> choices_of(const Architecture& arch) const override;
  std::optional<Architecture> from_choices(const std::vector<int32_t>& choices) const override;

  std::shared_ptr<Network> build_network(const Architecture& arch,
                                         const NetworkSpec& spec) const override;
  /// One architecture-parameter row per choice slot (cell type "cell"),
  /// shared by all cells; all mixed slots must have the same candidates (a
  /// ConfigError otherwise). Derivation: the strongest op of each slot; a
  /// node that chooses k inputs keeps, as DARTS derives its genotype, the k
  /// edges whose strongest op other than `none` has the largest softmax
  /// weight, each with that op.
  std::shared_ptr<Supernet> build_supernet(const NetworkSpec& spec) const override;

  /// The architecture that one-shot weights `weights` ([choice slots,
  /// candidates], e.g. the softmax of a supernet's alphas) derive: each
  /// slot's strongest candidate, and for a node that chooses its inputs the
  /// rule build_supernet describes.
  Architecture derive(const torch::Tensor& weights) const;

  /// The dense id of `arch` (0 <= id < size()); ConfigError when the size is
  /// beyond 2^63.
  uint64_t dense_id(const Architecture& arch) const;
  /// The architecture of a dense id.
  Architecture from_dense_id(uint64_t id) const;

 private:
  // A digit of the dense id: one mixed slot, or the incoming edges of a node
  // that chooses its inputs (every configuration listed, in order).
  struct Unit {
    std::vector<size_t> slots;
    size_t keep = 0;  // 0: one plain slot
    uint64_t radix = 0;
    std::vector<std::vector<int32_t>> configs;  // keep > 0: per slot op or "dropped"
    std::map<std::vector<int32_t>, uint64_t> rank;
  };

  std::vector<int32_t> checked(const Architecture& arch) const;
  Architecture make(std::vector<int32_t> encoding) const;
  void check_definition();
  void make_units();
  std::vector<std::vector<size_t>> list_paths() const;
  /// The dropped value of slot `s` (its number of candidates), -1 for a slot
  /// of no input choice.
  int32_t dropped(size_t s) const;
  /// The values slot `s` takes in an encoding: its candidates, and "dropped"
  /// on an edge of a node that chooses its inputs.
  int32_t values(size_t s) const;
  /// How many edges of `unit` the encoding keeps.
  size_t kept(const Unit& unit, const std::vector<int32_t>& encoding) const;
  /// Writes value `digit` of `unit` into `encoding`.
  void write_digit(const Unit& unit, uint64_t digit, std::vector<int32_t>& encoding) const;
  /// A bound on one cell's parameters (its supernet cell's, quadratic in the
  /// channels), fitted on first use (search_space_networks.cpp: it builds
  /// LibTorch modules) and shared by the copies of this space.
  const OpParameterModel& cell_parameter_bound() const;
  struct ParameterBound {
    std::once_flag once;
    OpParameterModel model;
  };

  std::string name_;
  Graph graph_;
  GraphSpaceOptions options_;
  std::vector<SlotRef> slots_;
  std::vector<int32_t> slot_candidates_;  // per slot
  std::vector<size_t> choice_nodes_;      // nodes with a group in the text, topological
  std::vector<int64_t> edge_slot_;        // per edge: choice slot or -1
  std::vector<int64_t> node_slot_;        // per node: choice slot or -1
  std::vector<int32_t> slot_none_;        // per slot: index of `none`, or -1
  std::vector<char> edge_passes_;         // per edge: not a fixed `none`
  std::vector<Unit> units_;               // dense-id digits, by first slot
  std::vector<size_t> slot_unit_;         // per slot: its unit
  bool input_choices_ = false;            // some node chooses its inputs
  std::shared_ptr<ParameterBound> parameter_bound_ = std::make_shared<ParameterBound>();
  std::vector<size_t> edge_vertex_order_; // adjacency: edges by their target's position
  std::optional<uint64_t> size_;
  bool path_encoding_ = false;               // "path" offered
  std::vector<std::vector<size_t>> paths_;   // its paths, when offered
};

}  // namespace nascpp

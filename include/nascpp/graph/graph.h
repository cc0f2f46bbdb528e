#pragma once
/// `Graph`: a small value type describing a cell as a DAG of named nodes and
/// directed edges, either of which may carry an operation slot.
///
/// One abstraction expresses the three built-in spaces (docs/graph.md):
///  - NAS-Bench-201: input "0", nodes "1", "2", output "3", all summing, an
///    op on each of the 6 edges j -> i (j < i);
///  - DARTS: inputs "c_{k-2}", "c_{k-1}", 4 summing intermediate nodes each fed
///    by two op edges, an output that concatenates the 4 intermediates
///    through plain edges;
///  - NAS-Bench-101: ops on the interior nodes, plain edges from the adjacency
///    matrix, an output that concatenates.
///
///     nascpp::Graph g;
///     g.add_input("0")
///         .add_node("1")
///         .add_output("2")
///         .add_edge("0", "1", nascpp::OpSlot::fixed("nor_conv_3x3"))
///         .add_edge("0", "2", nascpp::OpSlot::fixed("skip_connect"))
///         .add_edge("1", "2", nascpp::OpSlot::mixed({"none", "avg_pool_3x3"}));
///     g.validate(nascpp::op_registry());
///
/// Building never throws; `validate` reports every structural problem as a
/// ConfigError naming the node or edge at fault.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/ops/op.h"

namespace nascpp {

/// What a node is for in a cell.
enum class NodeRole {
  kInput,         ///< receives one of the cell's input tensors; no incoming edges
  kIntermediate,  ///< combines its incoming edges
  kOutput,        ///< combines its incoming edges; its result is the cell's output
};

/// How a node merges the tensors arriving on its incoming edges.
enum class Combine {
  kSum,     ///< element-wise sum (all inputs have the same shape)
  kConcat,  ///< concatenation along channels, in the graph's edge order
};

/// "input", "intermediate", "output".
std::string to_string(NodeRole role);
/// "sum", "concat".
std::string to_string(Combine combine);

/// The operation on a node or an edge: empty (identity), a fixed operation
/// name, or a list of candidate names (a mixed slot of a supernet) with an
/// optional chosen index.
class OpSlot {
 public:
  /// An empty slot: the edge or node passes its tensor through unchanged.
  OpSlot() = default;
  /// A fixed operation, e.g. `OpSlot::fixed("nor_conv_3x3")`.
  static OpSlot fixed(std::string op);
  /// A mixed slot over `candidates`, none chosen yet.
  static OpSlot mixed(std::vector<std::string> candidates);
  /// A mixed slot over `candidates` with `candidates[chosen]` chosen.
  static OpSlot mixed(std::vector<std::string> candidates, size_t chosen);

  bool empty() const { return kind_ == Kind::kEmpty; }
  bool is_fixed() const { return kind_ == Kind::kFixed; }
  bool is_mixed() const { return kind_ == Kind::kMixed; }
  /// The candidates of a mixed slot; the single name of a fixed slot; none
  /// for an empty slot.
  const std::vector<std::string>& candidates() const { return candidates_; }
  /// The chosen candidate of a mixed slot, if any.
  const std::optional<size_t>& chosen() const { return chosen_; }

  /// Chooses candidate `index` of a mixed slot; ConfigError when the slot is
  /// not mixed or `index` is out of range.
  OpSlot& choose(size_t index);
  /// Chooses the candidate called `name`; ConfigError when it is not one.
  OpSlot& choose(const std::string& name);
  /// Forgets the choice of a mixed slot.
  OpSlot& clear_choice();

  /// True for empty and fixed slots and for mixed slots with a choice.
  bool resolved() const { return kind_ != Kind::kMixed || chosen_.has_value(); }
  /// The operation a compiled cell builds: the fixed name, the chosen
  /// candidate, or "" for an empty slot. ConfigError for an unchosen mixed slot.
  const std::string& op() const;

  /// "" (empty), "nor_conv_3x3" (fixed), "{none|skip_connect}" (mixed) or
  /// "{none|*skip_connect*}" (mixed, second chosen).
  std::string to_string() const;

  friend bool operator==(const OpSlot& a, const OpSlot& b) {
    return a.kind_ == b.kind_ && a.candidates_ == b.candidates_ && a.chosen_ == b.chosen_;
  }
  friend bool operator!=(const OpSlot& a, const OpSlot& b) { return !(a == b); }

 private:
  enum class Kind { kEmpty, kFixed, kMixed };
  Kind kind_ = Kind::kEmpty;
  std::vector<std::string> candidates_;
  std::optional<size_t> chosen_;
};

/// A node of a Graph. Its operation, if any, runs after combining its inputs.
struct Node {
  std::string name;
  NodeRole role = NodeRole::kIntermediate;
  Combine combine = Combine::kSum;
  OpSlot op;
  /// A choice of incoming edges, as in DARTS' cells: an architecture keeps
  /// exactly this many of the node's incoming edges (all mixed, with the same
  /// candidates) and drops the others. Unset: every incoming edge is kept.
  std::optional<size_t> choose_inputs;

  friend bool operator==(const Node& a, const Node& b) {
    return a.name == b.name && a.role == b.role && a.combine == b.combine && a.op == b.op &&
           a.choose_inputs == b.choose_inputs;
  }
  friend bool operator!=(const Node& a, const Node& b) { return !(a == b); }
};

/// A directed edge `from -> to` of a Graph, with an optional operation.
struct Edge {
  std::string from;
  std::string to;
  OpSlot op;

  /// "from -> to", as used in messages.
  std::string label() const { return from + " -> " + to; }

  friend bool operator==(const Edge& a, const Edge& b) {
    return a.from == b.from && a.to == b.to && a.op == b.op;
  }
  friend bool operator!=(const Edge& a, const Edge& b) { return !(a == b); }
};

/// Where an operation slot sits: on edge `index` or on node `index` (indices
/// into `Graph::edges()` / `Graph::nodes()`).
struct SlotRef {
  enum class Kind { kEdge, kNode };
  Kind kind = Kind::kEdge;
  size_t index = 0;

  friend bool operator==(const SlotRef& a, const SlotRef& b) {
    return a.kind == b.kind && a.index == b.index;
  }
  friend bool operator!=(const SlotRef& a, const SlotRef& b) { return !(a == b); }
};

/// Whether `Graph::validate` accepts mixed slots without a chosen operation.
enum class MixedSlots {
  kAllow,          ///< a supernet graph
  kRequireChosen,  ///< a graph about to be compiled into a plain cell
};

/// A directed acyclic graph of nodes and edges (see the file comment).
class Graph {
 public:
  /// Adds an input node (it may carry an op, applied to the input tensor).
  Graph& add_input(const std::string& name, OpSlot op = {});
  /// Adds an intermediate node.
  Graph& add_node(const std::string& name, Combine combine = Combine::kSum, OpSlot op = {});
  /// Adds an output node.
  Graph& add_output(const std::string& name, Combine combine = Combine::kSum, OpSlot op = {});
  /// Adds `node` as it is.
  Graph& add_node(Node node);
  /// Adds the edge `from -> to`.
  Graph& add_edge(const std::string& from, const std::string& to, OpSlot op = {});
  /// Makes node `name` keep `k` of its incoming edges (Node::choose_inputs);
  /// ConfigError listing the node names if there is no such node.
  Graph& choose_inputs(const std::string& name, size_t k);

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Edge>& edges() const { return edges_; }

  /// Index of the node called `name` (the first one if names repeat).
  std::optional<size_t> find_node(const std::string& name) const;
  /// Index of the edge `from -> to` (the first one if edges repeat).
  std::optional<size_t> find_edge(const std::string& from, const std::string& to) const;
  /// The node called `name`; ConfigError listing the node names if unknown.
  const Node& node(const std::string& name) const;
  Node& node(const std::string& name);
  /// The edge `from -> to`; ConfigError if there is none.
  const Edge& edge(const std::string& from, const std::string& to) const;
  Edge& edge(const std::string& from, const std::string& to);

  /// Names of the input (output) nodes, in insertion order.
  std::vector<std::string> inputs() const;
  std::vector<std::string> outputs() const;
  /// Indices (into `edges()`) of the edges entering / leaving node `name`, in
  /// edge order.
  std::vector<size_t> in_edges(const std::string& name) const;
  std::vector<size_t> out_edges(const std::string& name) const;

  /// Node names in a topological order; among ready nodes the one added first
  /// comes first, so the order is deterministic. ConfigError for a duplicate
  /// node name, an edge to or from an unknown node, or a cycle (the message
  /// spells the cycle, e.g. "a -> b -> a").
  std::vector<std::string> topological_order() const;

  /// Checks the graph, throwing ConfigError naming the offending element for:
  /// an empty or duplicate node name; an edge to or from an unknown node; a
  /// duplicate edge; an edge entering an input node or leaving the output
  /// node; no input node; not exactly one output node; a cycle; an output
  /// not reachable from the inputs; a non-input node without incoming edges;
  /// a node from which the output cannot be reached (its work would be lost);
  /// a mixed slot with no, repeated or unknown candidates; an unknown op name
  /// (the message lists the valid names); a choice of incoming edges on an
  /// input node, of zero edges or of more edges than the node has, or over
  /// edges that are not all mixed with the same candidates; and, with
  /// `MixedSlots::kRequireChosen`, a mixed slot without a chosen operation.
  void validate(const OpRegistry& registry, MixedSlots mixed = MixedSlots::kAllow) const;

  /// The mixed slots: those on edges in edge order, then those on nodes in
  /// node order. A supernet cell takes one weight vector per entry.
  std::vector<SlotRef> mixed_slots() const;
  /// The slot at `ref`; ConfigError when its index is out of range.
  const OpSlot& slot(const SlotRef& ref) const;
  OpSlot& slot(const SlotRef& ref);
  /// "edge 'a -> b'" or "node 'x'", as used in messages.
  std::string describe(const SlotRef& ref) const;

  /// A readable multi-line listing of nodes and edges.
  std::string to_string() const;

  friend bool operator==(const Graph& a, const Graph& b) {
    return a.nodes_ == b.nodes_ && a.edges_ == b.edges_;
  }
  friend bool operator!=(const Graph& a, const Graph& b) { return !(a == b); }

 private:
  void check_names_and_endpoints() const;

  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
};

}  // namespace nascpp

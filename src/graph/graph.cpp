#include "nascpp/graph/graph.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

std::string to_string(NodeRole role) {
  switch (role) {
    case NodeRole::kInput:
      return "input";
    case NodeRole::kIntermediate:
      return "intermediate";
    case NodeRole::kOutput:
      return "output";
  }
  NASCPP_ASSERT(false);
  return "";
}

std::string to_string(Combine combine) {
  switch (combine) {
    case Combine::kSum:
      return "sum";
    case Combine::kConcat:
      return "concat";
  }
  NASCPP_ASSERT(false);
  return "";
}

// ------------------------------------------------------------------- OpSlot

OpSlot OpSlot::fixed(std::string op) {
  OpSlot slot;
  slot.kind_ = Kind::kFixed;
  slot.candidates_.push_back(std::move(op));
  return slot;
}

OpSlot OpSlot::mixed(std::vector<std::string> candidates) {
  OpSlot slot;
  slot.kind_ = Kind::kMixed;
  slot.candidates_ = std::move(candidates);
  return slot;
}

OpSlot OpSlot::mixed(std::vector<std::string> candidates, size_t chosen) {
  OpSlot slot = mixed(std::move(candidates));
  slot.choose(chosen);
  return slot;
}

OpSlot& OpSlot::choose(size_t index) {
  NASCPP_CHECK_CONFIG(is_mixed(), "only a mixed slot can choose an operation; this slot is '{}'",
                      to_string());
  NASCPP_CHECK_CONFIG(index < candidates_.size(),
                      "cannot choose candidate {} of the mixed slot {}: it has {} candidates",
                      index, to_string(), candidates_.size());
  chosen_ = index;
  return *this;
}

OpSlot& OpSlot::choose(const std::string& name) {
  NASCPP_CHECK_CONFIG(is_mixed(), "only a mixed slot can choose an operation; this slot is '{}'",
                      to_string());
  const auto it = std::find(candidates_.begin(), candidates_.end(), name);
  if (it == candidates_.end()) {
    throw ConfigError(unknown_choice_message("candidate of this mixed slot", name, candidates_));
  }
  return choose(static_cast<size_t>(it - candidates_.begin()));
}

OpSlot& OpSlot::clear_choice() {
  chosen_.reset();
  return *this;
}

const std::string& OpSlot::op() const {
  static const std::string kNone;
  switch (kind_) {
    case Kind::kEmpty:
      return kNone;
    case Kind::kFixed:
      return candidates_.front();
    case Kind::kMixed:
      break;
  }
  NASCPP_CHECK_CONFIG(chosen_.has_value(), "the mixed slot {} has no chosen operation",
                      to_string());
  return candidates_[*chosen_];
}

std::string OpSlot::to_string() const {
  if (kind_ == Kind::kEmpty) return "";
  if (kind_ == Kind::kFixed) return candidates_.front();
  std::vector<std::string> shown = candidates_;
  if (chosen_ && *chosen_ < shown.size()) shown[*chosen_] = "*" + shown[*chosen_] + "*";
  return "{" + join(shown, "|") + "}";
}

// -------------------------------------------------------------------- Graph

Graph& Graph::add_input(const std::string& name, OpSlot op) {
  return add_node(Node{name, NodeRole::kInput, Combine::kSum, std::move(op), std::nullopt});
}

Graph& Graph::add_node(const std::string& name, Combine combine, OpSlot op) {
  return add_node(Node{name, NodeRole::kIntermediate, combine, std::move(op), std::nullopt});
}

Graph& Graph::add_output(const std::string& name, Combine combine, OpSlot op) {
  return add_node(Node{name, NodeRole::kOutput, combine, std::move(op), std::nullopt});
}

Graph& Graph::add_node(Node node) {
  nodes_.push_back(std::move(node));
  return *this;
}

Graph& Graph::choose_inputs(const std::string& name, size_t k) {
  node(name).choose_inputs = k;
  return *this;
}

Graph& Graph::add_edge(const std::string& from, const std::string& to, OpSlot op) {
  edges_.push_back(Edge{from, to, std::move(op)});
  return *this;
}

std::optional<size_t> Graph::find_node(const std::string& name) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<size_t> Graph::find_edge(const std::string& from, const std::string& to) const {
  for (size_t i = 0; i < edges_.size(); ++i) {
    if (edges_[i].from == from && edges_[i].to == to) return i;
  }
  return std::nullopt;
}

namespace {

std::vector<std::string> node_names(const std::vector<Node>& nodes) {
  std::vector<std::string> names;
  for (const auto& n : nodes) names.push_back(n.name);
  return names;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

const Node& Graph::node(const std::string& name) const {
  const auto i = find_node(name);
  if (!i) throw ConfigError(unknown_choice_message("node", name, node_names(nodes_)));
  return nodes_[*i];
}

Node& Graph::node(const std::string& name) {
  return const_cast<Node&>(static_cast<const Graph&>(*this).node(name));
}

const Edge& Graph::edge(const std::string& from, const std::string& to) const {
  const auto i = find_edge(from, to);
  NASCPP_CHECK_CONFIG(i.has_value(), "the graph has no edge '{} -> {}'", from, to);
  return edges_[*i];
}

Edge& Graph::edge(const std::string& from, const std::string& to) {
  return const_cast<Edge&>(static_cast<const Graph&>(*this).edge(from, to));
}

std::vector<std::string> Graph::inputs() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) {
    if (n.role == NodeRole::kInput) out.push_back(n.name);
  }
  return out;
}

std::vector<std::string> Graph::outputs() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) {
    if (n.role == NodeRole::kOutput) out.push_back(n.name);
  }
  return out;
}

std::vector<size_t> Graph::in_edges(const std::string& name) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < edges_.size(); ++i) {
    if (edges_[i].to == name) out.push_back(i);
  }
  return out;
}

std::vector<size_t> Graph::out_edges(const std::string& name) const {
  std::vector<size_t> out;
  for (size_t i = 0; i < edges_.size(); ++i) {
    if (edges_[i].from == name) out.push_back(i);
  }
  return out;
}

void Graph::check_names_and_endpoints() const {
  std::set<std::string> seen;
  for (const auto& n : nodes_) {
    NASCPP_CHECK_CONFIG(!n.name.empty(), "graph node names must not be empty ({} node)",
                        nascpp::to_string(n.role));
    NASCPP_CHECK_CONFIG(seen.insert(n.name).second, "duplicate node '{}' in the graph", n.name);
  }
  const std::vector<std::string> names = node_names(nodes_);
  for (const auto& e : edges_) {
    for (const std::string* end : {&e.from, &e.to}) {
      if (seen.count(*end) == 0) {
        throw ConfigError(fmt::format("edge '{}' refers to an {}", e.label(),
                                      unknown_choice_message("node", *end, names)));
      }
    }
  }
}

std::vector<std::string> Graph::topological_order() const {
  check_names_and_endpoints();
  const size_t n = nodes_.size();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < n; ++i) index[nodes_[i].name] = i;
  std::vector<std::vector<size_t>> succ(n), pred(n);
  std::vector<size_t> indegree(n, 0);
  for (const auto& e : edges_) {
    const size_t a = index.at(e.from);
    const size_t b = index.at(e.to);
    succ[a].push_back(b);
    pred[b].push_back(a);
    ++indegree[b];
  }
  // Kahn's algorithm with the smallest ready index first: deterministic, and
  // it keeps the insertion order wherever the edges allow.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<size_t>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push(i);
  }
  std::vector<std::string> order;
  std::vector<bool> done(n, false);
  while (!ready.empty()) {
    const size_t i = ready.top();
    ready.pop();
    done[i] = true;
    order.push_back(nodes_[i].name);
    for (const size_t j : succ[i]) {
      if (--indegree[j] == 0) ready.push(j);
    }
  }
  if (order.size() == n) return order;

  // Every node left has a predecessor that is also left; walking backwards
  // through such predecessors must revisit a node, which lies on a cycle.
  size_t current = 0;
  while (done[current]) ++current;
  std::vector<size_t> walk;
  std::vector<int64_t> position(n, -1);
  while (position[current] < 0) {
    position[current] = static_cast<int64_t>(walk.size());
    walk.push_back(current);
    for (const size_t p : pred[current]) {
      if (!done[p]) {
        current = p;
        break;
      }
    }
  }
  // The walk went backwards along edges; reverse to spell the cycle forwards.
  std::vector<std::string> cycle;
  for (size_t k = walk.size(); k-- > static_cast<size_t>(position[current]);) {
    cycle.push_back(nodes_[walk[k]].name);
  }
  cycle.push_back(cycle.front());
  throw ConfigError(fmt::format("the graph has a cycle through node '{}': {}", cycle.front(),
                                join(cycle, " -> ")));
}

void Graph::validate(const OpRegistry& registry, MixedSlots mixed) const {
  check_names_and_endpoints();

  std::set<std::pair<std::string, std::string>> seen_edges;
  for (const auto& e : edges_) {
    NASCPP_CHECK_CONFIG(seen_edges.insert({e.from, e.to}).second, "duplicate edge '{}'", e.label());
    NASCPP_CHECK_CONFIG(node(e.to).role != NodeRole::kInput,
                        "edge '{}' enters input node '{}'; input nodes have no incoming edges",
                        e.label(), e.to);
    NASCPP_CHECK_CONFIG(node(e.from).role != NodeRole::kOutput,
                        "edge '{}' leaves output node '{}'; the output node has no outgoing edges",
                        e.label(), e.from);
  }

  const std::vector<std::string> input_names = inputs();
  const std::vector<std::string> output_names = outputs();
  NASCPP_CHECK_CONFIG(!input_names.empty(), "the graph has no input node (nodes: {})",
                      join(node_names(nodes_)));
  NASCPP_CHECK_CONFIG(
      output_names.size() == 1, "the graph must have exactly one output node, found {}{}",
      output_names.size(), output_names.empty() ? "" : " (" + join(output_names) + ")");
  const std::string& output = output_names.front();

  topological_order();  // throws on a cycle

  // Forward reachability from the inputs.
  std::set<std::string> reached(input_names.begin(), input_names.end());
  std::vector<std::string> stack = input_names;
  while (!stack.empty()) {
    const std::string name = stack.back();
    stack.pop_back();
    for (const size_t i : out_edges(name)) {
      if (reached.insert(edges_[i].to).second) stack.push_back(edges_[i].to);
    }
  }
  NASCPP_CHECK_CONFIG(reached.count(output) == 1,
                      "output node '{}' is not reachable from the input nodes ({})", output,
                      join(input_names));

  for (const auto& n : nodes_) {
    if (n.role == NodeRole::kInput) continue;
    NASCPP_CHECK_CONFIG(!in_edges(n.name).empty(), "{} node '{}' has no incoming edge",
                        nascpp::to_string(n.role), n.name);
  }

  // Backward reachability from the output: a node that cannot reach it would
  // compute a result nobody reads.
  std::set<std::string> useful = {output};
  stack = {output};
  while (!stack.empty()) {
    const std::string name = stack.back();
    stack.pop_back();
    for (const size_t i : in_edges(name)) {
      if (useful.insert(edges_[i].from).second) stack.push_back(edges_[i].from);
    }
  }
  for (const auto& n : nodes_) {
    NASCPP_CHECK_CONFIG(useful.count(n.name) == 1, "{} node '{}' does not lead to output node '{}'",
                        nascpp::to_string(n.role), n.name, output);
  }

  auto check_slot = [&](const OpSlot& slot, const std::string& where) {
    if (slot.empty()) return;
    if (slot.is_mixed()) {
      NASCPP_CHECK_CONFIG(!slot.candidates().empty(), "{}: the mixed slot has no candidates",
                          where);
      std::set<std::string> names;
      for (const auto& c : slot.candidates()) {
        NASCPP_CHECK_CONFIG(names.insert(c).second,
                            "{}: candidate '{}' appears twice in the mixed slot {}", where, c,
                            slot.to_string());
      }
      NASCPP_CHECK_CONFIG(mixed == MixedSlots::kAllow || slot.chosen().has_value(),
                          "{}: the mixed slot {} has no chosen operation", where, slot.to_string());
    }
    for (const auto& c : slot.candidates()) {
      if (!registry.contains(c)) {
        throw ConfigError(fmt::format(
            "{}: {}", where, unknown_choice_message(registry.kind(), c, registry.names())));
      }
    }
  };
  for (const auto& n : nodes_) check_slot(n.op, "node " + quoted(n.name));
  for (const auto& e : edges_) check_slot(e.op, "edge " + quoted(e.label()));

  for (const auto& n : nodes_) {
    if (!n.choose_inputs) continue;
    const size_t k = *n.choose_inputs;
    const auto in = in_edges(n.name);
    NASCPP_CHECK_CONFIG(n.role != NodeRole::kInput,
                        "input node '{}' has no incoming edges to choose from (choose_inputs {})",
                        n.name, k);
    NASCPP_CHECK_CONFIG(k >= 1 && k <= in.size(),
                        "node '{}' chooses {} of its incoming edges, but it has {}: choose_inputs "
                        "must be between 1 and {}",
                        n.name, k, in.size(), in.size());
    for (size_t i : in) {
      const Edge& e = edges_[i];
      NASCPP_CHECK_CONFIG(e.op.is_mixed(),
                          "node '{}' chooses {} of its incoming edges, so each must be a choice "
                          "of ops, but edge '{}' is {}",
                          n.name, k, e.label(),
                          e.op.empty() ? "empty" : "fixed '" + e.op.op() + "'");
      NASCPP_CHECK_CONFIG(e.op.candidates() == edges_[in.front()].op.candidates(),
                          "node '{}' chooses among its incoming edges, which need the same "
                          "candidates (a kept op moves with its edge), but edge '{}' has {} and "
                          "edge '{}' has {}",
                          n.name, edges_[in.front()].label(), edges_[in.front()].op.to_string(),
                          e.label(), e.op.to_string());
    }
  }
}

std::vector<SlotRef> Graph::mixed_slots() const {
  std::vector<SlotRef> out;
  for (size_t i = 0; i < edges_.size(); ++i) {
    if (edges_[i].op.is_mixed()) out.push_back(SlotRef{SlotRef::Kind::kEdge, i});
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].op.is_mixed()) out.push_back(SlotRef{SlotRef::Kind::kNode, i});
  }
  return out;
}

const OpSlot& Graph::slot(const SlotRef& ref) const {
  if (ref.kind == SlotRef::Kind::kEdge) {
    NASCPP_CHECK_CONFIG(ref.index < edges_.size(), "edge index {} is out of range ({} edges)",
                        ref.index, edges_.size());
    return edges_[ref.index].op;
  }
  NASCPP_CHECK_CONFIG(ref.index < nodes_.size(), "node index {} is out of range ({} nodes)",
                      ref.index, nodes_.size());
  return nodes_[ref.index].op;
}

OpSlot& Graph::slot(const SlotRef& ref) {
  return const_cast<OpSlot&>(static_cast<const Graph&>(*this).slot(ref));
}

std::string Graph::describe(const SlotRef& ref) const {
  slot(ref);  // range check
  if (ref.kind == SlotRef::Kind::kEdge) return "edge " + quoted(edges_[ref.index].label());
  return "node " + quoted(nodes_[ref.index].name);
}

std::string Graph::to_string() const {
  std::string out;
  for (const auto& n : nodes_) {
    out += fmt::format("node {} ({}, {})", n.name, nascpp::to_string(n.role),
                       nascpp::to_string(n.combine));
    if (!n.op.empty()) out += " [" + n.op.to_string() + "]";
    if (n.choose_inputs) out += fmt::format(" keeps {} of its inputs", *n.choose_inputs);
    out += "\n";
  }
  for (const auto& e : edges_) {
    out += "edge " + e.label();
    if (!e.op.empty()) out += " [" + e.op.to_string() + "]";
    out += "\n";
  }
  return out;
}

}  // namespace nascpp

#include "nascpp/graph/search_space.h"

#include <algorithm>
#include <utility>

#include "nascpp/core/error.h"
#include "nascpp/graph/cell.h"

namespace nascpp {

namespace {

constexpr uint64_t kMaxSize = uint64_t{1} << 63;
constexpr size_t kMaxEnumerate = 10'000'000;
constexpr size_t kMaxPathFeatures = size_t{1} << 20;
// Configurations of one node that chooses its inputs, listed at construction.
constexpr uint64_t kMaxNodeConfigurations = 1'000'000;

bool has_separator(const std::string& name) {
  return name.find_first_of("|~+ \t\n") != std::string::npos;
}

// Reads one op-slot from a node or edge entry: `op` (fixed) or `ops` (mixed).
OpSlot read_slot(ConfigNode& entry, const std::string& where) {
  const bool fixed = entry.has("op");
  const bool mixed = entry.has("ops");
  NASCPP_CHECK_CONFIG(!(fixed && mixed),
                      "{} has both 'op' (a fixed op) and 'ops' (a choice among ops); give one",
                      where);
  if (fixed) return OpSlot::fixed(entry.require<std::string>("op"));
  if (mixed) {
    return OpSlot::mixed(entry.require<std::vector<std::string>>("ops"));
  }
  return {};
}

std::vector<ConfigNode> read_list(ConfigNode& config, const std::string& key) {
  const std::string where = config.path().empty() ? key : config.path() + "." + key;
  NASCPP_CHECK_CONFIG(config.has(key), "a graph search space needs '{}' (a list of entries)",
                      where);
  const YAML::Node list = config.get<YAML::Node>(key, YAML::Node());
  NASCPP_CHECK_CONFIG(list.IsSequence(), "'{}' must be a list of entries, e.g. [{{name: \"0\", "
                      "role: input}}, ...]", where);
  std::vector<ConfigNode> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string item = fmt::format("{}[{}]", where, i);
    NASCPP_CHECK_CONFIG(list[i].IsMap(), "'{}' must be a mapping such as {{from: \"0\", to: "
                        "\"1\", ops: [...]}}", item);
    out.emplace_back(list[i], item);
  }
  return out;
}

}  // namespace

GraphSearchSpace::GraphSearchSpace(std::string name, Graph cell, GraphSpaceOptions options)
    : name_(std::move(name)), graph_(std::move(cell)), options_(std::move(options)) {
  check_definition();
}

void GraphSearchSpace::check_definition() {
  NASCPP_CHECK_CONFIG(!name_.empty() && !has_separator(name_),
                      "a graph search space needs a name without '|', '~', '+' or spaces, got "
                      "'{}'",
                      name_);
  options_.skeleton().validate();
  graph_.validate(op_registry());
  const auto inputs = graph_.inputs();
  NASCPP_CHECK_CONFIG(inputs.size() == 1,
                      "graph search space '{}' needs exactly one input node (the staged skeleton "
                      "feeds each cell the previous cell's output), got {}: {}",
                      name_, inputs.size(), join(inputs, ", "));
  for (const auto& node : graph_.nodes()) {
    NASCPP_CHECK_CONFIG(!has_separator(node.name),
                        "graph search space '{}': node name '{}' contains one of '|', '~', '+' or "
                        "a space, which the text form uses as separators",
                        name_, node.name);
  }
  slots_ = graph_.mixed_slots();
  NASCPP_CHECK_CONFIG(!slots_.empty(),
                      "graph search space '{}' has no choice: give at least one node or edge a "
                      "list of candidate ops ('ops' in YAML, OpSlot::mixed in C++)",
                      name_);
  edge_slot_.assign(graph_.edges().size(), -1);
  node_slot_.assign(graph_.nodes().size(), -1);
  edge_passes_.assign(graph_.edges().size(), 1);
  for (size_t e = 0; e < graph_.edges().size(); ++e) {
    const OpSlot& op = graph_.edges()[e].op;
    if (op.is_fixed() && op.op() == "none") edge_passes_[e] = 0;
  }
  slot_candidates_.clear();
  slot_none_.clear();
  for (size_t s = 0; s < slots_.size(); ++s) {
    const OpSlot& slot = graph_.slot(slots_[s]);
    NASCPP_CHECK_CONFIG(slot.candidates().size() >= 2,
                        "graph search space '{}': {} has the single candidate '{}'; a choice "
                        "needs at least two (use a fixed op for one)",
                        name_, graph_.describe(slots_[s]), slot.candidates().front());
    for (const auto& op : slot.candidates()) {
      NASCPP_CHECK_CONFIG(!has_separator(op),
                          "graph search space '{}': op name '{}' on {} contains one of '|', "
                          "'~', '+' or a space",
                          name_, op, graph_.describe(slots_[s]));
    }
    slot_candidates_.push_back(static_cast<int32_t>(slot.candidates().size()));
    const auto none = std::find(slot.candidates().begin(), slot.candidates().end(), "none");
    slot_none_.push_back(none == slot.candidates().end()
                             ? -1
                             : static_cast<int32_t>(none - slot.candidates().begin()));
    if (slots_[s].kind == SlotRef::Kind::kEdge) {
      edge_slot_[slots_[s].index] = static_cast<int64_t>(s);
    } else {
      node_slot_[slots_[s].index] = static_cast<int64_t>(s);
    }
  }

  // Text groups: nodes with a choice, in topological order.
  const auto order = graph_.topological_order();
  std::vector<size_t> position(graph_.nodes().size());
  choice_nodes_.clear();
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t n = *graph_.find_node(order[k]);
    position[n] = k;
    bool choice = node_slot_[n] >= 0;
    for (size_t e : graph_.in_edges(order[k])) choice = choice || edge_slot_[e] >= 0;
    if (choice) choice_nodes_.push_back(n);
  }
  edge_vertex_order_.resize(graph_.edges().size());
  for (size_t e = 0; e < edge_vertex_order_.size(); ++e) edge_vertex_order_[e] = e;
  std::stable_sort(edge_vertex_order_.begin(), edge_vertex_order_.end(), [&](size_t a, size_t b) {
    return position[*graph_.find_node(graph_.edges()[a].to)] <
           position[*graph_.find_node(graph_.edges()[b].to)];
  });

  make_units();
  size_ = uint64_t{1};
  for (const Unit& unit : units_) {
    if (size_ && *size_ <= kMaxSize / unit.radix) {
      *size_ *= unit.radix;
    } else {
      size_.reset();
    }
  }

  // The path encoding, offered when every edge is a choice and no node has
  // an op: its paths are listed once, here, after their features are counted.
  path_encoding_ = false;
  bool all_edges_mixed = true;
  for (int64_t s : edge_slot_) all_edges_mixed = all_edges_mixed && s >= 0;
  for (const auto& node : graph_.nodes()) all_edges_mixed = all_edges_mixed && node.op.empty();
  if (all_edges_mixed) {
    // Features per node: the sum over its in-edges of (the source's features
    // times the edge's candidates), counted before any path is listed (a
    // dense DAG has exponentially many paths), saturating at the limit.
    std::vector<double> at(graph_.nodes().size(), 0.0);
    at[*graph_.find_node(graph_.inputs().front())] = 1.0;
    for (const auto& name : order) {
      const size_t n = *graph_.find_node(name);
      for (size_t e : graph_.in_edges(name)) {
        const size_t from = *graph_.find_node(graph_.edges()[e].from);
        at[n] += at[from] * slot_candidates_[static_cast<size_t>(edge_slot_[e])];
      }
      at[n] = std::min(at[n], 2.0 * static_cast<double>(kMaxPathFeatures));
    }
    const double features = at[*graph_.find_node(graph_.outputs().front())];
    path_encoding_ = features <= static_cast<double>(kMaxPathFeatures);
  }
  paths_ = path_encoding_ ? list_paths() : std::vector<std::vector<size_t>>();

  // The staged skeleton chains cells: the output must have the input's channels.
  std::vector<int32_t> first_encoding(slots_.size(), 0);
  for (const Unit& unit : units_) write_digit(unit, 0, first_encoding);
  const Graph first = cell_of(make(first_encoding));
  const auto plan = detail::CellPlan::make(first, CellOptions(4));
  const int64_t out = plan.node_c_out[plan.output];
  NASCPP_CHECK_CONFIG(out == 4,
                      "graph search space '{}': the output node '{}' gives {} channels for a "
                      "cell of 4 ({}); the staged skeleton chains cells, so the output must have "
                      "the cell's channels (sum its inputs, or concatenate a single one)",
                      name_, graph_.nodes()[plan.output].name, out,
                      to_string(graph_.nodes()[plan.output].combine));
}

void GraphSearchSpace::make_units() {
  units_.clear();
  slot_unit_.assign(slots_.size(), 0);
  std::vector<bool> done(slots_.size(), false);
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (done[s]) continue;
    Unit unit;
    const SlotRef& ref = slots_[s];
    const Node* chooser = nullptr;
    if (ref.kind == SlotRef::Kind::kEdge) {
      const Node& to = graph_.node(graph_.edges()[ref.index].to);
      if (to.choose_inputs) chooser = &to;
    }
    if (chooser == nullptr) {
      unit.slots = {s};
      unit.radix = static_cast<uint64_t>(slot_candidates_[s]);
    } else {
      // Graph::validate made every incoming edge a mixed slot with the same
      // candidates.
      for (size_t e : graph_.in_edges(chooser->name)) {
        unit.slots.push_back(static_cast<size_t>(edge_slot_[e]));
      }
      unit.keep = *chooser->choose_inputs;
      const size_t d = unit.slots.size();
      const auto m = static_cast<uint64_t>(slot_candidates_[s]);
      // C(d, keep) * m^keep configurations, checked before listing them.
      double count = 1.0;
      for (size_t i = 0; i < unit.keep; ++i) {
        count = count * static_cast<double>(d - i) / static_cast<double>(i + 1) *
                static_cast<double>(m);
      }
      NASCPP_CHECK_CONFIG(count <= static_cast<double>(kMaxNodeConfigurations),
                          "graph search space '{}': node '{}' keeping {} of its {} incoming edges "
                          "with {} candidates each has {:.0f} configurations; at most {} are "
                          "supported",
                          name_, chooser->name, unit.keep, d, m, count, kMaxNodeConfigurations);
      // Every configuration in lexicographic order of the slots' values
      // (0 .. m-1 an op, m dropped) with exactly `keep` edges kept.
      std::vector<int32_t> config(d, 0);
      const auto dropped_value = static_cast<int32_t>(m);
      auto fill = [&](auto&& self, size_t i, size_t kept) -> void {
        if (i == d) {
          if (kept == unit.keep) unit.configs.push_back(config);
          return;
        }
        const size_t left = d - i;  // slots from i on
        for (int32_t v = 0; v <= dropped_value; ++v) {
          const size_t now = kept + (v < dropped_value ? 1 : 0);
          if (now > unit.keep || now + (left - 1) < unit.keep) continue;
          config[i] = v;
          self(self, i + 1, now);
        }
      };
      fill(fill, 0, 0);
      unit.radix = unit.configs.size();
      for (size_t r = 0; r < unit.configs.size(); ++r) unit.rank.emplace(unit.configs[r], r);
    }
    for (size_t slot : unit.slots) {
      done[slot] = true;
      slot_unit_[slot] = units_.size();
    }
    units_.push_back(std::move(unit));
  }
  input_choices_ = units_.size() != slots_.size();
}

int32_t GraphSearchSpace::dropped(size_t s) const {
  return units_[slot_unit_[s]].keep > 0 ? slot_candidates_[s] : -1;
}

int32_t GraphSearchSpace::values(size_t s) const {
  return slot_candidates_[s] + (dropped(s) >= 0 ? 1 : 0);
}

size_t GraphSearchSpace::kept(const Unit& unit, const std::vector<int32_t>& encoding) const {
  size_t n = 0;
  for (size_t slot : unit.slots) n += encoding[slot] != dropped(slot) ? 1 : 0;
  return n;
}

void GraphSearchSpace::write_digit(const Unit& unit, uint64_t digit,
                                   std::vector<int32_t>& encoding) const {
  if (unit.keep == 0) {
    encoding[unit.slots[0]] = static_cast<int32_t>(digit);
    return;
  }
  const auto& config = unit.configs[static_cast<size_t>(digit)];
  for (size_t i = 0; i < unit.slots.size(); ++i) encoding[unit.slots[i]] = config[i];
}

std::shared_ptr<const GraphSearchSpace> GraphSearchSpace::from_config(ConfigNode& config) {
  const auto label = config.require<std::string>("label");
  Graph graph;
  auto nodes = read_list(config, "nodes");
  for (auto& entry : nodes) {
    Node node;
    node.name = entry.require<std::string>("name");
    const auto role = entry.get_choice("role", "intermediate", {"input", "intermediate", "output"});
    node.role = role == "input"    ? NodeRole::kInput
                : role == "output" ? NodeRole::kOutput
                                   : NodeRole::kIntermediate;
    node.combine =
        entry.get_choice("combine", "sum", {"sum", "concat"}) == "sum" ? Combine::kSum
                                                                        : Combine::kConcat;
    node.op = read_slot(entry, "'" + entry.path() + "'");
    if (entry.has("choose_inputs")) {
      const auto k = entry.require<int64_t>("choose_inputs");
      NASCPP_CHECK_CONFIG(k >= 1,
                          "'{}.choose_inputs' must be at least 1 (the incoming edges the "
                          "node keeps), got {}",
                          entry.path(), k);
      node.choose_inputs = static_cast<size_t>(k);
    }
    entry.finish();
    graph.add_node(std::move(node));
  }
  auto edges = read_list(config, "edges");
  for (auto& entry : edges) {
    const auto from = entry.require<std::string>("from");
    const auto to = entry.require<std::string>("to");
    OpSlot slot = read_slot(entry, "'" + entry.path() + "'");
    entry.finish();
    graph.add_edge(from, to, std::move(slot));
  }
  auto skeleton_section = config.section("skeleton");
  GraphSpaceOptions options;
  options.skeleton(SkeletonOptions::from_config(skeleton_section));
  return std::make_shared<const GraphSearchSpace>(label, std::move(graph), std::move(options));
}

// ---- architectures ----

Architecture GraphSearchSpace::make(std::vector<int32_t> encoding) const {
  return Architecture(name_, std::move(encoding));
}

std::vector<int32_t> GraphSearchSpace::checked(const Architecture& arch) const {
  NASCPP_CHECK_CONFIG(arch.space() == name_,
                      "architecture of space '{}' given to graph search space '{}'", arch.space(),
                      name_);
  const auto& enc = arch.encoding();
  NASCPP_CHECK_CONFIG(enc.size() == slots_.size(),
                      "a '{}' architecture has {} choices, got an encoding of {}", name_,
                      slots_.size(), enc.size());
  for (size_t s = 0; s < enc.size(); ++s) {
    NASCPP_CHECK_CONFIG(enc[s] >= 0 && enc[s] < values(s),
                        "choice {} of a '{}' architecture ({}) is {}, outside [0, {})", s, name_,
                        graph_.describe(slots_[s]), enc[s], values(s));
  }
  for (const Unit& unit : units_) {
    if (unit.keep == 0) continue;
    NASCPP_CHECK_CONFIG(kept(unit, enc) == unit.keep,
                        "a '{}' architecture keeps {} incoming edges of node '{}', which keeps "
                        "exactly {}",
                        name_, kept(unit, enc), graph_.edges()[slots_[unit.slots[0]].index].to,
                        unit.keep);
  }
  return enc;
}

Graph GraphSearchSpace::cell_of(const Architecture& arch) const {
  const auto enc = checked(arch);
  Graph cell = graph_;
  for (const Node& node : graph_.nodes()) cell.node(node.name).choose_inputs.reset();  // made
  for (size_t s = 0; s < slots_.size(); ++s) {
    OpSlot& slot = cell.slot(slots_[s]);
    // A dropped edge carries nothing: `none`, a zero.
    slot = enc[s] == dropped(s) ? OpSlot::fixed("none")
                                : OpSlot::fixed(slot.candidates()[static_cast<size_t>(enc[s])]);
  }
  return cell;
}

std::string GraphSearchSpace::text_form() const {
  std::vector<std::string> groups;
  for (size_t n : choice_nodes_) {
    std::string group = "|";
    const Node& node = graph_.nodes()[n];
    if (node_slot_[n] >= 0) group += "op|";
    if (node.choose_inputs) {
      std::vector<std::string> sources;
      for (size_t e : graph_.in_edges(node.name)) sources.push_back(graph_.edges()[e].from);
      for (size_t k = 0; k < *node.choose_inputs; ++k) {
        group += "op~{" + join(sources, ",") + "}|";
      }
    } else {
      for (size_t e : graph_.in_edges(node.name)) {
        if (edge_slot_[e] >= 0) group += "op~" + graph_.edges()[e].from + "|";
      }
    }
    groups.push_back(group);
  }
  return join(groups, "+");
}

std::string GraphSearchSpace::canonical(const Architecture& arch) const {
  const Graph cell = cell_of(arch);
  auto apply = [](const OpSlot& slot, const std::string& x) -> std::string {
    if (slot.empty() || slot.op() == "skip_connect" || x == "#") return x;
    if (slot.op() == "none") return "#";
    return "(" + x + ")@" + slot.op();
  };
  std::vector<std::string> text(cell.nodes().size());
  for (const auto& name : cell.topological_order()) {
    const size_t n = *cell.find_node(name);
    const Node& node = cell.nodes()[n];
    std::string combined;
    if (node.role == NodeRole::kInput) {
      combined = node.name;
    } else {
      std::vector<std::string> inputs;
      for (size_t e : cell.in_edges(name)) {
        const Edge& edge = cell.edges()[e];
        inputs.push_back(apply(edge.op, text[*cell.find_node(edge.from)]));
      }
      if (node.combine == Combine::kSum) {
        std::sort(inputs.begin(), inputs.end());
        combined = join(inputs, "+");
      } else {
        combined = "cat(" + join(inputs, ",") + ")";
      }
    }
    text[n] = apply(node.op, combined);
  }
  return text[*cell.find_node(cell.outputs().front())];
}

std::string GraphSearchSpace::format(const Architecture& arch) const {
  const auto enc = checked(arch);
  auto op = [&](int64_t s) {
    return graph_.slot(slots_[static_cast<size_t>(s)])
        .candidates()[static_cast<size_t>(enc[static_cast<size_t>(s)])];
  };
  std::string out;
  for (size_t g = 0; g < choice_nodes_.size(); ++g) {
    const size_t n = choice_nodes_[g];
    if (g > 0) out += "+";
    out += "|";
    if (node_slot_[n] >= 0) out += op(node_slot_[n]) + "|";
    for (size_t e : graph_.in_edges(graph_.nodes()[n].name)) {
      const int64_t s = edge_slot_[e];
      if (s < 0 || enc[static_cast<size_t>(s)] == dropped(static_cast<size_t>(s))) continue;
      out += op(s) + "~" + graph_.edges()[e].from + "|";
    }
  }
  return out;
}

Architecture GraphSearchSpace::parse(const std::string& text) const {
  auto fail = [&](const std::string& what) -> void {
    throw ConfigError(fmt::format("cannot parse '{}' as a '{}' architecture: {} (the form is '{}')",
                                  text, name_, what, text_form()));
  };
  auto op_index = [&](size_t s, const std::string& op, const std::string& where) {
    const auto& candidates = graph_.slot(slots_[s]).candidates();
    const auto it = std::find(candidates.begin(), candidates.end(), op);
    if (it == candidates.end()) {
      fail(fmt::format("{}: {}", where, unknown_choice_message("op", op, candidates)));
    }
    return static_cast<int32_t>(it - candidates.begin());
  };
  std::vector<std::string> groups;
  size_t start = 0;
  while (true) {
    const size_t plus = text.find('+', start);
    groups.push_back(text.substr(start, plus == std::string::npos ? std::string::npos
                                                                  : plus - start));
    if (plus == std::string::npos) break;
    start = plus + 1;
  }
  if (groups.size() != choice_nodes_.size()) {
    fail(fmt::format("found {} '|...|' group(s) joined by '+', expected {} (one per node with a "
                     "choice)",
                     groups.size(), choice_nodes_.size()));
  }
  std::vector<int32_t> enc(slots_.size(), 0);
  for (size_t g = 0; g < groups.size(); ++g) {
    const size_t n = choice_nodes_[g];
    const std::string& node = graph_.nodes()[n].name;
    const std::string& group = groups[g];
    const std::string where = fmt::format("group {} (node '{}')", g + 1, node);
    if (group.size() < 2 || group.front() != '|' || group.back() != '|') {
      fail(fmt::format("{} is '{}'; a group starts and ends with '|'", where, group));
    }
    std::vector<std::string> tokens;
    size_t pos = 1;
    while (pos < group.size()) {
      const size_t bar = group.find('|', pos);
      tokens.push_back(group.substr(pos, bar - pos));
      pos = bar + 1;
    }
    size_t t = 0;
    if (node_slot_[n] >= 0) {
      if (tokens.empty() || tokens[0].find('~') != std::string::npos) {
        fail(fmt::format("{} must start with the node's op", where));
      }
      enc[static_cast<size_t>(node_slot_[n])] =
          op_index(static_cast<size_t>(node_slot_[n]), tokens[t], where);
      ++t;
    }
    const Node& graph_node = graph_.nodes()[n];
    if (graph_node.choose_inputs) {
      // Exactly `choose_inputs` kept edges, each 'op~source', in any order.
      const auto in = graph_.in_edges(node);
      std::vector<std::string> sources;
      for (size_t e : in) sources.push_back(graph_.edges()[e].from);
      for (size_t e : in) {
        const auto s = static_cast<size_t>(edge_slot_[e]);
        enc[s] = dropped(s);
      }
      const size_t keep = *graph_node.choose_inputs;
      if (tokens.size() - t != keep) {
        fail(
            fmt::format("{} keeps {} incoming edge(s) ('op~source', sources: {}), found {} "
                        "entr{}",
                        where, keep, join(sources, ", "), tokens.size() - t,
                        tokens.size() - t == 1 ? "y" : "ies"));
      }
      for (; t < tokens.size(); ++t) {
        const std::string& token = tokens[t];
        const size_t tilde = token.find('~');
        if (tilde == std::string::npos) {
          fail(fmt::format("{}: expected 'op~source' (sources: {}), found '{}'", where,
                           join(sources, ", "), token));
        }
        const std::string from = token.substr(tilde + 1);
        const auto it = std::find(sources.begin(), sources.end(), from);
        if (it == sources.end()) {
          fail(fmt::format("{}: {}", where,
                           unknown_choice_message("source of an incoming edge", from, sources)));
        }
        const auto s =
            static_cast<size_t>(edge_slot_[in[static_cast<size_t>(it - sources.begin())]]);
        if (enc[s] != dropped(s))
          fail(fmt::format("{} keeps the edge from '{}' twice", where, from));
        enc[s] = op_index(s, token.substr(0, tilde), where);
      }
      continue;
    }
    for (size_t e : graph_.in_edges(node)) {
      if (edge_slot_[e] < 0) continue;
      const std::string& from = graph_.edges()[e].from;
      if (t >= tokens.size()) fail(fmt::format("{} ends before 'op~{}'", where, from));
      const std::string& token = tokens[t++];
      const size_t tilde = token.find('~');
      if (tilde == std::string::npos) {
        fail(fmt::format("{}: expected 'op~{}', found '{}'", where, from, token));
      }
      if (token.substr(tilde + 1) != from) {
        fail(fmt::format("{}: expected the edge from '{}' ('op~{}'), found '{}'", where, from,
                         from, token));
      }
      enc[static_cast<size_t>(edge_slot_[e])] =
          op_index(static_cast<size_t>(edge_slot_[e]), token.substr(0, tilde), where);
    }
    if (t != tokens.size()) {
      fail(fmt::format("{} has {} entries, expected {}", where, tokens.size(), t));
    }
  }
  return make(std::move(enc));
}

void GraphSearchSpace::validate(const Architecture& arch) const { (void)checked(arch); }

uint64_t GraphSearchSpace::dense_id(const Architecture& arch) const {
  NASCPP_CHECK_CONFIG(size_.has_value(),
                      "graph search space '{}' has more than 2^63 architectures; they have no "
                      "dense id",
                      name_);
  const auto enc = checked(arch);
  uint64_t id = 0;
  for (const Unit& unit : units_) {
    uint64_t digit = 0;
    if (unit.keep == 0) {
      digit = static_cast<uint64_t>(enc[unit.slots[0]]);
    } else {
      std::vector<int32_t> config;
      for (size_t slot : unit.slots) config.push_back(enc[slot]);
      digit = unit.rank.at(config);
    }
    id = id * unit.radix + digit;
  }
  return id;
}

Architecture GraphSearchSpace::from_dense_id(uint64_t id) const {
  NASCPP_CHECK_CONFIG(size_.has_value() && id < *size_,
                      "dense id {} is outside graph search space '{}' ({} architectures)", id,
                      name_, size_ ? std::to_string(*size_) : std::string("more than 2^63"));
  std::vector<int32_t> enc(slots_.size(), 0);
  for (size_t u = units_.size(); u-- > 0;) {
    const Unit& unit = units_[u];
    write_digit(unit, id % unit.radix, enc);
    id /= unit.radix;
  }
  return make(std::move(enc));
}

Architecture GraphSearchSpace::sample(Rng& rng) const {
  if (size_) return from_dense_id(static_cast<uint64_t>(rng.index(static_cast<size_t>(*size_))));
  std::vector<int32_t> enc(slots_.size(), 0);
  for (const Unit& unit : units_) {
    write_digit(unit, rng.index(static_cast<size_t>(unit.radix)), enc);
  }
  return make(std::move(enc));
}

Architecture GraphSearchSpace::mutate(const Architecture& arch, Rng& rng) const {
  auto enc = checked(arch);
  if (!input_choices_) {
    // Every mixed slot is a position with m - 1 changes (the common case,
    // without a list: regularized evolution mutates once per query).
    const size_t s = rng.index(slots_.size());
    const int32_t m = slot_candidates_[s];
    enc[s] = (enc[s] + 1 + static_cast<int32_t>(rng.index(static_cast<size_t>(m - 1)))) % m;
    return make(std::move(enc));
  }
  // Positions: the mixed slots, but of a node that chooses its inputs only
  // the kept edges (their number is fixed, so the draw is uniform).
  std::vector<size_t> positions;
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (enc[s] != dropped(s)) positions.push_back(s);
  }
  const size_t s = positions[rng.index(positions.size())];
  const int32_t m = slot_candidates_[s];
  std::vector<size_t> free_edges;  // dropped edges of the same node
  if (dropped(s) >= 0) {
    for (size_t slot : units_[slot_unit_[s]].slots) {
      if (enc[slot] == dropped(slot)) free_edges.push_back(slot);
    }
  }
  const size_t change = rng.index(static_cast<size_t>(m - 1) + free_edges.size());
  if (change < static_cast<size_t>(m - 1)) {
    // Adding 1..m-1 modulo m reaches each of the other ops once.
    enc[s] = (enc[s] + 1 + static_cast<int32_t>(change)) % m;
  } else {
    // The kept edge moves, with its op, to a dropped one.
    const size_t to = free_edges[change - static_cast<size_t>(m - 1)];
    enc[to] = enc[s];
    enc[s] = dropped(s);
  }
  return make(std::move(enc));
}

std::vector<Architecture> GraphSearchSpace::neighbours(const Architecture& arch) const {
  const auto enc = checked(arch);
  std::vector<Architecture> out;
  for (size_t s = 0; s < slots_.size(); ++s) {
    if (enc[s] == dropped(s)) continue;
    for (int32_t op = 0; op < slot_candidates_[s]; ++op) {
      if (op == enc[s]) continue;
      auto changed = enc;
      changed[s] = op;
      out.push_back(make(std::move(changed)));
    }
    if (dropped(s) < 0) continue;
    for (size_t slot : units_[slot_unit_[s]].slots) {
      if (enc[slot] != dropped(slot)) continue;
      auto moved = enc;
      moved[slot] = enc[s];
      moved[s] = dropped(s);
      out.push_back(make(std::move(moved)));
    }
  }
  return out;
}

std::optional<uint64_t> GraphSearchSpace::size() const { return size_; }

std::vector<Architecture> GraphSearchSpace::enumerate() const {
  NASCPP_CHECK_CONFIG(size_.has_value() && *size_ <= kMaxEnumerate,
                      "graph search space '{}' has {} architectures; enumerate() lists at most {}",
                      name_, size_ ? std::to_string(*size_) : std::string("more than 2^63"),
                      kMaxEnumerate);
  std::vector<Architecture> out;
  out.reserve(static_cast<size_t>(*size_));
  for (uint64_t id = 0; id < *size_; ++id) out.push_back(from_dense_id(id));
  return out;
}

// ---- encodings ----

std::vector<std::vector<size_t>> GraphSearchSpace::list_paths() const {
  // Input-to-output paths as edge sequences, by length, then edge indices.
  const std::string input = graph_.inputs().front();
  const std::string output = graph_.outputs().front();
  std::vector<std::vector<size_t>> done;
  std::vector<std::vector<size_t>> frontier;
  for (size_t e : graph_.out_edges(input)) frontier.push_back({e});
  while (!frontier.empty()) {
    std::vector<std::vector<size_t>> next;
    for (const auto& path : frontier) {
      const std::string& at = graph_.edges()[path.back()].to;
      if (at == output) {
        done.push_back(path);
        continue;
      }
      for (size_t e : graph_.out_edges(at)) {
        auto longer = path;
        longer.push_back(e);
        next.push_back(std::move(longer));
      }
    }
    frontier = std::move(next);
  }
  std::stable_sort(done.begin(), done.end(), [](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return done;
}

std::vector<std::string> GraphSearchSpace::encodings() const {
  std::vector<std::string> out = {"adjacency", "onehot", "op_indices"};
  if (path_encoding_) out.push_back("path");
  return out;
}

std::vector<float> GraphSearchSpace::encode(const Architecture& arch,
                                            const std::string& encoding) const {
  const auto enc = checked(arch);
  const auto names = encodings();
  if (std::find(names.begin(), names.end(), encoding) == names.end()) {
    throw ConfigError(unknown_choice_message("encoding of graph search space '" + name_ + "'",
                                             encoding, names));
  }
  if (encoding == "op_indices") return std::vector<float>(enc.begin(), enc.end());

  std::vector<float> onehot;
  for (size_t s = 0; s < enc.size(); ++s) {
    const size_t offset = onehot.size();
    onehot.resize(offset + static_cast<size_t>(slot_candidates_[s]), 0.0f);
    if (enc[s] != dropped(s)) onehot[offset + static_cast<size_t>(enc[s])] = 1.0f;
  }
  if (encoding == "onehot") return onehot;

  // Whether edge e carries its input on (not `none`, not dropped), from the
  // encoding itself: no copy of the graph per call (BANANAS encodes every
  // candidate it considers).
  auto active = [&](size_t e) {
    const int64_t s = edge_slot_[e];
    if (s < 0) return edge_passes_[e] != 0;
    const auto slot = static_cast<size_t>(s);
    return enc[slot] != dropped(slot) && enc[slot] != slot_none_[slot];
  };
  const Graph& cell = graph_;

  if (encoding == "adjacency") {
    const size_t edges = cell.edges().size();
    const size_t vertices = edges + 2;
    std::vector<size_t> vertex(edges);
    for (size_t k = 0; k < edges; ++k) vertex[edge_vertex_order_[k]] = 1 + k;
    std::vector<std::vector<float>> adj(vertices, std::vector<float>(vertices, 0.0f));
    const std::string input = cell.inputs().front();
    const std::string output = cell.outputs().front();
    for (size_t e = 0; e < edges; ++e) {
      if (!active(e)) continue;
      const Edge& edge = cell.edges()[e];
      if (edge.from == input) adj[0][vertex[e]] = 1.0f;
      if (edge.to == output) adj[vertex[e]][vertices - 1] = 1.0f;
      for (size_t f = 0; f < edges; ++f) {
        if (active(f) && edge.to == cell.edges()[f].from) adj[vertex[e]][vertex[f]] = 1.0f;
      }
    }
    std::vector<float> out;
    for (size_t i = 0; i < vertices; ++i) {
      for (size_t j = i + 1; j < vertices; ++j) out.push_back(adj[i][j]);
    }
    out.insert(out.end(), onehot.begin(), onehot.end());
    return out;
  }

  // path
  std::vector<float> out;
  for (const auto& path : paths_) {
    size_t block = 1;
    size_t code = 0;
    bool alive = true;
    for (size_t e : path) {
      const auto s = static_cast<size_t>(edge_slot_[e]);
      block *= static_cast<size_t>(slot_candidates_[s]);
      code = code * static_cast<size_t>(slot_candidates_[s]) + static_cast<size_t>(enc[s]);
      alive = alive && active(e);
    }
    const size_t offset = out.size();
    out.resize(offset + block, 0.0f);
    if (alive) out[offset + code] = 1.0f;
  }
  return out;
}

std::vector<int32_t> GraphSearchSpace::choice_cardinalities() const {
  std::vector<int32_t> out;
  for (size_t s = 0; s < slots_.size(); ++s) out.push_back(values(s));
  return out;
}

std::vector<int32_t> GraphSearchSpace::choices_of(const Architecture& arch) const {
  return checked(arch);
}

std::optional<Architecture> GraphSearchSpace::from_choices(
    const std::vector<int32_t>& choices) const {
  if (choices.size() != slots_.size()) return std::nullopt;
  for (size_t s = 0; s < choices.size(); ++s) {
    if (choices[s] < 0 || choices[s] >= values(s)) return std::nullopt;
  }
  for (const Unit& unit : units_) {
    if (unit.keep > 0 && kept(unit, choices) != unit.keep) return std::nullopt;
  }
  return make(choices);
}

}  // namespace nascpp

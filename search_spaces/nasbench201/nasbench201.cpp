#include "search_spaces/nasbench201/nasbench201.h"

#include <algorithm>

#include "nascpp/core/error.h"
#include "nascpp/graph/search_space.h"
#include "search_spaces/nasbench201/network.h"

namespace nascpp {

NasBench201NetworkOptions NasBench201NetworkOptions::from_config(ConfigNode& cfg) {
  NasBench201NetworkOptions o;
  o.channels(cfg.get<int64_t>("channels", o.channels()));
  o.cells_per_stage(cfg.get<int64_t>("cells_per_stage", o.cells_per_stage()));
  o.validate();
  return o;
}

void NasBench201NetworkOptions::validate() const {
  NASCPP_CHECK_CONFIG(channels_ >= 2, "nasbench201 channels must be at least 2, got {}", channels_);
  NASCPP_CHECK_CONFIG(cells_per_stage_ >= 1,
                      "nasbench201 cells_per_stage must be at least 1, got {}", cells_per_stage_);
}

namespace {

constexpr const char* kArchStringForm = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";

// Index of the edge j -> t in the official order: the edges into node t
// follow those into nodes 1 .. t-1.
constexpr int edge_index(int t, int j) { return t * (t - 1) / 2 + j; }

[[noreturn]] void arch_string_error(const std::string& text, size_t offset, int edge,
                                    const std::string& what) {
  std::string where = fmt::format("at character {}", offset);
  if (edge >= 0) {
    where += fmt::format(" (edge {}: {}->{})", edge, NasBench201Space::kEdgeFrom[edge],
                         NasBench201Space::kEdgeTo[edge]);
  }
  throw ConfigError(fmt::format(
      "malformed NAS-Bench-201 arch string '{}': {}: {}; expected the form {} with each op one "
      "of: {}",
      text, where, what, kArchStringForm, join(NasBench201Space::op_names())));
}

int op_index(std::string_view name) {
  const auto& names = NasBench201Space::op_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string describe_char(const std::string& text, size_t pos) {
  if (pos >= text.size()) return "the end of the string";
  return fmt::format("'{}'", text[pos]);
}

// NAS-Bench-201 as a space derived from its cell graph: six mixed edges over
// the five ops. Sampling, mutation, neighbours, enumeration, the encodings and
// the canonical form are the graph's (docs/graph.md); the space keeps the
// benchmark's own text form, op codes and dense ids, and its networks.
const GraphSearchSpace& graph_space() {
  static const GraphSearchSpace space(
      NasBench201Space::kName,
      nasbench201_cell_graph(std::vector<OpSlot>(NasBench201Space::kNumEdges,
                                                 OpSlot::mixed(NasBench201Space::op_names()))));
  return space;
}

}  // namespace

Graph nasbench201_cell_graph(const std::vector<OpSlot>& edge_slots) {
  NASCPP_ASSERT(edge_slots.size() == NasBench201Space::kNumEdges);
  Graph g;
  g.add_input("0").add_node("1").add_node("2").add_output("3");
  for (int e = 0; e < NasBench201Space::kNumEdges; ++e) {
    g.add_edge(std::to_string(NasBench201Space::kEdgeFrom[e]),
               std::to_string(NasBench201Space::kEdgeTo[e]), edge_slots[e]);
  }
  return g;
}

const std::vector<std::string>& NasBench201Space::op_names() {
  static const std::vector<std::string> names = {"none", "skip_connect", "nor_conv_1x1",
                                                 "nor_conv_3x3", "avg_pool_3x3"};
  return names;
}

std::shared_ptr<const NasBench201Space> NasBench201Space::from_config(ConfigNode& config) {
  return std::make_shared<const NasBench201Space>(NasBench201NetworkOptions::from_config(config));
}

// ---- conversions ----

NasBench201Space::Ops NasBench201Space::ops_of(const Architecture& arch) {
  NASCPP_CHECK_CONFIG(arch.space() == kName,
                      "architecture of search space '{}' given to the '{}' space", arch.space(),
                      kName);
  const auto& enc = arch.encoding();
  NASCPP_CHECK_CONFIG(enc.size() == static_cast<size_t>(kNumEdges),
                      "a NAS-Bench-201 architecture has {} op indices, got {}", kNumEdges,
                      enc.size());
  Ops ops{};
  for (int e = 0; e < kNumEdges; ++e) {
    NASCPP_CHECK_CONFIG(enc[e] >= 0 && enc[e] < kNumOps,
                        "op index {} of edge {} ({}->{}) is out of range [0, {}); ops: {}", enc[e],
                        e, kEdgeFrom[e], kEdgeTo[e], kNumOps, join(op_names()));
    ops[e] = enc[e];
  }
  return ops;
}

Architecture NasBench201Space::from_ops(const Ops& ops) {
  for (int e = 0; e < kNumEdges; ++e) {
    NASCPP_CHECK_CONFIG(ops[e] >= 0 && ops[e] < kNumOps,
                        "op index {} of edge {} ({}->{}) is out of range [0, {}); ops: {}", ops[e],
                        e, kEdgeFrom[e], kEdgeTo[e], kNumOps, join(op_names()));
  }
  return Architecture(kName, std::vector<int32_t>(ops.begin(), ops.end()));
}

int32_t NasBench201Space::dense_id(const Architecture& arch) {
  // The hot path of benchmark look-ups: check without building messages.
  const auto& enc = arch.encoding();
  if (enc.size() == static_cast<size_t>(kNumEdges) && arch.space() == kName) {
    int32_t id = 0;
    bool ok = true;
    for (int32_t op : enc) {
      ok = ok && op >= 0 && op < kNumOps;
      id = id * kNumOps + op;
    }
    if (ok) return id;
  }
  return dense_id(ops_of(arch));  // throws the detailed error
}

NasBench201Space::Ops NasBench201Space::ops_from_dense_id(int32_t id) {
  NASCPP_CHECK_CONFIG(id >= 0 && id < kNumArchitectures,
                      "NAS-Bench-201 dense id {} is out of range [0, {})", id, kNumArchitectures);
  Ops ops{};
  for (int e = kNumEdges - 1; e >= 0; --e) {
    ops[e] = id % kNumOps;
    id /= kNumOps;
  }
  return ops;
}

std::string NasBench201Space::format_ops(const Ops& ops) {
  std::string out;
  out.reserve(96);
  for (int t = 1; t < kNumNodes; ++t) {
    if (t > 1) out += '+';
    out += '|';
    for (int j = 0; j < t; ++j) {
      out += op_names()[ops[edge_index(t, j)]];
      out += '~';
      out += static_cast<char>('0' + j);
      out += '|';
    }
  }
  return out;
}

std::string NasBench201Space::op_code_of(const Ops& ops) {
  std::string code(kNumEdges, '0');
  for (int e = 0; e < kNumEdges; ++e) code[e] = static_cast<char>('0' + ops[e]);
  return code;
}

// ---- SearchSpace ----

Architecture NasBench201Space::parse(const std::string& text) const {
  Ops ops{};
  size_t pos = 0;
  const size_t n = text.size();
  for (int t = 1; t < kNumNodes; ++t) {
    if (t > 1) {
      if (pos >= n) {
        arch_string_error(text, pos, -1,
                          fmt::format("the string ends after {} node group(s); a cell has 3 "
                                      "groups (nodes 1, 2, 3) separated by '+'",
                                      t - 1));
      }
      if (text[pos] != '+') {
        arch_string_error(text, pos, -1,
                          fmt::format("node {} has more than {} input edge(s); expected '+' to "
                                      "start the group of node {}, found {}",
                                      t - 1, t - 1, t, describe_char(text, pos)));
      }
      ++pos;
    }
    if (pos >= n || text[pos] != '|') {
      arch_string_error(text, pos, edge_index(t, 0),
                        fmt::format("expected '|' to open the group of node {}, found {}", t,
                                    describe_char(text, pos)));
    }
    ++pos;
    for (int j = 0; j < t; ++j) {
      const int e = edge_index(t, j);
      const size_t name_start = pos;
      while (pos < n && text[pos] != '~' && text[pos] != '|' && text[pos] != '+') ++pos;
      const std::string_view name(text.data() + name_start, pos - name_start);
      if (name.empty()) {
        if (pos < n && text[pos] == '+') {
          arch_string_error(text, pos, e,
                            fmt::format("node {} has {} input edge(s), expected {} (one from "
                                        "each node 0..{})",
                                        t, j, t, t - 1));
        }
        arch_string_error(text, pos, e,
                          fmt::format("expected an op name, found {}", describe_char(text, pos)));
      }
      const int op = op_index(name);
      if (op < 0) arch_string_error(text, name_start, e, fmt::format("unknown op '{}'", name));
      if (pos >= n || text[pos] != '~') {
        arch_string_error(text, pos, e,
                          fmt::format("expected '~{}' after the op '{}', found {}", j, name,
                                      describe_char(text, pos)));
      }
      ++pos;
      const size_t input_start = pos;
      while (pos < n && text[pos] != '|' && text[pos] != '+' && text[pos] != '~') ++pos;
      const std::string_view input(text.data() + input_start, pos - input_start);
      if (input.size() != 1 || input[0] != static_cast<char>('0' + j)) {
        arch_string_error(
            text, input_start, e,
            fmt::format("expected '~{}' (the edge's source node {}), found '~{}'", j, j, input));
      }
      if (pos >= n || text[pos] != '|') {
        arch_string_error(
            text, pos, e,
            fmt::format("expected '|' after '{}~{}', found {}", name, j, describe_char(text, pos)));
      }
      ++pos;
      ops[e] = op;
    }
  }
  if (pos != n) {
    if (text[pos] == '+') {
      arch_string_error(text, pos, -1, "more than 3 node groups; a cell has 3 (nodes 1, 2, 3)");
    }
    arch_string_error(text, pos, -1,
                      fmt::format("node 3 has more than 3 input edges; unexpected {} after its "
                                  "group",
                                  describe_char(text, pos)));
  }
  return from_ops(ops);
}

std::string NasBench201Space::format(const Architecture& arch) const {
  return format_ops(ops_of(arch));
}

void NasBench201Space::validate(const Architecture& arch) const { (void)ops_of(arch); }

Architecture NasBench201Space::sample(Rng& rng) const { return graph_space().sample(rng); }

Architecture NasBench201Space::mutate(const Architecture& arch, Rng& rng) const {
  validate(arch);
  return graph_space().mutate(arch, rng);
}

std::vector<Architecture> NasBench201Space::neighbours(const Architecture& arch) const {
  validate(arch);
  return graph_space().neighbours(arch);
}

std::vector<Architecture> NasBench201Space::enumerate() const { return graph_space().enumerate(); }

std::vector<int32_t> NasBench201Space::choice_cardinalities() const {
  return std::vector<int32_t>(kNumEdges, kNumOps);
}

std::vector<int32_t> NasBench201Space::choices_of(const Architecture& arch) const {
  validate(arch);
  return arch.encoding();
}

std::optional<Architecture> NasBench201Space::from_choices(
    const std::vector<int32_t>& choices) const {
  if (choices.size() != static_cast<size_t>(kNumEdges)) return std::nullopt;
  Ops ops{};
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] < 0 || choices[i] >= kNumOps) return std::nullopt;
    ops[i] = choices[i];
  }
  return from_ops(ops);
}

std::vector<std::string> NasBench201Space::encodings() const {
  return {"adjacency", "onehot", "op_indices", "path"};
}

std::vector<float> NasBench201Space::encode(const Architecture& arch,
                                            const std::string& encoding) const {
  validate(arch);
  const auto names = encodings();
  if (std::find(names.begin(), names.end(), encoding) == names.end()) {
    throw ConfigError(unknown_choice_message("NAS-Bench-201 encoding", encoding, names));
  }
  return graph_space().encode(arch, encoding);
}

// ---- NAS-Bench-201 specific ----

Architecture NasBench201Space::parse_op_code(const std::string& code) const {
  NASCPP_CHECK_CONFIG(code.size() == static_cast<size_t>(kNumEdges),
                      "NAS-Bench-201 op code '{}' has {} characters, expected {} digits 0-4 (one "
                      "op per edge; ops: 0={}, 1={}, 2={}, 3={}, 4={})",
                      code, code.size(), kNumEdges, op_names()[0], op_names()[1], op_names()[2],
                      op_names()[3], op_names()[4]);
  Ops ops{};
  for (int e = 0; e < kNumEdges; ++e) {
    const char c = code[e];
    NASCPP_CHECK_CONFIG(c >= '0' && c < static_cast<char>('0' + kNumOps),
                        "NAS-Bench-201 op code '{}': character {} (edge {}: {}->{}) is '{}', "
                        "expected a digit 0-4 (ops: 0={}, 1={}, 2={}, 3={}, 4={})",
                        code, e, e, kEdgeFrom[e], kEdgeTo[e], c, op_names()[0], op_names()[1],
                        op_names()[2], op_names()[3], op_names()[4]);
    ops[e] = c - '0';
  }
  return from_ops(ops);
}

std::string NasBench201Space::format_op_code(const Architecture& arch) const {
  return op_code_of(ops_of(arch));
}

std::string NasBench201Space::canonical(const Architecture& arch) const {
  validate(arch);
  return graph_space().canonical(arch);
}

}  // namespace nascpp

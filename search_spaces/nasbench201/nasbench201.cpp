#include "search_spaces/nasbench201/nasbench201.h"

#include <algorithm>

#include "nascpp/core/error.h"

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
constexpr int kNone = 0;
constexpr int kSkip = 1;

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

}  // namespace

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

Architecture NasBench201Space::sample(Rng& rng) const {
  return from_ops(ops_from_dense_id(static_cast<int32_t>(rng.index(kNumArchitectures))));
}

Architecture NasBench201Space::mutate(const Architecture& arch, Rng& rng) const {
  Ops ops = ops_of(arch);
  const size_t edge = rng.index(kNumEdges);
  // Adding 1..4 modulo 5 reaches each of the other four ops once.
  const int32_t shift = 1 + static_cast<int32_t>(rng.index(kNumOps - 1));
  ops[edge] = (ops[edge] + shift) % kNumOps;
  return from_ops(ops);
}

std::vector<Architecture> NasBench201Space::neighbours(const Architecture& arch) const {
  const Ops ops = ops_of(arch);
  std::vector<Architecture> out;
  out.reserve(static_cast<size_t>(kNumEdges) * (kNumOps - 1));
  for (int e = 0; e < kNumEdges; ++e) {
    for (int32_t op = 0; op < kNumOps; ++op) {
      if (op == ops[e]) continue;
      Ops changed = ops;
      changed[e] = op;
      out.push_back(from_ops(changed));
    }
  }
  return out;
}

std::vector<Architecture> NasBench201Space::enumerate() const {
  std::vector<Architecture> out;
  out.reserve(kNumArchitectures);
  for (int32_t id = 0; id < kNumArchitectures; ++id) out.push_back(from_ops(ops_from_dense_id(id)));
  return out;
}

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
  const Ops ops = ops_of(arch);
  if (encoding == "op_indices") return std::vector<float>(ops.begin(), ops.end());

  std::vector<float> onehot(static_cast<size_t>(kNumEdges) * kNumOps, 0.0f);
  for (int e = 0; e < kNumEdges; ++e) onehot[e * kNumOps + ops[e]] = 1.0f;
  if (encoding == "onehot") return onehot;

  if (encoding == "adjacency") {
    // Node 0 = input, node 1 + e = edge e, node 7 = output. The edge order is
    // topological, so every connection goes from a lower to a higher node.
    constexpr int kDagNodes = kNumEdges + 2;
    std::array<std::array<float, kDagNodes>, kDagNodes> adj{};
    for (int e = 0; e < kNumEdges; ++e) {
      if (ops[e] == kNone) continue;
      if (kEdgeFrom[e] == 0) adj[0][1 + e] = 1.0f;
      if (kEdgeTo[e] == kNumNodes - 1) adj[1 + e][kDagNodes - 1] = 1.0f;
      for (int f = 0; f < kNumEdges; ++f) {
        if (ops[f] != kNone && kEdgeTo[e] == kEdgeFrom[f]) adj[1 + e][1 + f] = 1.0f;
      }
    }
    std::vector<float> out;
    out.reserve(kDagNodes * (kDagNodes - 1) / 2 + onehot.size());
    for (int i = 0; i < kDagNodes; ++i) {
      for (int j = i + 1; j < kDagNodes; ++j) out.push_back(adj[i][j]);
    }
    out.insert(out.end(), onehot.begin(), onehot.end());
    return out;
  }

  if (encoding == "path") {
    // The four input-to-output paths as edge sequences, in feature order.
    struct Path {
      int length;
      std::array<int, 3> edges;
    };
    static constexpr std::array<Path, 4> kPaths = {
        {{1, {3}}, {2, {0, 4}}, {2, {1, 5}}, {3, {0, 2, 5}}}};
    std::vector<float> out;
    for (const Path& path : kPaths) {
      int32_t block = 1;
      int32_t code = 0;
      bool alive = true;
      for (int k = 0; k < path.length; ++k) {
        const int e = path.edges[k];
        block *= kNumOps;
        code = code * kNumOps + ops[e];
        alive = alive && ops[e] != kNone;
      }
      const size_t offset = out.size();
      out.resize(offset + static_cast<size_t>(block), 0.0f);
      if (alive) out[offset + static_cast<size_t>(code)] = 1.0f;
    }
    return out;
  }

  throw ConfigError(unknown_choice_message("NAS-Bench-201 encoding", encoding, encodings()));
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
  const Ops ops = ops_of(arch);
  // Node strings as in NATS-Bench's unique string (to_unique_str with zeros
  // considered): skip_connect passes its input's string through, a `none` edge
  // or a zero input ("#") gives "#", other ops wrap their input; a node is the
  // sorted '+'-join of its inputs, which removes the order of the edges into
  // it and so the labelling of the two intermediate nodes.
  std::array<std::string, kNumNodes> node;
  node[0] = "0";
  std::vector<std::string> inputs;
  for (int t = 1; t < kNumNodes; ++t) {
    inputs.clear();
    for (int j = 0; j < t; ++j) {
      const int op = ops[edge_index(t, j)];
      if (op == kNone || node[j] == "#") {
        inputs.emplace_back("#");
      } else if (op == kSkip) {
        inputs.push_back(node[j]);
      } else {
        inputs.push_back("(" + node[j] + ")@" + op_names()[op]);
      }
    }
    std::sort(inputs.begin(), inputs.end());
    node[t] = join(inputs, "+");
  }
  return node[kNumNodes - 1];
}

}  // namespace nascpp

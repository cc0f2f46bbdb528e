#include "search_spaces/nasbench101/nasbench101.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <set>

#include "nascpp/core/error.h"
#include "nascpp/core/nesting.h"
#include <nlohmann/json.hpp>

namespace nascpp {

NasBench101NetworkOptions NasBench101NetworkOptions::from_config(ConfigNode& cfg) {
  NasBench101NetworkOptions o;
  o.stem_channels(cfg.get<int64_t>("stem_channels", o.stem_channels()));
  o.num_stacks(cfg.get<int64_t>("num_stacks", o.num_stacks()));
  o.cells_per_stack(cfg.get<int64_t>("cells_per_stack", o.cells_per_stack()));
  o.bn_momentum(cfg.get<double>("bn_momentum", o.bn_momentum()));
  o.bn_eps(cfg.get<double>("bn_eps", o.bn_eps()));
  o.validate();
  return o;
}

void NasBench101NetworkOptions::validate() const {
  NASCPP_CHECK_CONFIG(stem_channels_ >= 1, "nasbench101 stem_channels must be at least 1, got {}",
                      stem_channels_);
  NASCPP_CHECK_CONFIG(num_stacks_ >= 1, "nasbench101 num_stacks must be at least 1, got {}",
                      num_stacks_);
  NASCPP_CHECK_CONFIG(cells_per_stack_ >= 1,
                      "nasbench101 cells_per_stack must be at least 1, got {}", cells_per_stack_);
  NASCPP_CHECK_CONFIG(bn_momentum_ > 0.0 && bn_momentum_ <= 1.0,
                      "nasbench101 bn_momentum must be in (0, 1], got {}", bn_momentum_);
  NASCPP_CHECK_CONFIG(bn_eps_ > 0.0 && std::isfinite(bn_eps_),
                      "nasbench101 bn_eps must be a finite positive number, got {}", bn_eps_);
}

namespace {

constexpr int kMax = NasBench101Spec::kMaxVertices;
constexpr const char* kTextForm = "[[0,1,...],[...],...]|input,<op>,...,output";

// A raw spec of any size: n*n matrix (row-major) and one label per vertex.
struct RawGraph {
  int n = 0;
  std::vector<uint8_t> adj;
  std::vector<int8_t> ops;
  uint8_t at(int i, int j) const { return adj[static_cast<size_t>(i) * n + j]; }
};

std::string label_name(int8_t label) {
  if (label == NasBench101Spec::kInput) return "input";
  if (label == NasBench101Spec::kOutput) return "output";
  return NasBench101Space::op_names().at(static_cast<size_t>(label));
}

int8_t label_of(const std::string& name) {
  if (name == "input") return NasBench101Spec::kInput;
  if (name == "output") return NasBench101Spec::kOutput;
  const auto& names = NasBench101Space::op_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<int8_t>(i);
  }
  throw ConfigError(
      unknown_choice_message("NAS-Bench-101 op", name, NasBench101Space::all_op_names()));
}

RawGraph raw_of(const NasBench101Spec& spec) {
  RawGraph g;
  g.n = spec.num_vertices;
  g.adj.assign(static_cast<size_t>(g.n) * g.n, 0);
  for (int i = 0; i < g.n; ++i) {
    for (int j = 0; j < g.n; ++j) g.adj[static_cast<size_t>(i) * g.n + j] = spec.matrix[i][j];
  }
  g.ops.assign(spec.ops.begin(), spec.ops.begin() + g.n);
  return g;
}

// ModelSpec._prune, then api._check_spec: returns the failed rule or "".
std::string prune_and_check_raw(const RawGraph& g, NasBench101Spec* out) {
  const int n = g.n;
  std::vector<char> from_input(n, 0), to_output(n, 0);
  from_input[0] = 1;
  for (int v = 0; v < n; ++v) {
    if (!from_input[v]) continue;
    for (int w = v + 1; w < n; ++w) {
      if (g.at(v, w)) from_input[w] = 1;
    }
  }
  to_output[n - 1] = 1;
  for (int v = n - 1; v >= 0; --v) {
    if (!to_output[v]) continue;
    for (int u = 0; u < v; ++u) {
      if (g.at(u, v)) to_output[u] = 1;
    }
  }
  std::vector<int> keep;
  for (int v = 0; v < n; ++v) {
    if (from_input[v] && to_output[v]) keep.push_back(v);
  }
  if (keep.empty()) {
    return "the output is not reachable from the input (the graph is disconnected)";
  }
  const int m = static_cast<int>(keep.size());
  if (m > kMax) {
    return fmt::format("too many vertices: {} after pruning, at most {}", m, kMax);
  }
  int edges = 0;
  for (int a = 0; a < m; ++a) {
    for (int b = 0; b < m; ++b) edges += g.at(keep[a], keep[b]);
  }
  if (edges > NasBench101Space::kMaxEdges) {
    return fmt::format("too many edges: {} after pruning, at most {}", edges,
                       NasBench101Space::kMaxEdges);
  }
  if (g.ops[keep.front()] != NasBench101Spec::kInput) {
    return fmt::format("the first op must be 'input', got '{}'", label_name(g.ops[keep.front()]));
  }
  if (g.ops[keep.back()] != NasBench101Spec::kOutput) {
    return fmt::format("the last op must be 'output', got '{}'", label_name(g.ops[keep.back()]));
  }
  for (int a = 1; a + 1 < m; ++a) {
    const int8_t op = g.ops[keep[a]];
    if (op < 0) {
      return fmt::format("vertex {} (after pruning) has op '{}'; interior ops must be one of: {}",
                         a, label_name(op), join(NasBench101Space::op_names()));
    }
  }
  if (out != nullptr) {
    *out = NasBench101Spec{};
    out->num_vertices = m;
    for (int a = 0; a < m; ++a) {
      out->ops[a] = g.ops[keep[a]];
      for (int b = 0; b < m; ++b) out->matrix[a][b] = g.at(keep[a], keep[b]);
    }
  }
  return "";
}

[[noreturn]] void invalid_spec(const std::string& rule) {
  throw ConfigError("invalid NAS-Bench-101 spec: " + rule);
}

std::vector<int32_t> encoding_of(const NasBench101Spec& s) {
  const int n = s.num_vertices;
  std::vector<int32_t> enc;
  enc.reserve(1 + n * (n - 1) / 2 + n);
  enc.push_back(n);
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) enc.push_back(s.matrix[i][j]);
  }
  for (int v = 1; v + 1 < n; ++v) enc.push_back(s.ops[v]);
  return enc;
}

// The pruned spec padded to 7 vertices: vertices 0..n-2 keep their place,
// the output moves to vertex 6, the vertices between are isolated with ops
// `padding_ops[v]`. `real[v]` tells which vertices belong to the spec.
NasBench101Spec padded(const NasBench101Spec& s, const std::array<int8_t, kMax>& padding_ops,
                       std::array<bool, kMax>* real = nullptr) {
  const int n = s.num_vertices;
  auto pos = [n](int v) { return v == n - 1 ? kMax - 1 : v; };
  NasBench101Spec p;
  p.num_vertices = kMax;
  for (int v = 0; v < kMax; ++v) p.ops[v] = padding_ops[v];
  if (real != nullptr) real->fill(false);
  for (int v = 0; v < n; ++v) {
    p.ops[pos(v)] = s.ops[v];
    if (real != nullptr) (*real)[pos(v)] = true;
    for (int w = 0; w < n; ++w) p.matrix[pos(v)][pos(w)] = s.matrix[v][w];
  }
  return p;
}

// One MD5 context reused for the many small digests of a graph hash.
class Md5 {
 public:
  Md5() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    NASCPP_CHECK(ctx_ != nullptr, "OpenSSL: cannot allocate an MD5 context");
  }
  std::array<uint8_t, 16> bytes(const std::string& text) {
    std::array<uint8_t, 16> out{};
    unsigned int len = 0;
    const bool ok = EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr) == 1 &&
                    EVP_DigestUpdate(ctx_.get(), text.data(), text.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) == 1 && len == 16;
    NASCPP_CHECK(ok, "OpenSSL MD5 failed");
    return out;
  }
  std::string hex(const std::string& text) { return NasBench101Space::hash_hex(bytes(text)); }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// ---- text form ----

[[noreturn]] void text_error(const std::string& text, size_t offset, const std::string& what) {
  throw ConfigError(fmt::format(
      "malformed NAS-Bench-101 spec '{}': at character {}: {}; expected the form {} (or the "
      "flattened matrix digits before '|'), ops one of: {}",
      text, offset, what, kTextForm, join(NasBench101Space::all_op_names())));
}

// An op name of either text form, the `index`-th op, at `offset` of `text`.
void check_op_name(const std::string& text, size_t offset, const std::string& op, size_t index) {
  const auto& names = NasBench101Space::all_op_names();
  if (std::find(names.begin(), names.end(), op) == names.end()) {
    const std::string hint = did_you_mean(op, names);
    text_error(text, offset,
               fmt::format("unknown op '{}' (op {}){}", op, index,
                           hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
  }
}

// The JSON form of NAS-Bench-101's and NASLib's users:
// {"matrix": [[0,1,...],...], "ops": ["input", ..., "output"]}.
Architecture parse_json_spec(const NasBench101Space& space, const std::string& text) {
  nlohmann::json j;
  try {
    check_json_nesting(text, "NAS-Bench-101 spec");
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    text_error(text, 0, fmt::format("not valid JSON: {}", e.what()));
  } catch (const DataError& e) {
    text_error(text, 0, e.what());
  }
  if (!j.is_object()) text_error(text, 0, "a JSON spec is an object with 'matrix' and 'ops'");
  for (const auto& [key, value] : j.items()) {
    if (key != "matrix" && key != "ops") {
      text_error(text, 0, fmt::format("unknown key '{}' (known: matrix, ops)", key));
    }
  }
  if (!j.contains("matrix") || !j.contains("ops")) {
    text_error(text, 0, fmt::format("the JSON spec lacks '{}'", j.contains("matrix") ? "ops" : "matrix"));
  }
  std::vector<std::vector<int>> matrix;
  const auto& m = j.at("matrix");
  if (!m.is_array()) text_error(text, 0, "'matrix' must be a list of rows");
  for (const auto& row : m) {
    if (!row.is_array()) text_error(text, 0, "'matrix' must be a list of rows of 0 and 1");
    std::vector<int> r;
    for (const auto& x : row) {
      if (!x.is_number_integer() || (x.get<int64_t>() != 0 && x.get<int64_t>() != 1)) {
        text_error(text, 0, fmt::format("matrix entries are 0 or 1, got {}", x.dump()));
      }
      r.push_back(x.get<int>());
    }
    matrix.push_back(std::move(r));
  }
  std::vector<std::string> ops;
  const auto& o = j.at("ops");
  if (!o.is_array()) text_error(text, 0, "'ops' must be a list of op names");
  for (const auto& x : o) {
    if (!x.is_string()) text_error(text, 0, fmt::format("ops are names, got {}", x.dump()));
    const std::string op = x.get<std::string>();
    check_op_name(text, 0, op, ops.size());
    ops.push_back(op);
  }
  return space.from_spec(matrix, ops);
}

std::string found(const std::string& text, size_t pos) {
  return pos >= text.size() ? "the end of the text" : fmt::format("'{}'", text[pos]);
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// `[[0,1],[0,0]]` starting at `pos` (whitespace allowed between tokens).
std::vector<std::vector<int>> parse_nested(const std::string& text, size_t pos, size_t end) {
  auto skip = [&] {
    while (pos < end && is_space(text[pos])) ++pos;
  };
  auto expect = [&](char c, const char* what) {
    skip();
    if (pos >= end || text[pos] != c) {
      text_error(text, pos,
                 fmt::format("expected '{}' {}, found {}", c, what,
                             pos >= end ? std::string("'|'") : found(text, pos)));
    }
    ++pos;
  };
  std::vector<std::vector<int>> rows;
  expect('[', "to open the matrix");
  while (true) {
    expect('[', fmt::format("to open row {}", rows.size()).c_str());
    rows.emplace_back();
    while (true) {
      skip();
      if (pos < end && (text[pos] == '0' || text[pos] == '1')) {
        rows.back().push_back(text[pos] - '0');
        ++pos;
      } else {
        text_error(text, pos,
                   fmt::format("expected a matrix entry 0 or 1 in row {}, found {}",
                               rows.size() - 1, found(text, pos)));
      }
      skip();
      if (pos < end && text[pos] == ',') {
        ++pos;
        continue;
      }
      expect(']', fmt::format("or ',' in row {}", rows.size() - 1).c_str());
      break;
    }
    skip();
    if (pos < end && text[pos] == ',') {
      ++pos;
      continue;
    }
    expect(']', "or ',' after a row");
    break;
  }
  skip();
  if (pos != end)
    text_error(text, pos, fmt::format("unexpected {} after the matrix", found(text, pos)));
  return rows;
}

}  // namespace

// ---- NasBench101Spec ----

int NasBench101Spec::num_edges() const {
  int e = 0;
  for (int i = 0; i < num_vertices; ++i) {
    for (int j = 0; j < num_vertices; ++j) e += matrix[i][j];
  }
  return e;
}

bool operator==(const NasBench101Spec& a, const NasBench101Spec& b) {
  if (a.num_vertices != b.num_vertices) return false;
  for (int i = 0; i < a.num_vertices; ++i) {
    if (a.ops[i] != b.ops[i]) return false;
    for (int j = 0; j < a.num_vertices; ++j) {
      if (a.matrix[i][j] != b.matrix[i][j]) return false;
    }
  }
  return true;
}

// ---- NasBench101Space ----

const std::vector<std::string>& NasBench101Space::op_names() {
  static const std::vector<std::string> names = {"conv3x3-bn-relu", "conv1x1-bn-relu",
                                                 "maxpool3x3"};
  return names;
}

const std::vector<std::string>& NasBench101Space::all_op_names() {
  static const std::vector<std::string> names = {"input", "conv3x3-bn-relu", "conv1x1-bn-relu",
                                                 "maxpool3x3", "output"};
  return names;
}

std::shared_ptr<const NasBench101Space> NasBench101Space::from_config(ConfigNode& config) {
  return std::make_shared<const NasBench101Space>(NasBench101NetworkOptions::from_config(config));
}

Architecture NasBench101Space::from_spec(const std::vector<std::vector<int>>& matrix,
                                         const std::vector<std::string>& ops) {
  const size_t n = matrix.size();
  NASCPP_CHECK_CONFIG(n >= 2,
                      "a NAS-Bench-101 spec needs at least 2 vertices (input, output), got {}", n);
  NASCPP_CHECK_CONFIG(ops.size() == n,
                      "the NAS-Bench-101 spec has {} ops for a {}x{} matrix; the length of the ops "
                      "must match the matrix dimension",
                      ops.size(), n, n);
  RawGraph g;
  g.n = static_cast<int>(n);
  g.adj.assign(n * n, 0);
  for (size_t i = 0; i < n; ++i) {
    NASCPP_CHECK_CONFIG(
        matrix[i].size() == n,
        "the NAS-Bench-101 matrix must be square: row {} has {} entries, expected {}", i,
        matrix[i].size(), n);
    for (size_t j = 0; j < n; ++j) {
      const int v = matrix[i][j];
      NASCPP_CHECK_CONFIG(v == 0 || v == 1,
                          "NAS-Bench-101 matrix entry [{}][{}] is {}; entries must be 0 or 1", i, j,
                          v);
      NASCPP_CHECK_CONFIG(v == 0 || j > i,
                          "the NAS-Bench-101 matrix must be upper triangular (zero on and below "
                          "the diagonal): entry [{}][{}] is 1",
                          i, j);
      g.adj[i * n + j] = static_cast<uint8_t>(v);
    }
  }
  g.ops.reserve(n);
  for (const auto& op : ops) g.ops.push_back(label_of(op));
  NasBench101Spec pruned;
  const std::string why = prune_and_check_raw(g, &pruned);
  if (!why.empty()) invalid_spec(why);
  return Architecture(kName, encoding_of(pruned));
}

Architecture NasBench101Space::from_spec(const NasBench101Spec& raw) {
  std::string why;
  const auto pruned = prune_and_check(raw, &why);
  if (!pruned) invalid_spec(why);
  return Architecture(kName, encoding_of(*pruned));
}

std::optional<NasBench101Spec> NasBench101Space::prune_and_check(const NasBench101Spec& raw,
                                                                 std::string* why) {
  if (raw.num_vertices < 2 || raw.num_vertices > kMax) {
    if (why != nullptr) {
      *why = fmt::format("a spec has 2 to {} vertices, got {}", kMax, raw.num_vertices);
    }
    return std::nullopt;
  }
  for (int i = 0; i < raw.num_vertices; ++i) {
    for (int j = 0; j <= i; ++j) {
      if (raw.matrix[i][j] != 0) {
        if (why != nullptr)
          *why = fmt::format("the matrix is not upper triangular at [{}][{}]", i, j);
        return std::nullopt;
      }
    }
  }
  NasBench101Spec out;
  std::string rule = prune_and_check_raw(raw_of(raw), &out);
  if (!rule.empty()) {
    if (why != nullptr) *why = std::move(rule);
    return std::nullopt;
  }
  return out;
}

NasBench101Spec NasBench101Space::spec_of(const Architecture& arch) {
  NASCPP_CHECK_CONFIG(arch.space() == kName,
                      "architecture of search space '{}' given to the '{}' space", arch.space(),
                      kName);
  const auto& enc = arch.encoding();
  NASCPP_CHECK_CONFIG(!enc.empty() && enc[0] >= 2 && enc[0] <= kMax,
                      "a NAS-Bench-101 architecture starts with its vertex count 2..{}, got {}",
                      kMax, enc.empty() ? std::string("nothing") : std::to_string(enc[0]));
  const int n = enc[0];
  const size_t expected = 1 + static_cast<size_t>(n * (n - 1) / 2) + static_cast<size_t>(n - 2);
  NASCPP_CHECK_CONFIG(
      enc.size() == expected,
      "a NAS-Bench-101 architecture with {} vertices has {} encoding entries, got {}", n, expected,
      enc.size());
  NasBench101Spec s;
  s.num_vertices = n;
  size_t k = 1;
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j, ++k) {
      NASCPP_CHECK_CONFIG(
          enc[k] == 0 || enc[k] == 1,
          "NAS-Bench-101 architecture: adjacency entry [{}][{}] is {}, expected 0 or 1", i, j,
          enc[k]);
      s.matrix[i][j] = static_cast<uint8_t>(enc[k]);
    }
  }
  s.ops[0] = NasBench101Spec::kInput;
  s.ops[n - 1] = NasBench101Spec::kOutput;
  for (int v = 1; v + 1 < n; ++v, ++k) {
    NASCPP_CHECK_CONFIG(enc[k] >= 0 && enc[k] < kNumOps,
                        "NAS-Bench-101 architecture: op id {} of vertex {} is out of range [0, {}) "
                        "(ops: {})",
                        enc[k], v, kNumOps, join(op_names()));
    s.ops[v] = static_cast<int8_t>(enc[k]);
  }
  std::string why;
  const auto pruned = prune_and_check(s, &why);
  if (!pruned) invalid_spec(why);
  NASCPP_CHECK_CONFIG(pruned->num_vertices == n,
                      "NAS-Bench-101 architecture is not pruned: {} of its {} vertices are not on "
                      "a path from input to output",
                      n - pruned->num_vertices, n);
  return s;
}

Architecture NasBench101Space::arch_of(const NasBench101Spec& pruned) {
  Architecture arch(kName, encoding_of(pruned));
  (void)spec_of(arch);
  return arch;
}

std::array<uint8_t, 16> NasBench101Space::hash_bytes(const NasBench101Spec& s) {
  // graph_util.hash_module (Ying et al. 2019): each vertex starts from the MD5
  // of the Python tuple text "(out_degree, in_degree, label)"; then, as many
  // times as there are vertices, a vertex becomes the MD5 of its sorted
  // in-neighbour hashes, '|', its sorted out-neighbour hashes, '|', its own
  // hash; the fingerprint is the MD5 of the Python list text of the sorted
  // vertex hashes. The hashes are hex digests, so the strings match Python's.
  const int n = s.num_vertices;
  Md5 md5;
  std::vector<std::string> h(n);
  for (int v = 0; v < n; ++v) {
    int in = 0, out = 0;
    for (int w = 0; w < n; ++w) {
      in += s.matrix[w][v];
      out += s.matrix[v][w];
    }
    h[v] = md5.hex(fmt::format("({}, {}, {})", out, in, static_cast<int>(s.ops[v])));
  }
  std::vector<std::string> next(n), ins, outs;
  for (int round = 0; round < n; ++round) {
    for (int v = 0; v < n; ++v) {
      ins.clear();
      outs.clear();
      for (int w = 0; w < n; ++w) {
        if (s.matrix[w][v]) ins.push_back(h[w]);
        if (s.matrix[v][w]) outs.push_back(h[w]);
      }
      std::sort(ins.begin(), ins.end());
      std::sort(outs.begin(), outs.end());
      std::string text;
      text.reserve(32 * (ins.size() + outs.size() + 1) + 2);
      for (const auto& x : ins) text += x;
      text += '|';
      for (const auto& x : outs) text += x;
      text += '|';
      text += h[v];
      next[v] = md5.hex(text);
    }
    h.swap(next);
  }
  std::sort(h.begin(), h.end());
  std::string list = "[";
  for (int v = 0; v < n; ++v) {
    if (v > 0) list += ", ";
    list += "'" + h[v] + "'";
  }
  list += "]";
  return md5.bytes(list);
}

std::string NasBench101Space::hash_hex(const std::array<uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (size_t i = 0; i < 16; ++i) {
    out[2 * i] = kHex[bytes[i] >> 4];
    out[2 * i + 1] = kHex[bytes[i] & 15];
  }
  return out;
}

std::string NasBench101Space::hash_spec(const Architecture& arch) const {
  return hash_hex(hash_bytes(spec_of(arch)));
}

// ---- SearchSpace ----

Architecture NasBench101Space::parse(const std::string& text) const {
  if (const size_t first = text.find_first_not_of(" \t\r\n");
      first != std::string::npos && text[first] == '{') {
    return parse_json_spec(*this, text);
  }
  const size_t bar = text.find('|');
  if (bar == std::string::npos) {
    text_error(text, text.size(), "missing '|' between the matrix and the ops");
  }
  if (text.find('|', bar + 1) != std::string::npos) {
    text_error(text, text.find('|', bar + 1), "more than one '|'");
  }
  std::vector<std::vector<int>> matrix;
  size_t begin = 0;
  while (begin < bar && is_space(text[begin])) ++begin;
  if (begin < bar && text[begin] == '[') {
    matrix = parse_nested(text, begin, bar);
  } else {
    const std::string digits = trim(text.substr(0, bar));
    for (size_t i = 0; i < digits.size(); ++i) {
      if (digits[i] != '0' && digits[i] != '1') {
        text_error(text, begin + i,
                   fmt::format("expected a flattened matrix of 0/1 digits, found '{}'", digits[i]));
      }
    }
    const auto n = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(digits.size()))));
    if (digits.empty() || n * n != digits.size()) {
      text_error(text, begin,
                 fmt::format("a flattened matrix has n*n digits, got {}", digits.size()));
    }
    matrix.assign(n, std::vector<int>(n, 0));
    for (size_t i = 0; i < digits.size(); ++i) matrix[i / n][i % n] = digits[i] - '0';
  }
  std::vector<std::string> ops;
  size_t pos = bar + 1;
  while (true) {
    const size_t comma = text.find(',', pos);
    const size_t stop = comma == std::string::npos ? text.size() : comma;
    const std::string op = trim(text.substr(pos, stop - pos));
    check_op_name(text, pos, op, ops.size());
    ops.push_back(op);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return from_spec(matrix, ops);
}

std::string NasBench101Space::format(const Architecture& arch) const {
  const NasBench101Spec s = spec_of(arch);
  std::string out = "[";
  for (int i = 0; i < s.num_vertices; ++i) {
    out += i > 0 ? ",[" : "[";
    for (int j = 0; j < s.num_vertices; ++j) {
      if (j > 0) out += ',';
      out += static_cast<char>('0' + s.matrix[i][j]);
    }
    out += ']';
  }
  out += "]|";
  for (int v = 0; v < s.num_vertices; ++v) {
    if (v > 0) out += ',';
    out += label_name(s.ops[v]);
  }
  return out;
}

void NasBench101Space::validate(const Architecture& arch) const { (void)spec_of(arch); }

Architecture NasBench101Space::sample(Rng& rng) const {
  while (true) {
    NasBench101Spec raw;
    raw.num_vertices = kMax;
    for (int i = 0; i < kMax; ++i) {
      for (int j = i + 1; j < kMax; ++j) raw.matrix[i][j] = rng.bernoulli(0.5) ? 1 : 0;
    }
    raw.ops[0] = NasBench101Spec::kInput;
    raw.ops[kMax - 1] = NasBench101Spec::kOutput;
    for (int v = 1; v + 1 < kMax; ++v) raw.ops[v] = static_cast<int8_t>(rng.index(kNumOps));
    if (auto pruned = prune_and_check(raw)) return Architecture(kName, encoding_of(*pruned));
  }
}

Architecture NasBench101Space::mutate(const Architecture& arch, Rng& rng) const {
  const NasBench101Spec spec = spec_of(arch);
  // mutate_spec of the nasbench notebook with mutation_rate 1: edge flips
  // with probability 1/7 (1/NUM_VERTICES), op changes with 1/5 (1/OP_SPOTS).
  constexpr double kEdgeProb = 1.0 / kMax;
  constexpr double kOpProb = 1.0 / (kMax - 2);
  while (true) {
    std::array<int8_t, kMax> padding_ops{};
    for (int v = 1; v + 1 < kMax; ++v) padding_ops[v] = static_cast<int8_t>(rng.index(kNumOps));
    NasBench101Spec p = padded(spec, padding_ops);
    for (int i = 0; i < kMax; ++i) {
      for (int j = i + 1; j < kMax; ++j) {
        if (rng.bernoulli(kEdgeProb)) p.matrix[i][j] ^= 1;
      }
    }
    for (int v = 1; v + 1 < kMax; ++v) {
      if (rng.bernoulli(kOpProb)) {
        const auto shift = static_cast<int8_t>(1 + rng.index(kNumOps - 1));
        p.ops[v] = static_cast<int8_t>((p.ops[v] + shift) % kNumOps);
      }
    }
    if (auto pruned = prune_and_check(p); pruned && !(*pruned == spec)) {
      return Architecture(kName, encoding_of(*pruned));
    }
  }
}

std::vector<Architecture> NasBench101Space::neighbours(const Architecture& arch) const {
  const NasBench101Spec spec = spec_of(arch);
  std::array<int8_t, kMax> padding_ops{};
  std::array<bool, kMax> real{};
  const NasBench101Spec p = padded(spec, padding_ops, &real);
  std::vector<Architecture> out;
  std::set<std::vector<int32_t>> seen = {arch.encoding()};
  auto consider = [&](const NasBench101Spec& candidate) {
    if (auto pruned = prune_and_check(candidate)) {
      auto enc = encoding_of(*pruned);
      if (seen.insert(enc).second) out.emplace_back(kName, std::move(enc));
    }
  };
  for (int v = 1; v + 1 < kMax; ++v) {
    if (!real[v]) continue;  // an isolated padding vertex: no change
    for (int8_t op = 0; op < kNumOps; ++op) {
      if (op == p.ops[v]) continue;
      NasBench101Spec c = p;
      c.ops[v] = op;
      consider(c);
    }
  }
  for (int i = 0; i < kMax; ++i) {
    for (int j = i + 1; j < kMax; ++j) {
      NasBench101Spec c = p;
      c.matrix[i][j] ^= 1;
      consider(c);
    }
  }
  return out;
}

std::vector<std::string> NasBench101Space::encodings() const { return {"adjacency", "path"}; }

std::vector<float> NasBench101Space::encode(const Architecture& arch,
                                            const std::string& encoding) const {
  const NasBench101Spec s = spec_of(arch);
  if (encoding == "adjacency") {
    std::array<bool, kMax> real{};
    const NasBench101Spec p = padded(s, {}, &real);
    std::vector<float> out;
    out.reserve(36);
    for (int i = 0; i < kMax; ++i) {
      for (int j = i + 1; j < kMax; ++j) out.push_back(p.matrix[i][j]);
    }
    for (int v = 1; v + 1 < kMax; ++v) {
      for (int op = 0; op < kNumOps; ++op) out.push_back(real[v] && p.ops[v] == op ? 1.0f : 0.0f);
    }
    return out;
  }
  if (encoding == "path") {
    std::vector<float> out(kNumPathFeatures, 0.0f);
    // Depth-first over the input-to-output paths; `code` and `scale` carry
    // sum_i 3^i (o_i + 1) of the ops seen so far.
    const int n = s.num_vertices;
    struct Frame {
      int vertex;
      int code;
      int scale;
    };
    std::vector<Frame> stack = {{0, 0, 1}};
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      for (int w = f.vertex + 1; w < n; ++w) {
        if (!s.matrix[f.vertex][w]) continue;
        if (w == n - 1) {
          out[static_cast<size_t>(f.code)] = 1.0f;
        } else {
          stack.push_back({w, f.code + f.scale * (s.ops[w] + 1), f.scale * kNumOps});
        }
      }
    }
    return out;
  }
  throw ConfigError(unknown_choice_message("NAS-Bench-101 encoding", encoding, encodings()));
}

}  // namespace nascpp

#include "search_spaces/darts/darts.h"

#include <cctype>
#include <utility>

#include "nascpp/core/error.h"
#include "nascpp/core/nesting.h"

namespace nascpp {

namespace {

constexpr int kPairs = DartsSpace::kPairsPerCell;
constexpr int kNumOps = DartsSpace::kNumOps;
// The concat every cell of the space uses: the four intermediate nodes.
const std::vector<int64_t> kConcat = {2, 3, 4, 5};
constexpr const char* kForms =
    "a genotype Genotype(normal=[('op', input) x 8], normal_concat=[2, 3, 4, 5], "
    "reduce=[('op', input) x 8], reduce_concat=[2, 3, 4, 5]) or the compact form "
    "[[(input, op id) x 8], [(input, op id) x 8]]";

const char* cell_name(int cell) { return cell == 0 ? "normal" : "reduce"; }

// Node fed by pair p: pairs 2k, 2k+1 feed node k + 2.
constexpr int node_of(int pair) { return pair / 2 + 2; }

std::string op_id_list() {
  std::string out;
  for (int i = 0; i < kNumOps; ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{}={}", i, DartsSpace::op_names()[i]);
  }
  return out;
}

// Checks one cell; `where` prefixes the messages (e.g. "the normal cell").
void check_cell(const DartsSpace::CellGenes& genes, const std::string& where) {
  for (int p = 0; p < kPairs; ++p) {
    const auto& g = genes[p];
    const int node = node_of(p);
    NASCPP_CHECK_CONFIG(g.op >= 0 && g.op < kNumOps,
                        "op id {} of pair {} (node {}) of {} is out of range [0, {}); op ids: {}",
                        g.op, p, node, where, kNumOps, op_id_list());
    NASCPP_CHECK_CONFIG(g.input >= 0 && g.input < node,
                        "input {} of pair {} of {} is out of range: node {} takes inputs 0..{} "
                        "(0 = c_{{k-2}}, 1 = c_{{k-1}}, j >= 2 = intermediate node j)",
                        g.input, p, where, node, node - 1);
    if (p % 2 == 1) {
      NASCPP_CHECK_CONFIG(g.input != genes[p - 1].input,
                          "pairs {} and {} of {} both take input {}: the two inputs of node {} "
                          "must differ",
                          p - 1, p, where, g.input, node);
    }
  }
}

DartsSpace::CellGenes cell_from(const std::vector<int32_t>& enc, int cell) {
  DartsSpace::CellGenes genes{};
  for (int p = 0; p < kPairs; ++p) {
    genes[p].input = enc[static_cast<size_t>(cell * 2 * kPairs + 2 * p)];
    genes[p].op = enc[static_cast<size_t>(cell * 2 * kPairs + 2 * p + 1)];
  }
  return genes;
}

// ------------------------------------------------------------------ parser
// A small tokenizer and recursive-descent parser for the Python literals of
// the two text forms: integers, quoted strings, lists / tuples and calls with
// keyword arguments (Genotype(...), range(...)). Each nesting level is one
// stack frame, so the depth is bounded (kMaxNestingDepth; a genotype nests 3
// levels): 30,000 nested '[' are an error, not a stack overflow.

// The text as messages show it: whole, unless far longer than a genotype.
std::string shown_text(const std::string& text) {
  constexpr size_t kMaxShown = 1000;
  constexpr size_t kHead = 120;
  if (text.size() <= kMaxShown) return text;
  return fmt::format("{}... ({} characters)", text.substr(0, kHead), text.size());
}

struct Value {
  enum class Kind { kInt, kString, kList, kCall };
  Kind kind = Kind::kInt;
  size_t offset = 0;
  int64_t number = 0;
  std::string text;          // string contents, or the called name
  std::vector<Value> items;  // list items, or positional arguments
  // Keyword arguments of a call: names, values and offsets, index-aligned.
  std::vector<std::string> kwarg_names;
  std::vector<Value> kwarg_values;
  std::vector<size_t> kwarg_offsets;
};

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  [[noreturn]] void fail(size_t offset, const std::string& what) const {
    throw ConfigError(
        fmt::format("malformed DARTS architecture '{}': at character {}: {}; expected {}",
                    shown_text(text_), offset, what, kForms));
  }

  Value parse_all() {
    Value v = parse_value();
    skip_space();
    if (pos_ < text_.size()) fail(pos_, fmt::format("unexpected {} after the end", describe(pos_)));
    return v;
  }

 private:
  std::string describe(size_t pos) const {
    if (pos >= text_.size()) return "the end of the text";
    return fmt::format("'{}'", text_[pos]);
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  void expect(char c, const char* context) {
    if (!peek(c)) fail(pos_, fmt::format("expected '{}' {}, found {}", c, context, describe(pos_)));
    ++pos_;
  }

  std::string identifier() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return text_.substr(start, pos_ - start);
  }

  // Called on entering a list or a call; leave() on leaving it.
  void enter() {
    if (depth_ >= kMaxNestingDepth) {
      fail(pos_, fmt::format("lists and calls nested deeper than {} levels (a genotype nests 3)",
                             kMaxNestingDepth));
    }
    ++depth_;
  }
  void leave() { --depth_; }

  Value parse_value() {
    skip_space();
    Value v;
    v.offset = pos_;
    if (pos_ >= text_.size()) fail(pos_, "expected a value, found the end of the text");
    const char c = text_[pos_];
    if (c == '[' || c == '(') {
      const char close = c == '[' ? ']' : ')';
      enter();
      ++pos_;
      v.kind = Value::Kind::kList;
      if (!peek(close)) {
        while (true) {
          v.items.push_back(parse_value());
          if (peek(',')) {
            ++pos_;
            if (peek(close)) break;  // trailing comma
            continue;
          }
          break;
        }
      }
      expect(close, fmt::format("to close the list opened at character {}", v.offset).c_str());
      leave();
      return v;
    }
    if (c == '\'' || c == '"') {
      ++pos_;
      const size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != c) ++pos_;
      if (pos_ >= text_.size()) fail(v.offset, "unterminated string");
      v.kind = Value::Kind::kString;
      v.text = text_.substr(start, pos_ - start);
      ++pos_;
      return v;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      const bool negative = c == '-';
      if (negative) ++pos_;
      const size_t start = pos_;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
      const size_t digits = pos_ - start;
      if (digits == 0) fail(v.offset, "expected digits after '-'");
      if (digits > 9)
        fail(v.offset, fmt::format("number '{}' is too large", text_.substr(start, digits)));
      v.kind = Value::Kind::kInt;
      v.number = std::stoll(text_.substr(start, digits)) * (negative ? -1 : 1);
      return v;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      v.kind = Value::Kind::kCall;
      v.text = identifier();
      expect('(', fmt::format("after '{}'", v.text).c_str());
      enter();
      if (!peek(')')) {
        while (true) {
          skip_space();
          const size_t arg_start = pos_;
          // A keyword argument is `name = value`.
          std::string key;
          if (pos_ < text_.size() &&
              (std::isalpha(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
            const size_t save = pos_;
            key = identifier();
            if (!peek('=')) {
              pos_ = save;
              key.clear();
            } else {
              ++pos_;
            }
          }
          Value arg = parse_value();
          if (key.empty()) {
            if (!v.kwarg_names.empty()) {
              fail(arg_start, "positional argument after keyword arguments");
            }
            v.items.push_back(std::move(arg));
          } else {
            v.kwarg_names.push_back(key);
            v.kwarg_values.push_back(std::move(arg));
            v.kwarg_offsets.push_back(arg_start);
          }
          if (peek(',')) {
            ++pos_;
            if (peek(')')) break;
            continue;
          }
          break;
        }
      }
      expect(')', fmt::format("to close '{}(' opened at character {}", v.text, v.offset).c_str());
      leave();
      return v;
    }
    fail(pos_, fmt::format("unexpected {}", describe(pos_)));
  }

  const std::string& text_;
  size_t pos_ = 0;
  int depth_ = 0;  // lists and calls open at pos_
};

const char* kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kInt:
      return "a number";
    case Value::Kind::kString:
      return "a string";
    case Value::Kind::kList:
      return "a list";
    case Value::Kind::kCall:
      return "a call";
  }
  return "a value";
}

int32_t expect_int(const Parser& parser, const Value& v, const std::string& what) {
  if (v.kind != Value::Kind::kInt) {
    parser.fail(v.offset, fmt::format("{} must be a number, found {}", what, kind_name(v.kind)));
  }
  return static_cast<int32_t>(v.number);
}

// One cell of a Genotype: a list of 8 ('op', input) pairs.
DartsSpace::CellGenes genotype_cell(const Parser& parser, const Value& v, int cell) {
  const std::string where = fmt::format("the {} cell", cell_name(cell));
  if (v.kind != Value::Kind::kList) {
    parser.fail(v.offset, fmt::format("{} must be a list of ('op', input) pairs, found {}", where,
                                      kind_name(v.kind)));
  }
  if (v.items.size() != static_cast<size_t>(kPairs)) {
    parser.fail(v.offset, fmt::format("{} has {} ('op', input) pair(s), expected {} (two for each "
                                      "of the nodes 2..5)",
                                      where, v.items.size(), kPairs));
  }
  DartsSpace::CellGenes genes{};
  for (int p = 0; p < kPairs; ++p) {
    const Value& pair = v.items[p];
    if (pair.kind != Value::Kind::kList || pair.items.size() != 2 ||
        pair.items[0].kind != Value::Kind::kString) {
      parser.fail(pair.offset, fmt::format("pair {} of {} must be ('op', input)", p, where));
    }
    const std::string& op = pair.items[0].text;
    const auto& names = DartsSpace::op_names();
    int32_t id = -1;
    for (int i = 0; i < kNumOps; ++i) {
      if (names[i] == op) id = i;
    }
    if (id < 0) {
      const std::string hint =
          op == "none" ? " ('none' is only a candidate of the supernet, not a cell op)" : "";
      parser.fail(pair.items[0].offset,
                  fmt::format("{}{}", unknown_choice_message("op", op, names), hint));
    }
    genes[p].op = id;
    genes[p].input = expect_int(parser, pair.items[1], fmt::format("the input of pair {}", p));
  }
  return genes;
}

// One cell of the compact form: a list of 8 (input, op id) pairs.
DartsSpace::CellGenes compact_cell(const Parser& parser, const Value& v, int cell) {
  const std::string where = fmt::format("the {} cell", cell_name(cell));
  if (v.kind != Value::Kind::kList || v.items.size() != static_cast<size_t>(kPairs)) {
    parser.fail(v.offset, fmt::format("{} must be a list of {} (input, op id) pairs, found {}{}",
                                      where, kPairs, kind_name(v.kind),
                                      v.kind == Value::Kind::kList
                                          ? fmt::format(" of {} item(s)", v.items.size())
                                          : std::string()));
  }
  DartsSpace::CellGenes genes{};
  for (int p = 0; p < kPairs; ++p) {
    const Value& pair = v.items[p];
    if (pair.kind != Value::Kind::kList || pair.items.size() != 2) {
      parser.fail(pair.offset, fmt::format("pair {} of {} must be (input, op id)", p, where));
    }
    genes[p].input = expect_int(parser, pair.items[0], fmt::format("the input of pair {}", p));
    genes[p].op = expect_int(parser, pair.items[1], fmt::format("the op id of pair {}", p));
  }
  return genes;
}

void check_concat(const Parser& parser, const Value& v, const char* key) {
  std::vector<int64_t> got;
  if (v.kind == Value::Kind::kCall && v.text == "range" && v.kwarg_names.empty() &&
      (v.items.size() == 1 || v.items.size() == 2)) {
    const int32_t lo = v.items.size() == 2 ? expect_int(parser, v.items[0], key) : 0;
    const int32_t hi = expect_int(parser, v.items.back(), key);
    for (int64_t i = lo; i < hi && got.size() < 64; ++i) got.push_back(i);
  } else if (v.kind == Value::Kind::kList) {
    for (const auto& item : v.items) got.push_back(expect_int(parser, item, key));
  } else {
    parser.fail(v.offset,
                fmt::format("{} must be a list of node indices, found {}", key, kind_name(v.kind)));
  }
  if (got != kConcat) {
    std::vector<std::string> parts;
    for (int64_t i : got) parts.push_back(std::to_string(i));
    parser.fail(v.offset, fmt::format("{} must be [2, 3, 4, 5] (every cell of the space "
                                      "concatenates its four intermediate nodes), got [{}]",
                                      key, join(parts)));
  }
}

Architecture from_checked_cells(const Parser& parser, const DartsSpace::CellGenes& normal,
                                const DartsSpace::CellGenes& reduce, size_t offset) {
  try {
    return DartsSpace::from_genes(normal, reduce);
  } catch (const ConfigError& e) {
    parser.fail(offset, e.what());
  }
}

}  // namespace

// ---------------------------------------------------------------- options

DartsNetworkOptions DartsNetworkOptions::from_config(ConfigNode& cfg) {
  DartsNetworkOptions o;
  o.channels(cfg.get<int64_t>("channels", o.channels()));
  o.layers(cfg.get<int64_t>("layers", o.layers()));
  o.auxiliary(cfg.get<bool>("auxiliary", o.auxiliary()));
  o.drop_path_prob(cfg.get<double>("drop_path_prob", o.drop_path_prob()));
  o.search_cell_ops(cfg.get<bool>("search_cell_ops", o.search_cell_ops()));
  o.validate();
  return o;
}

void DartsNetworkOptions::validate() const {
  NASCPP_CHECK_CONFIG(channels_ >= 2 && channels_ % 2 == 0,
                      "darts channels must be an even number >= 2 (factorized reduce halves it), "
                      "got {}",
                      channels_);
  NASCPP_CHECK_CONFIG(layers_ >= 3,
                      "darts layers must be at least 3 (two of them are reduction cells), got {}",
                      layers_);
  NASCPP_CHECK_CONFIG(drop_path_prob_ >= 0.0 && drop_path_prob_ < 1.0,
                      "darts drop_path_prob must be in [0, 1), got {}", drop_path_prob_);
}

DartsSupernetOptions DartsSupernetOptions::from_config(ConfigNode& cfg) {
  DartsSupernetOptions o;
  o.channels(cfg.get<int64_t>("channels", o.channels()));
  o.layers(cfg.get<int64_t>("layers", o.layers()));
  o.stem_multiplier(cfg.get<int64_t>("stem_multiplier", o.stem_multiplier()));
  o.validate();
  return o;
}

void DartsSupernetOptions::validate() const {
  NASCPP_CHECK_CONFIG(channels_ >= 2 && channels_ % 2 == 0,
                      "darts supernet channels must be an even number >= 2, got {}", channels_);
  NASCPP_CHECK_CONFIG(layers_ >= 3,
                      "darts supernet layers must be at least 3 (two of them are reduction "
                      "cells), got {}",
                      layers_);
  NASCPP_CHECK_CONFIG(stem_multiplier_ >= 1,
                      "darts supernet stem_multiplier must be at least 1, got {}",
                      stem_multiplier_);
}

// ------------------------------------------------------------------ space

const std::vector<std::string>& DartsSpace::op_names() {
  static const std::vector<std::string> names = {"max_pool_3x3", "avg_pool_3x3", "skip_connect",
                                                 "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3",
                                                 "dil_conv_5x5"};
  return names;
}

const std::vector<std::string>& DartsSpace::primitives() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out = {"none"};
    out.insert(out.end(), op_names().begin(), op_names().end());
    return out;
  }();
  return names;
}

std::shared_ptr<const DartsSpace> DartsSpace::from_config(ConfigNode& config) {
  auto network = DartsNetworkOptions::from_config(config);
  auto section = config.section("supernet");
  auto supernet = DartsSupernetOptions::from_config(section);
  return std::make_shared<const DartsSpace>(network, supernet);
}

DartsSpace::CellGenes DartsSpace::genes_of(const Architecture& arch, CellType type) {
  NASCPP_CHECK_CONFIG(arch.space() == kName,
                      "architecture of search space '{}' given to the '{}' space", arch.space(),
                      kName);
  NASCPP_CHECK_CONFIG(arch.encoding().size() == static_cast<size_t>(kEncodingSize),
                      "a DARTS architecture has {} integers (2 cells x 8 (input, op) pairs), "
                      "got {}",
                      kEncodingSize, arch.encoding().size());
  const int cell = static_cast<int>(type);
  CellGenes genes = cell_from(arch.encoding(), cell);
  check_cell(genes, fmt::format("the {} cell", cell_name(cell)));
  return genes;
}

Architecture DartsSpace::from_genes(const CellGenes& normal, const CellGenes& reduce) {
  check_cell(normal, "the normal cell");
  check_cell(reduce, "the reduce cell");
  std::vector<int32_t> enc;
  enc.reserve(kEncodingSize);
  for (const auto* cell : {&normal, &reduce}) {
    for (const auto& g : *cell) {
      enc.push_back(g.input);
      enc.push_back(g.op);
    }
  }
  return Architecture(kName, std::move(enc));
}

void DartsSpace::validate(const Architecture& arch) const {
  genes_of(arch, CellType::kNormal);
  genes_of(arch, CellType::kReduce);
}

std::string DartsSpace::format_compact(const Architecture& arch) {
  std::string out = "[";
  for (int cell = 0; cell < 2; ++cell) {
    const CellGenes genes = genes_of(arch, static_cast<CellType>(cell));
    if (cell > 0) out += ", ";
    out += '[';
    for (int p = 0; p < kPairs; ++p) {
      if (p > 0) out += ", ";
      out += fmt::format("({}, {})", genes[p].input, genes[p].op);
    }
    out += ']';
  }
  return out + "]";
}

std::string DartsSpace::format(const Architecture& arch) const {
  std::string out = "Genotype(";
  for (int cell = 0; cell < 2; ++cell) {
    const CellGenes genes = genes_of(arch, static_cast<CellType>(cell));
    if (cell > 0) out += ", ";
    out += cell_name(cell);
    out += "=[";
    for (int p = 0; p < kPairs; ++p) {
      if (p > 0) out += ", ";
      out += fmt::format("('{}', {})", op_names()[genes[p].op], genes[p].input);
    }
    out += "], ";
    out += cell_name(cell);
    out += "_concat=[2, 3, 4, 5]";
  }
  return out + ")";
}

Architecture DartsSpace::parse(const std::string& text) const {
  Parser parser(text);
  const Value top = parser.parse_all();
  if (top.kind == Value::Kind::kList) {
    if (top.items.size() != 2) {
      parser.fail(top.offset, fmt::format("the compact form has 2 cells (normal, reduce), got {}",
                                          top.items.size()));
    }
    const CellGenes normal = compact_cell(parser, top.items[0], 0);
    const CellGenes reduce = compact_cell(parser, top.items[1], 1);
    return from_checked_cells(parser, normal, reduce, top.offset);
  }
  if (top.kind != Value::Kind::kCall || top.text != "Genotype") {
    parser.fail(top.offset,
                fmt::format("found {}{}", kind_name(top.kind),
                            top.kind == Value::Kind::kCall ? fmt::format(" of '{}'", top.text)
                                                           : std::string()));
  }
  // The namedtuple's fields, positional or by keyword.
  static const std::vector<std::string> fields = {"normal", "normal_concat", "reduce",
                                                  "reduce_concat"};
  std::vector<const Value*> values(fields.size(), nullptr);
  if (top.items.size() > fields.size()) {
    parser.fail(top.items[fields.size()].offset,
                fmt::format("Genotype takes {} fields ({}), got {} positional arguments",
                            fields.size(), join(fields), top.items.size()));
  }
  for (size_t i = 0; i < top.items.size(); ++i) values[i] = &top.items[i];
  for (size_t k = 0; k < top.kwarg_names.size(); ++k) {
    const std::string& key = top.kwarg_names[k];
    const Value& value = top.kwarg_values[k];
    size_t field = fields.size();
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] == key) field = i;
    }
    if (field == fields.size()) {
      parser.fail(top.kwarg_offsets[k], unknown_choice_message("Genotype field", key, fields));
    }
    if (values[field] != nullptr) {
      parser.fail(top.kwarg_offsets[k], fmt::format("Genotype field '{}' is given twice", key));
    }
    values[field] = &value;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (values[i] == nullptr) {
      parser.fail(top.offset, fmt::format("Genotype field '{}' is missing", fields[i]));
    }
  }
  const CellGenes normal = genotype_cell(parser, *values[0], 0);
  check_concat(parser, *values[1], "normal_concat");
  const CellGenes reduce = genotype_cell(parser, *values[2], 1);
  check_concat(parser, *values[3], "reduce_concat");
  return from_checked_cells(parser, normal, reduce, top.offset);
}

Architecture DartsSpace::sample(Rng& rng) const {
  CellGenes cells[2]{};
  for (int node = 0; node < kNumNodes; ++node) {
    const int inputs = node + 2;
    for (auto& genes : cells) {
      // Two distinct inputs, uniformly without replacement, in draw order.
      const auto first = static_cast<int32_t>(rng.index(static_cast<size_t>(inputs)));
      auto second = static_cast<int32_t>(rng.index(static_cast<size_t>(inputs - 1)));
      if (second >= first) ++second;
      genes[2 * node] = {first, static_cast<int32_t>(rng.index(kNumOps))};
      genes[2 * node + 1] = {second, static_cast<int32_t>(rng.index(kNumOps))};
    }
  }
  return from_genes(cells[0], cells[1]);
}

Architecture DartsSpace::mutate(const Architecture& arch, Rng& rng) const {
  CellGenes cells[2] = {genes_of(arch, CellType::kNormal), genes_of(arch, CellType::kReduce)};
  auto& genes = cells[rng.index(2)];
  const int pair = static_cast<int>(rng.index(kPairs));
  Gene& gene = genes[pair];
  const int32_t sibling = genes[pair ^ 1].input;
  // Inputs the pair may move to: not its own, not its sibling's.
  std::vector<int32_t> inputs;
  for (int32_t j = 0; j < node_of(pair); ++j) {
    if (j != gene.input && j != sibling) inputs.push_back(j);
  }
  const bool change_input = rng.index(2) == 1 && !inputs.empty();
  if (change_input) {
    gene.input = rng.choice(inputs);
  } else {
    auto op = static_cast<int32_t>(rng.index(kNumOps - 1));
    if (op >= gene.op) ++op;
    gene.op = op;
  }
  return from_genes(cells[0], cells[1]);
}

std::vector<Architecture> DartsSpace::neighbours(const Architecture& arch) const {
  const CellGenes cells[2] = {genes_of(arch, CellType::kNormal), genes_of(arch, CellType::kReduce)};
  std::vector<Architecture> out;
  out.reserve(120);
  for (int cell = 0; cell < 2; ++cell) {
    for (int p = 0; p < kPairs; ++p) {
      const Gene gene = cells[cell][p];
      for (int32_t op = 0; op < kNumOps; ++op) {
        if (op == gene.op) continue;
        CellGenes changed[2] = {cells[0], cells[1]};
        changed[cell][p].op = op;
        out.push_back(from_genes(changed[0], changed[1]));
      }
      const int32_t sibling = cells[cell][p ^ 1].input;
      for (int32_t j = 0; j < node_of(p); ++j) {
        if (j == gene.input || j == sibling) continue;
        CellGenes changed[2] = {cells[0], cells[1]};
        changed[cell][p].input = j;
        out.push_back(from_genes(changed[0], changed[1]));
      }
    }
  }
  return out;
}

std::vector<std::string> DartsSpace::encodings() const { return {"adjacency", "compact", "path"}; }

std::vector<float> DartsSpace::encode(const Architecture& arch, const std::string& encoding) const {
  const CellGenes cells[2] = {genes_of(arch, CellType::kNormal), genes_of(arch, CellType::kReduce)};
  std::vector<float> out;
  if (encoding == "compact") {
    for (int32_t v : arch.encoding()) out.push_back(static_cast<float>(v));
    return out;
  }
  if (encoding == "adjacency") {
    // NASLib encode_adj: per cell the 7x7 adjacency (inputs 0, 1, nodes 2-5,
    // output 6), row-major, then the 8 op ids.
    constexpr int kVertices = kNumNodes + 3;
    for (const auto& genes : cells) {
      std::vector<float> matrix(kVertices * kVertices, 0.0f);
      for (int p = 0; p < kPairs; ++p) matrix[genes[p].input * kVertices + node_of(p)] = 1.0f;
      for (int node = 2; node < 2 + kNumNodes; ++node) {
        matrix[node * kVertices + kVertices - 1] = 1.0f;
      }
      out.insert(out.end(), matrix.begin(), matrix.end());
      for (const auto& g : genes) out.push_back(static_cast<float>(g.op));
    }
    return out;
  }
  if (encoding == "path") {
    // NASLib encode_paths: every input-to-node path is an op sequence from
    // input 0 or 1; per cell and input there are sum_{l=0..4} 7^l = 2801
    // slots, a sequence (o_1, ..., o_l) at slot sum_j 7^(j-1) * (o_j + 1).
    int64_t max_paths = 0;
    for (int64_t l = 0, power = 1; l <= kNumNodes; ++l, power *= kNumOps) max_paths += power;
    out.assign(static_cast<size_t>(4 * max_paths), 0.0f);
    struct Path {
      int32_t origin;
      int64_t index;   // slot within the origin's block
      int64_t weight;  // 7^length
    };
    for (int cell = 0; cell < 2; ++cell) {
      std::vector<std::vector<Path>> at_node(kNumNodes);
      for (int p = 0; p < kPairs; ++p) {
        const Gene g = cells[cell][p];
        std::vector<Path> extended;
        if (g.input < 2) {
          extended.push_back({g.input, g.op + 1, kNumOps});
        } else {
          for (const Path& path : at_node[static_cast<size_t>(g.input - 2)]) {
            extended.push_back(
                {path.origin, path.index + path.weight * (g.op + 1), path.weight * kNumOps});
          }
        }
        for (const Path& path : extended) {
          const int64_t base = (2 * cell + path.origin) * max_paths;
          out[static_cast<size_t>(base + path.index)] = 1.0f;
        }
        auto& node_paths = at_node[static_cast<size_t>(p / 2)];
        node_paths.insert(node_paths.end(), extended.begin(), extended.end());
      }
    }
    return out;
  }
  throw ConfigError(unknown_choice_message("DARTS encoding", encoding, encodings()));
}

}  // namespace nascpp

#include "nascpp/core/config.h"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "nascpp/core/io.h"

namespace nascpp {

struct ConfigNode::State {
  YAML::Node node;
  std::string path;
  std::vector<std::string> used;  // in the order read, for a readable resolved file
  YAML::Node resolved = YAML::Node(YAML::NodeType::Map);
  std::map<std::string, std::shared_ptr<State>> children;
};

ConfigNode::ConfigNode() : ConfigNode(YAML::Node(YAML::NodeType::Map), "") {}

ConfigNode::ConfigNode(YAML::Node node, std::string path) : state_(std::make_shared<State>()) {
  if (!node || node.IsNull()) node = YAML::Node(YAML::NodeType::Map);
  NASCPP_CHECK_CONFIG(node.IsMap(), "config section '{}' must be a mapping of key: value",
                      path.empty() ? "<root>" : path);
  state_->node = node;
  state_->path = std::move(path);
}

ConfigNode::ConfigNode(std::shared_ptr<State> state) : state_(std::move(state)) {}

ConfigNode ConfigNode::load_file(const std::string& path) {
  NASCPP_CHECK_CONFIG(std::filesystem::is_regular_file(path), "config file '{}' does not exist",
                      path);
  std::ifstream in(path);
  NASCPP_CHECK_CONFIG(in.good(), "cannot read config file '{}'", path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(text, path);
}

namespace {

std::string deep_yaml_message(const std::string& origin, const YAML::DeepRecursion& e) {
  return fmt::format(
      "{}: the YAML nests deeper than the parser's recursion limit ({}) before line {}, column "
      "{}; configurations nest a few levels, so look for runaway '[' or '{{'",
      origin, e.depth(), e.mark.line + 1, e.mark.column + 1);
}

// yaml-cpp keeps every pair of a mapping, a repeated key included (and
// lookups then see only one of them): walk the tree and reject repeats, and
// keys that are not plain scalars (they could never be read). Aliases can make
// the tree a graph, even a cyclic one: each node is walked once.
class KeyChecker {
 public:
  explicit KeyChecker(std::string origin) : origin_(std::move(origin)) {}

  void check(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap() && !node.IsSequence()) return;
    if (!first_visit(node)) return;
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) {
        check(node[i], fmt::format("{}[{}]", path, i));
      }
      return;
    }
    std::map<std::string, int> lines;  // key -> line of its first occurrence
    for (const auto& kv : node) {
      const int line = kv.first.Mark().line + 1;
      NASCPP_CHECK_CONFIG(kv.first.IsScalar(), "{}: line {}: a key {}must be a plain name", origin_,
                          line, path.empty() ? "" : "in '" + path + "' ");
      const std::string& key = kv.first.Scalar();
      const std::string qualified = path.empty() ? key : path + "." + key;
      const auto [first, inserted] = lines.emplace(key, line);
      NASCPP_CHECK_CONFIG(inserted,
                          "{}: line {}: duplicate key '{}' (first given at line {}); each key "
                          "may appear once in its section",
                          origin_, line, qualified, first->second);
      check(kv.second, qualified);
    }
  }

 private:
  bool first_visit(const YAML::Node& node) {
    auto& same_place = seen_[node.Mark().pos];
    for (const auto& other : same_place) {
      if (other.is(node)) return false;
    }
    same_place.push_back(node);
    return true;
  }

  std::string origin_;
  std::map<int, std::vector<YAML::Node>> seen_;  // by position in the text
};

// The one YAML document of `text` (a null node for an empty text); more than
// one document, a repeated key or a non-scalar key is a ConfigError naming
// `origin`.
YAML::Node load_one_document(const std::string& text, const std::string& origin) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own bound on its recursive parser; its message is only "bad file".
    throw ConfigError(deep_yaml_message(origin, e));
  } catch (const YAML::Exception& e) {
    throw ConfigError(fmt::format("{}: invalid YAML at line {}, column {}: {}", origin,
                                  e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (documents.size() > 1) {
    const YAML::Mark mark = documents[1].Mark();
    throw ConfigError(fmt::format(
        "{}: holds {} YAML documents (separated by '---'){}; a configuration is one document",
        origin, documents.size(),
        mark.is_null() ? std::string() : fmt::format(", the second at line {}", mark.line + 1)));
  }
  if (documents.empty()) return YAML::Node();
  KeyChecker(origin).check(documents[0], "");
  return documents[0];
}

}  // namespace

ConfigNode ConfigNode::parse(const std::string& text, const std::string& origin) {
  const YAML::Node node = load_one_document(text, origin);
  NASCPP_CHECK_CONFIG(!node || node.IsNull() || node.IsMap(),
                      "{}: the top level must be a mapping of key: value", origin);
  return ConfigNode(node, "");
}

bool ConfigNode::has(const std::string& key) const { return static_cast<bool>(state_->node[key]); }

YAML::Node ConfigNode::lookup(const std::string& key) const { return state_->node[key]; }

std::string ConfigNode::qualified(const std::string& key) const {
  return state_->path.empty() ? key : state_->path + "." + key;
}

void ConfigNode::record(const std::string& key, const YAML::Node& value) {
  mark_used(key);
  state_->resolved[key] = YAML::Clone(value);
}

void ConfigNode::mark_used(const std::string& key) {
  auto& used = state_->used;
  if (std::find(used.begin(), used.end(), key) == used.end()) used.push_back(key);
}

void ConfigNode::conversion_error(const std::string& key, const char* expected) const {
  const YAML::Node node = lookup(key);
  std::string got = node.IsScalar()     ? "'" + node.Scalar() + "'"
                    : node.IsSequence() ? std::string("a list")
                    : node.IsMap()      ? std::string("a mapping")
                                        : std::string("nothing");
  throw ConfigError(
      fmt::format("config key '{}': expected {}, got {}", qualified(key), expected, got));
}

std::string ConfigNode::get_choice(const std::string& key, const std::string& default_value,
                                   const std::vector<std::string>& choices) {
  const std::string value = get<std::string>(key, default_value);
  if (std::find(choices.begin(), choices.end(), value) == choices.end()) {
    throw ConfigError(fmt::format("config key '{}': {}", qualified(key),
                                  unknown_choice_message("value", value, choices)));
  }
  return value;
}

ConfigNode ConfigNode::section(const std::string& key) {
  auto it = state_->children.find(key);
  if (it != state_->children.end()) return ConfigNode(it->second);
  mark_used(key);
  ConfigNode child(has(key) ? lookup(key) : YAML::Node(), qualified(key));
  state_->children[key] = child.state_;
  return child;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  for (const auto& kv : state_->node) out.push_back(kv.first.as<std::string>());
  return out;
}

void ConfigNode::finish() const {
  for (const auto& key : keys()) {
    const auto& used = state_->used;
    if (std::find(used.begin(), used.end(), key) != used.end()) continue;
    std::vector<std::string> known = used;
    const std::string suggestion = did_you_mean(key, known);
    std::string message = fmt::format("unknown config key '{}'", qualified(key));
    if (!suggestion.empty()) message += fmt::format("; did you mean '{}'?", suggestion);
    std::sort(known.begin(), known.end());
    message += known.empty() ? fmt::format("; section '{}' takes no keys",
                                           state_->path.empty() ? "<root>" : state_->path)
                             : "; known: " + join(known);
    throw ConfigError(message);
  }
  for (const auto& kv : state_->children) ConfigNode(kv.second).finish();
}

YAML::Node ConfigNode::resolved() const {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& key : state_->used) {
    auto child = state_->children.find(key);
    if (child != state_->children.end()) {
      out[key] = ConfigNode(child->second).resolved();
    } else if (state_->resolved[key]) {
      out[key] = state_->resolved[key];
    } else if (has(key)) {
      out[key] = YAML::Clone(lookup(key));
    }
  }
  return out;
}

void ConfigNode::write_resolved(const std::string& path) const {
  YAML::Emitter emitter;
  emitter << resolved();
  write_file_atomic(path, std::string(emitter.c_str()) + "\n");
}

void ConfigNode::apply_override(const std::string& assignment) {
  const auto eq = assignment.find('=');
  NASCPP_CHECK_CONFIG(eq != std::string::npos && eq > 0,
                      "override '{}' must have the form key=value (e.g. optimizer.epochs=5)",
                      assignment);
  const std::string dotted = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  // The value is YAML: a scalar, or a list or mapping in flow style, held to
  // the rules of a configuration file (one document, no repeated keys).
  // Messages show a long value's start only (a runaway value can be huge).
  const std::string shown =
      assignment.size() <= 80 ? assignment : assignment.substr(0, 60) + "...";
  YAML::Node value = load_one_document(text, fmt::format("override '{}'", shown));
  if (!value || value.IsNull()) value = YAML::Node(text);
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const auto dot = dotted.find('.', start);
    parts.push_back(dotted.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  YAML::Node node = state_->node;
  for (size_t i = 0; i < parts.size(); ++i) {
    NASCPP_CHECK_CONFIG(!parts[i].empty(), "override '{}' has an empty key part", assignment);
    if (i + 1 == parts.size()) {
      node[parts[i]] = value;
    } else {
      YAML::Node next = node[parts[i]];
      if (!next || next.IsNull()) {
        node[parts[i]] = YAML::Node(YAML::NodeType::Map);
        next = node[parts[i]];
      }
      NASCPP_CHECK_CONFIG(next.IsMap(), "override '{}': '{}' is not a section", assignment,
                          parts[i]);
      node.reset(next);
    }
  }
}

const std::string& ConfigNode::path() const { return state_->path; }

YAML::Node ConfigNode::raw() const { return state_->node; }

}  // namespace nascpp

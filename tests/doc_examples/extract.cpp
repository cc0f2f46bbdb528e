// Extracts every code example of the headers and docs into one C++ file that
// the test binary compiles and links, so an example that no longer compiles
// fails the build (issue 17: "every code example in headers and docs must
// compile").
//
//   nascpp_doc_examples_extract SOURCE_DIR CONTEXTS OUT FILE...
//
// Examples are the ```cpp blocks of Markdown files and, in headers, the runs
// of doc-comment lines indented by four spaces (`///     code`). Each is
// named FILE#N (N counts the file's examples from 1). CONTEXTS (YAML) gives,
// per name, what an example takes for granted: `body` (declarations put
// before it: the variables it uses), `params` (the same as parameters of the
// example's function: references to abstract types), `scope` (namespace-scope
// code before it: a class it uses), or `text: why` for a block that is not C++ (a YAML
// snippet, a formula, a directory listing). A context that names no example
// is an error, so the file cannot drift from the docs.
//
// In the generated file each example gets its own namespace: its #include
// lines go to the top of the file, its class and struct definitions (a line
// at column 0 starting `class`, `struct`, `template`, `enum` or
// `TORCH_MODULE`) to the namespace, everything else into a function. #line
// directives make compiler errors point at the doc's own file and line.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Example {
  std::string name;    // "docs/one-shot.md#1"
  std::string file;    // relative to the source dir
  int first_line = 0;  // 1-based line of the example's first code line
  std::vector<std::string> lines;
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<Example> markdown_examples(const std::string& rel,
                                       const std::vector<std::string>& lines) {
  std::vector<Example> out;
  const std::regex open(R"(^\s*```(cpp|c\+\+)\s*$)");
  const std::regex close(R"(^\s*```\s*$)");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!std::regex_match(lines[i], open)) continue;
    Example e;
    e.file = rel;
    e.name = rel + "#" + std::to_string(out.size() + 1);
    e.first_line = static_cast<int>(i) + 2;
    size_t j = i + 1;
    for (; j < lines.size() && !std::regex_match(lines[j], close); ++j) e.lines.push_back(lines[j]);
    if (j == lines.size())
      throw std::runtime_error(rel + ":" + std::to_string(i + 1) + ": unclosed ```cpp block");
    out.push_back(std::move(e));
    i = j;
  }
  return out;
}

std::vector<Example> header_examples(const std::string& rel,
                                     const std::vector<std::string>& lines) {
  std::vector<Example> out;
  const std::regex code(R"(^\s*///     (.*)$)");
  std::smatch m;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!std::regex_match(lines[i], m, code)) continue;
    Example e;
    e.file = rel;
    e.name = rel + "#" + std::to_string(out.size() + 1);
    e.first_line = static_cast<int>(i) + 1;
    for (; i < lines.size() && std::regex_match(lines[i], m, code); ++i) e.lines.push_back(m[1]);
    out.push_back(std::move(e));
  }
  return out;
}

int brace_balance(const std::string& line) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '/' && i + 1 < line.size() && line[i + 1] == '/') {
      break;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      --depth;
    }
  }
  return depth;
}

std::string line_directive(int line, const std::string& file) {
  return "#line " + std::to_string(line) + " \"" + file + "\"\n";
}

// One example as a namespace with its declarations and one function.
std::string generate(const Example& e, size_t index, const YAML::Node& context,
                     std::vector<std::string>& includes) {
  const std::regex include(R"(^\s*#\s*include\s+.*$)");
  const std::regex declaration(R"(^(class|struct|template|enum|TORCH_MODULE)\b.*)");
  std::string scope, body;
  int depth = 0;
  bool in_declaration = false;
  int chunk_kind = -1;  // 0 scope, 1 body: where the last line went
  for (size_t k = 0; k < e.lines.size(); ++k) {
    const std::string& line = e.lines[k];
    const int number = e.first_line + static_cast<int>(k);
    if (std::regex_match(line, include)) {
      includes.push_back(line_directive(number, e.file) + line + "\n");
      chunk_kind = -1;
      continue;
    }
    if (!in_declaration && std::regex_match(line, declaration)) {
      in_declaration = true;
      depth = 0;
    }
    const int kind = in_declaration ? 0 : 1;
    std::string& target = kind == 0 ? scope : body;
    if (kind != chunk_kind) target += line_directive(number, e.file);
    chunk_kind = kind;
    target += line + "\n";
    if (in_declaration) {
      depth += brace_balance(line);
      std::string trimmed = line;
      while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t'))
        trimmed.pop_back();
      if (depth <= 0 && ends_with(trimmed, ";")) in_declaration = false;
    }
  }
  std::ostringstream out;
  out << "// " << e.name << " (" << e.file << ":" << e.first_line << ")\n";
  out << "namespace nascpp_doc_examples::example_" << index << " {\n";
  if (context && context["scope"]) out << context["scope"].as<std::string>() << "\n";
  out << scope;
  out << "void run(" << (context && context["params"] ? context["params"].as<std::string>() : "")
      << ") {\n";
  if (context && context["body"]) out << context["body"].as<std::string>() << "\n";
  out << body;
  out << "}\n}  // namespace nascpp_doc_examples::example_" << index << "\n\n";
  return out.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: nascpp_doc_examples_extract SOURCE_DIR CONTEXTS OUT FILE...\n";
    return 2;
  }
  try {
    const std::string source_dir = argv[1];
    const YAML::Node contexts = YAML::LoadFile(argv[2]);
    if (contexts && !contexts.IsMap())
      throw std::runtime_error(std::string(argv[2]) + ": not a map");
    std::vector<Example> examples;
    std::vector<std::string> headers;
    for (int i = 4; i < argc; ++i) {
      std::string path = argv[i];
      std::string rel =
          path.rfind(source_dir + "/", 0) == 0 ? path.substr(source_dir.size() + 1) : path;
      if (ends_with(rel, ".h"))
        headers.push_back(rel.rfind("include/", 0) == 0 ? rel.substr(8) : rel);
      const auto lines = read_lines(path);
      auto found =
          ends_with(path, ".md") ? markdown_examples(rel, lines) : header_examples(rel, lines);
      examples.insert(examples.end(), found.begin(), found.end());
    }
    std::map<std::string, bool> used;
    for (const auto& kv : contexts) used[kv.first.as<std::string>()] = false;
    std::vector<std::string> includes;
    std::string bodies;
    size_t compiled = 0, text = 0;
    for (size_t i = 0; i < examples.size(); ++i) {
      const Example& e = examples[i];
      YAML::Node context;
      if (used.count(e.name)) {
        used[e.name] = true;
        context = contexts[e.name];
        if (!context.IsMap())
          throw std::runtime_error(std::string(argv[2]) + ": " + e.name + " is not a map");
        for (const auto& kv : context) {
          const auto key = kv.first.as<std::string>();
          if (key != "body" && key != "params" && key != "scope" && key != "text") {
            throw std::runtime_error(std::string(argv[2]) + ": " + e.name + ": unknown key '" +
                                     key + "' (valid: body, params, scope, text)");
          }
        }
        if (context["text"]) {
          ++text;
          continue;
        }
      }
      bodies += generate(e, i, context, includes);
      ++compiled;
    }
    for (const auto& [name, was_used] : used) {
      if (!was_used) {
        throw std::runtime_error(std::string(argv[2]) + ": '" + name +
                                 "' names no example (examples are FILE#N, N counting the file's "
                                 "```cpp blocks or `///     ` runs from 1)");
      }
    }
    std::ostringstream out;
    out << "// Generated by tests/doc_examples/extract.cpp from the code examples of the\n"
           "// headers and docs: "
        << compiled << " compiled, " << text
        << " marked as text. Do not edit.\n"
           "#include \"doc_examples/prelude.h\"\n";
    // Every header given, so each example sees the whole public API.
    for (const auto& header : headers) out << "#include \"" << header << "\"\n";
    for (const auto& inc : includes) out << inc;
    out << "#line 1 \"doc_examples.cpp\"\n\n" << bodies;
    std::ofstream file(argv[3]);
    file << out.str();
    if (!file) throw std::runtime_error(std::string("cannot write ") + argv[3]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nascpp_doc_examples_extract: " << e.what() << "\n";
    return 1;
  }
}

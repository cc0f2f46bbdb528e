// The fuzz targets (fuzz_targets.h).
#include "fuzz/fuzz_targets.h"

#include <yaml-cpp/yaml.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "benchmarks/nasbench101/nasbench101_benchmark.h"
#include "benchmarks/nasbench101/tfrecord.h"
#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/csv.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/random.h"
#include "nascpp/experiment.h"
#include "nascpp/graph/search_space.h"
#include "search_spaces/darts/darts.h"
#include "search_spaces/nasbench101/nasbench101.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/nb101_records.h"

namespace nascpp::fuzz {

namespace {

namespace fs = std::filesystem;

void check(bool ok, const std::string& what) {
  if (!ok) throw FuzzFailure(what);
}

// Runs `body`; a nascpp::Error is the expected answer to bad input.
template <class F>
void expecting_errors(F&& body) {
  try {
    body();
  } catch (const Error&) {
  }
}

// The first `lines` lines of a file (seeds from the real tables, never
// committed: they are built from the data directory at run time).
std::string head(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  std::string out, line;
  for (int i = 0; i < lines && std::getline(in, line); ++i) out += line + "\n";
  return out;
}

// Parses `text` with `space`; a success must format and parse back to itself.
// The parsed architecture, or nullopt for text the space rejects.
std::optional<Architecture> round_trip(const SearchSpace& space, const std::string& text) {
  std::optional<Architecture> parsed;
  expecting_errors([&] {
    const Architecture arch = space.parse(text);
    space.validate(arch);
    const std::string formatted = space.format(arch);
    check(space.parse(formatted) == arch,
          "'" + text + "' parses, but its text form '" + formatted + "' parses to another "
          "architecture");
    parsed = arch;
  });
  return parsed;
}

std::vector<std::string> sampled(const SearchSpace& space, int n) {
  Rng rng(7);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(space.format(space.sample(rng)));
  return out;
}

// ---- architecture strings ----

void nb201_arch(std::string_view input, const Context&) {
  static const NasBench201Space space;
  const std::string text(input);
  round_trip(space, text);
  expecting_errors([&] {
    const Architecture arch = space.parse_op_code(text);
    check(space.parse_op_code(space.format_op_code(arch)) == arch,
          "op code '" + text + "' does not round trip");
  });
}

std::vector<std::string> nb201_arch_seeds(const Context&) {
  static const NasBench201Space space;
  auto seeds = sampled(space, 4);
  seeds.push_back(space.format_op_code(space.parse(seeds.front())));
  seeds.push_back("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|");
  return seeds;
}

void nb101_arch(std::string_view input, const Context&) {
  static const NasBench101Space space;
  round_trip(space, std::string(input));
}

std::vector<std::string> nb101_arch_seeds(const Context&) {
  static const NasBench101Space space;
  return sampled(space, 5);
}

void darts_genotype(std::string_view input, const Context&) {
  static const DartsSpace space;
  const std::string text(input);
  const auto arch = round_trip(space, text);
  if (arch) {
    check(space.parse(DartsSpace::format_compact(*arch)) == *arch,
          "'" + text + "': the compact form does not round trip");
  }
}

std::vector<std::string> darts_genotype_seeds(const Context&) {
  static const DartsSpace space;
  auto seeds = sampled(space, 3);
  seeds.push_back(DartsSpace::format_compact(space.parse(seeds.front())));
  return seeds;
}

// ---- command line and configuration ----

// ---- search spaces declared from a graph ----

// The search_space section of the bundled example
// examples/configs/search_graph_tiny.yaml (fixed edges, a node op, a mixed
// edge), as YAML text without its `name` key.
std::string tiny_graph_space_yaml(const Context& context) {
  const auto path =
      fs::path(context.source_dir) / "examples" / "configs" / "search_graph_tiny.yaml";
  YAML::Node section = YAML::LoadFile(path.string())["search_space"];
  section.remove("name");
  return YAML::Dump(section) + "\n";
}

std::shared_ptr<const GraphSearchSpace> graph_space_of(const std::string& yaml) {
  auto cfg = ConfigNode::parse(yaml, "<fuzz>");
  auto space = GraphSearchSpace::from_config(cfg);
  cfg.finish();
  return space;
}

// A declaration either is a ConfigError or gives a space whose derived
// operations hold together: sampled cells round trip through their text, a
// mutation is a neighbour, every encoding has one length, dense ids invert.
void graph_space(std::string_view input, const Context&) {
  expecting_errors([&] {
    const auto space = graph_space_of(std::string(input));
    Rng rng(1);
    std::map<std::string, size_t> lengths;
    for (int i = 0; i < 3; ++i) {
      const auto arch = space->sample(rng);
      check(round_trip(*space, space->format(arch)) == arch,
            "a sampled architecture does not round trip: " + space->format(arch));
      check(space->canonical(arch) == space->canonical(space->parse(space->format(arch))),
            "the canonical form of a round trip differs");
      const auto child = space->mutate(arch, rng);
      const auto next = space->neighbours(arch);
      check(std::find(next.begin(), next.end(), child) != next.end(),
            "a mutation is not among the neighbours: " + space->format(child));
      for (const auto& encoding : space->encodings()) {
        const size_t n = space->encode(arch, encoding).size();
        check(lengths.emplace(encoding, n).first->second == n,
              "encoding '" + encoding + "' changes its length");
      }
      if (space->size()) check(space->from_dense_id(space->dense_id(arch)) == arch, "dense id");
    }
  });
}

std::vector<std::string> graph_space_seeds(const Context& context) {
  return {
      tiny_graph_space_yaml(context),
      "label: t\nnodes: [{name: a, role: input}, {name: b}, {name: c, role: output}]\n"
      "edges: [{from: a, to: b, ops: [none, skip_connect]}, {from: a, to: c, ops: [none, "
      "nor_conv_3x3]}, {from: b, to: c, ops: [skip_connect, avg_pool_3x3]}]\n",
      // A node that keeps one of its two incoming edges (DARTS' input choice).
      "label: k\nnodes: [{name: a, role: input}, {name: b}, {name: c, role: output, "
      "choose_inputs: 1}]\nedges: [{from: a, to: b, ops: [none, skip_connect]}, {from: a, to: c, "
      "ops: [skip_connect, nor_conv_3x3]}, {from: b, to: c, ops: [skip_connect, nor_conv_3x3]}]\n"};
}

// Architecture strings of a graph space with a node op and fixed edges.
void graph_arch(std::string_view input, const Context& context) {
  static const auto space = graph_space_of(tiny_graph_space_yaml(context));
  round_trip(*space, std::string(input));
}

std::vector<std::string> graph_arch_seeds(const Context& context) {
  static const auto space = graph_space_of(tiny_graph_space_yaml(context));
  auto seeds = sampled(*space, 3);
  seeds.push_back("|avg_pool_3x3|none~0|");
  return seeds;
}

void seed_list(std::string_view input, const Context&) {
  expecting_errors([&] {
    const auto seeds = parse_seed_list(std::string(input));
    check(!seeds.empty(), "'" + std::string(input) + "' gives no seeds");
    check(std::set<uint64_t>(seeds.begin(), seeds.end()).size() == seeds.size(),
          "'" + std::string(input) + "' gives a seed twice");
  });
}

std::vector<std::string> seed_list_seeds(const Context&) { return {"3", "0-9", "0,2,5-7"}; }

void experiment_config(std::string_view input, const Context& context) {
  // The tabular configurations share one NAS-Bench-201 table, read once.
  static const auto keep = context.data_dir.empty()
                               ? nullptr
                               : NasBench201Benchmark::load_shared(context.data_dir);
  (void)keep;
  expecting_errors([&] { check_experiment_config(ConfigNode::parse(std::string(input), "<fuzz>")); });
}

std::vector<std::string> experiment_config_seeds(const Context& context) {
  std::vector<std::string> seeds;
  const fs::path dir = fs::path(context.source_dir) / "examples" / "configs";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    // Every example (the one-shot ones read Fashion-MNIST, about a second).
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) seeds.push_back(read_file(f.string()));
  return seeds;
}

// ---- data files ----

void csv(std::string_view input, const Context&) {
  expecting_errors([&] {
    auto reader = CsvReader::from_string(std::string(input), "<fuzz>");
    while (reader.next_row()) {
      check(reader.num_fields() == reader.header().size(), "a row has the wrong field count");
      for (size_t c = 0; c < reader.num_fields(); ++c) {
        expecting_errors([&] { (void)reader.number(c); });
        expecting_errors([&] { (void)reader.integer(c); });
      }
    }
  });
}

std::vector<std::string> csv_seeds(const Context&) {
  return {"a,b,c\n1,2.5,nan\n-3e5,0x1p3,inf\r\n\n7,8,9\n", "index\n", "x,y\n1\n"};
}

// NAS-Bench-201: the first byte picks the file that the rest of the input
// replaces; the files read before it are the real ones (when present).
const std::vector<const char*> kNb201Files = {
    NasBench201Benchmark::kMergedFile, NasBench201Benchmark::kPerSeedFile,
    NasBench201Benchmark::kLatencyFile, NasBench201Benchmark::kLowFidelityFile,
    NasBench201Benchmark::kZeroCostFile};

void nb201_tables(std::string_view input, const Context& context) {
  if (input.empty()) return;
  size_t file = static_cast<uint8_t>(input[0]) % kNb201Files.size();
  if (context.data_dir.empty()) file = 0;
  const fs::path dir = fs::path(context.work_dir) / "nb201";
  fs::remove_all(dir);
  for (size_t i = 0; i <= file; ++i) {
    const fs::path path = dir / kNb201Files[i];
    fs::create_directories(path.parent_path());
    if (i < file) {
      fs::create_symlink(fs::path(context.data_dir) / kNb201Files[i], path);
    } else {
      test::write_file(path.string(), std::string(input.substr(1)));
    }
  }
  expecting_errors([&] { (void)NasBench201Benchmark::load(dir.string()); });
}

std::vector<std::string> nb201_tables_seeds(const Context& context) {
  std::vector<std::string> seeds;
  if (context.data_dir.empty()) return {std::string(1, '\0') + "nb201_index,op_code\n0,0\n"};
  for (size_t i = 0; i < kNb201Files.size(); ++i) {
    seeds.push_back(static_cast<char>(i) +
                    head((fs::path(context.data_dir) / kNb201Files[i]).string(), 40));
  }
  return seeds;
}

// NAS-Bench-101: byte 0 % 3 = 0: a tfrecord file; 1: nb101_sample30.json
// (with the real zero-cost file); 2: the zero-cost file (with the real sample).
void nb101_tables(std::string_view input, const Context& context) {
  if (input.empty()) return;
  int kind = static_cast<uint8_t>(input[0]) % 3;
  if (context.data_dir.empty()) kind = 0;
  const fs::path dir = fs::path(context.work_dir) / "nb101";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string payload(input.substr(1));
  if (kind == 0) {
    const std::string path = (dir / "nb101.tfrecord").string();
    test::write_file(path, payload);
    expecting_errors([&] {
      (void)NasBench101Benchmark::load_tfrecord(
          path, "", NasBench101TfRecordOptions().verify_hashes(true));
    });
    return;
  }
  const char* fuzzed = kind == 1 ? NasBench101Benchmark::kSampleFile
                                 : NasBench101Benchmark::kZeroCostFile;
  for (const char* f : {NasBench101Benchmark::kSampleFile, NasBench101Benchmark::kZeroCostFile}) {
    const fs::path path = dir / f;
    fs::create_directories(path.parent_path());
    if (std::string_view(f) == fuzzed) {
      test::write_file(path.string(), payload);
    } else {
      fs::create_symlink(fs::path(context.data_dir) / f, path);
    }
  }
  expecting_errors([&] { (void)NasBench101Benchmark::load(dir.string()); });
}

std::vector<std::string> nb101_tables_seeds(const Context& context) {
  std::vector<std::string> seeds;
  // A record of another budget needs no data: the writer is independent.
  seeds.push_back(std::string(1, '\0') +
                  test::framed({"[\"00000000000000000000000000000000\", 4, \"0100\", "
                                "\"input,output\", \"" +
                                base64_encode(test::model_metrics({}, 1)) + "\"]"}));
  if (context.data_dir.empty()) return seeds;
  auto rows = test::sample_rows(context.data_dir);
  rows.resize(4);
  seeds.push_back(std::string(1, '\0') + test::framed(rows));
  seeds.push_back(std::string(1, '\1') +
                  read_file((fs::path(context.data_dir) / NasBench101Benchmark::kSampleFile).string()));
  seeds.push_back(std::string(1, '\2') +
                  head((fs::path(context.data_dir) / NasBench101Benchmark::kZeroCostFile).string(), 60));
  return seeds;
}

}  // namespace

const std::vector<Target>& targets() {
  static const std::vector<Target> all = {
      {"nb201_arch", "NAS-Bench-201 architecture strings and op codes", nb201_arch,
       nb201_arch_seeds},
      {"nb101_arch", "NAS-Bench-101 adjacency matrix + ops text", nb101_arch, nb101_arch_seeds},
      {"darts_genotype", "DARTS genotypes (Genotype(...) and compact form)", darts_genotype,
       darts_genotype_seeds},
      {"graph_space", "search spaces declared from a cell graph (YAML)", graph_space,
       graph_space_seeds},
      {"graph_arch", "architecture strings of a graph search space", graph_arch,
       graph_arch_seeds},
      {"seed_list", "--seeds lists", seed_list, seed_list_seeds},
      {"experiment_config", "experiment configurations (YAML, every key checked)",
       experiment_config, experiment_config_seeds},
      {"csv", "the benchmark CSV reader", csv, csv_seeds},
      {"nb201_tables", "the NAS-Bench-201 table files", nb201_tables, nb201_tables_seeds},
      {"nb101_tables", "NAS-Bench-101 tfrecord, sample and zero-cost files", nb101_tables,
       nb101_tables_seeds},
  };
  return all;
}

const Target& target(const std::string& name) {
  std::string names;
  for (const auto& t : targets()) {
    if (name == t.name) return t;
    names += (names.empty() ? "" : ", ") + std::string(t.name);
  }
  throw std::invalid_argument("unknown fuzz target '" + name + "'; valid choices: " + names);
}

}  // namespace nascpp::fuzz

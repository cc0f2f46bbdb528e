#include "benchmarks/nasbench101/nasbench101_benchmark.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "benchmarks/nasbench101/tfrecord.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/core/nesting.h"

namespace nascpp {

namespace {

using Json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr const char* kZcPrefix = "zc.";

// Metric positions; zero-cost proxies follow kNumFixed.
enum FixedMetric : int {
  kValid,
  kTest,
  kTrain,
  kTime,
  kHalfValid,
  kHalfTest,
  kHalfTrain,
  kHalfTime,
  kParams,
  kNumFixed
};
const std::vector<std::string>& fixed_metric_names() {
  static const std::vector<std::string> names = {"valid_acc",
                                                 "test_acc",
                                                 "train_acc",
                                                 "train_time_s",
                                                 "halfway_valid_acc",
                                                 "halfway_test_acc",
                                                 "halfway_train_acc",
                                                 "halfway_train_time_s",
                                                 "params"};
  return names;
}

double run_value(const NasBench101Benchmark::Run& r, int metric) {
  switch (metric) {
    case kValid:
      return r.valid_acc;
    case kTest:
      return r.test_acc;
    case kTrain:
      return r.train_acc;
    case kTime:
      return r.train_time_s;
    case kHalfValid:
      return r.halfway_valid_acc;
    case kHalfTest:
      return r.halfway_test_acc;
    case kHalfTrain:
      return r.halfway_train_acc;
    case kHalfTime:
      return r.halfway_train_time_s;
    default:
      NASCPP_ASSERT(false);
  }
  return kNaN;
}

Json read_json(const std::string& path) {
  std::error_code ec;
  NASCPP_CHECK_DATA(std::filesystem::is_regular_file(path, ec),
                    "cannot open '{}' (NAS-Bench-101 data; see docs/nasbench101.md)", path);
  const std::string text = read_file(path);
  check_json_nesting(text, path);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", path, e.what()));
  }
}

// The valid values of the benchmark's numbers: accuracies are fractions
// (the file's; percent in the table), times seconds of a real training run.
double checked_fraction(double v, const char* what) {
  NASCPP_CHECK_DATA(v >= 0.0 && v <= 1.0, "{} {} is out of range: expected a fraction in [0, 1]",
                    what, v);
  return v;
}

double checked_seconds(double v, const char* what) {
  NASCPP_CHECK_DATA(std::isfinite(v) && v > 0.0,
                    "{} {} is not a training time: expected seconds, finite and > 0", what, v);
  return v;
}

// A number of the sample file's run record `r`.
double run_number(const Json& r, const char* key) {
  const Json& v = r.at(key);
  NASCPP_CHECK_DATA(v.is_number(), "{} is {}, expected a number", key, v.type_name());
  return v.get<double>();
}

// Fills `run` from the final and halfway evaluations (fractions, seconds),
// checking every value.
void set_run(NasBench101Benchmark::Run& run, double valid, double test, double train, double time,
             double half_valid, double half_test, double half_train, double half_time) {
  run.valid_acc = 100.0 * checked_fraction(valid, "final_validation_accuracy");
  run.test_acc = 100.0 * checked_fraction(test, "final_test_accuracy");
  run.train_acc = 100.0 * checked_fraction(train, "final_train_accuracy");
  run.train_time_s = checked_seconds(time, "final_training_time");
  run.halfway_valid_acc = 100.0 * checked_fraction(half_valid, "halfway_validation_accuracy");
  run.halfway_test_acc = 100.0 * checked_fraction(half_test, "halfway_test_accuracy");
  run.halfway_train_acc = 100.0 * checked_fraction(half_train, "halfway_train_accuracy");
  run.halfway_train_time_s = checked_seconds(half_time, "halfway_training_time");
}

// Op names of NASLib's NAS-Bench-101 op ids (zero-cost file keys).
const std::vector<std::string>& naslib_op_names() {
  static const std::vector<std::string> names = {"input", "output", "maxpool3x3", "conv1x1-bn-relu",
                                                 "conv3x3-bn-relu"};
  return names;
}

NasBench101Spec spec_from_strings(const std::string& adjacency, const std::string& operations,
                                  std::string* why) {
  NasBench101Spec s;
  const auto n = static_cast<int>(std::lround(std::sqrt(static_cast<double>(adjacency.size()))));
  if (n < 2 || n > NasBench101Spec::kMaxVertices ||
      static_cast<size_t>(n * n) != adjacency.size()) {
    *why = fmt::format("the adjacency '{}' is not a flattened n x n matrix with 2 <= n <= 7",
                       adjacency);
    return s;
  }
  s.num_vertices = n;
  for (int i = 0; i < n * n; ++i) {
    const char c = adjacency[static_cast<size_t>(i)];
    if (c != '0' && c != '1') {
      *why = fmt::format("the adjacency '{}' has '{}' at position {}, expected 0 or 1", adjacency,
                         c, i);
      return s;
    }
    s.matrix[i / n][i % n] = static_cast<uint8_t>(c - '0');
  }
  int v = 0;
  size_t pos = 0;
  while (true) {
    const size_t comma = operations.find(',', pos);
    const std::string op =
        operations.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (v >= n) {
      *why = fmt::format("the operations '{}' have more than {} entries", operations, n);
      return s;
    }
    if (op == "input") {
      s.ops[v] = NasBench101Spec::kInput;
    } else if (op == "output") {
      s.ops[v] = NasBench101Spec::kOutput;
    } else {
      const auto& names = NasBench101Space::op_names();
      const auto it = std::find(names.begin(), names.end(), op);
      if (it == names.end()) {
        *why = unknown_choice_message("op", op, NasBench101Space::all_op_names());
        return s;
      }
      s.ops[v] = static_cast<int8_t>(it - names.begin());
    }
    ++v;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (v != n) {
    *why = fmt::format("the operations '{}' have {} entries for {} vertices", operations, v, n);
  }
  return s;
}

}  // namespace

size_t NasBench101Benchmark::HashHasher::operator()(const Hash& h) const noexcept {
  uint64_t v;
  std::memcpy(&v, h.data(), sizeof v);  // MD5 bytes are uniformly spread
  return static_cast<size_t>(v);
}

NasBench101Benchmark::Hash NasBench101Benchmark::parse_hash(const std::string& hex) {
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bool ok = hex.size() == 32;
  Hash h{};
  for (size_t i = 0; ok && i < 16; ++i) {
    const int hi = digit(hex[2 * i]);
    const int lo = digit(hex[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    h[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  NASCPP_CHECK_CONFIG(ok, "NAS-Bench-101 hash '{}' is not 32 hex digits (e.g. {})", hex,
                      "ff92c322c5d9d3d587d9c146a63d0807");
  return h;
}

// ---- loading ----

std::shared_ptr<const NasBench101Benchmark> NasBench101Benchmark::load(
    const std::string& data_dir) {
  std::shared_ptr<NasBench101Benchmark> b(new NasBench101Benchmark());
  b->load_sample(data_dir + "/" + kSampleFile);
  b->load_zero_cost(data_dir + "/" + kZeroCostFile);
  b->finish();
  return b;
}

std::shared_ptr<const NasBench101Benchmark> NasBench101Benchmark::load_tfrecord(
    const std::string& path, const std::string& data_dir,
    const NasBench101TfRecordOptions& options) {
  std::shared_ptr<NasBench101Benchmark> b(new NasBench101Benchmark());
  b->add_tfrecord(path, options);
  if (!data_dir.empty()) {
    const std::string zc = data_dir + "/" + kZeroCostFile;
    if (std::filesystem::exists(zc)) b->load_zero_cost(zc);
  }
  b->finish();
  return b;
}

std::shared_ptr<const NasBench101Benchmark> NasBench101Benchmark::from_config(ConfigNode& config) {
  const std::string data_dir = config.get<std::string>("data_dir", "");
  const std::string tfrecord = config.get<std::string>("tfrecord", "");
  NasBench101TfRecordOptions options;
  options.verify_hashes(config.get<bool>("verify_hashes", false));
  if (tfrecord.empty()) return load(resolve_data_dir(data_dir));
  // The data directory only adds zero-cost scores here, so it is optional.
  std::string dir = data_dir;
  if (dir.empty() && std::getenv("NASCPP_DATA") != nullptr) dir = std::getenv("NASCPP_DATA");
  if (!dir.empty()) dir = resolve_data_dir(dir);
  return load_tfrecord(tfrecord, dir, options);
}

void NasBench101Benchmark::load_sample(const std::string& path) {
  add_data_file(path);
  const Json doc = read_json(path);
  NASCPP_CHECK_DATA(doc.is_array(), "'{}': expected a JSON list of cells", path);
  NASCPP_CHECK_DATA(!doc.empty(), "'{}': the list of cells is empty (the sample has 30)", path);
  for (size_t k = 0; k < doc.size(); ++k) {
    const Json& cell = doc[k];
    try {
      NASCPP_CHECK_DATA(cell.is_object(), "expected an object, found {}", cell.type_name());
      Entry e;
      e.hash = parse_hash(cell.at("hash").get<std::string>());
      const auto matrix = cell.at("matrix").get<std::vector<std::vector<int>>>();
      const auto ops = cell.at("ops").get<std::vector<std::string>>();
      e.spec = NasBench101Space::spec_of(NasBench101Space::from_spec(matrix, ops));
      NASCPP_CHECK_DATA(e.spec.num_vertices == static_cast<int>(matrix.size()),
                        "the matrix is not pruned");
      // The key must be the cell's: a wrong hash would file its results under
      // another cell.
      const Hash computed = NasBench101Space::hash_bytes(e.spec);
      NASCPP_CHECK_DATA(
          computed == e.hash,
          "hash {} does not match the cell: its matrix and ops have the graph hash {}",
          NasBench101Space::hash_hex(e.hash), NasBench101Space::hash_hex(computed));
      e.trainable_parameters = cell.at("trainable_parameters").get<int64_t>();
      NASCPP_CHECK_DATA(e.trainable_parameters > 0, "trainable_parameters {} must be > 0",
                        e.trainable_parameters);
      const Json& runs = cell.at("epochs").at(std::to_string(kEpochs));
      NASCPP_CHECK_DATA(runs.is_array() && !runs.empty() && runs.size() <= kMaxRepeats,
                        "expected 1 to {} runs at {} epochs, got {}", kMaxRepeats, kEpochs,
                        runs.size());
      for (const Json& r : runs) {
        const int repeat = e.repeats++;
        try {
          set_run(e.runs[static_cast<size_t>(repeat)], run_number(r, "final_validation_accuracy"),
                  run_number(r, "final_test_accuracy"), run_number(r, "final_train_accuracy"),
                  run_number(r, "final_training_time"),
                  run_number(r, "halfway_validation_accuracy"),
                  run_number(r, "halfway_test_accuracy"), run_number(r, "halfway_train_accuracy"),
                  run_number(r, "halfway_training_time"));
        } catch (const DataError& err) {
          throw DataError(fmt::format("run {}: {}", repeat, err.what()));
        }
      }
      const auto [it, fresh] = index_.emplace(e.hash, static_cast<int32_t>(entries_.size()));
      NASCPP_CHECK_DATA(fresh, "duplicate hash {}: cell {} has it too",
                        NasBench101Space::hash_hex(e.hash), it->second);
      entries_.push_back(e);
    } catch (const Json::exception& err) {
      throw DataError(fmt::format("'{}': cell {}: {}", path, k, err.what()));
    } catch (const Error& err) {
      throw DataError(fmt::format("'{}': cell {}: {}", path, k, err.what()));
    }
  }
}

void NasBench101Benchmark::load_zero_cost(const std::string& path) {
  add_data_file(path);
  const Json doc = read_json(path);
  const Json* cells = nullptr;
  try {
    cells = &doc.at("nasbench101").at("cifar10");
  } catch (const Json::exception&) {
    throw DataError(
        fmt::format("'{}': expected {{\"nasbench101\": {{\"cifar10\": {{...}}}}}}", path));
  }
  NASCPP_CHECK_DATA(cells->is_object() && !cells->empty(),
                    "'{}': nasbench101.cifar10 must be a non-empty object of cells, found {}", path,
                    cells->is_object() ? std::string("no cells") : cells->type_name());
  // The proxies: every field except val_accuracy, over all cells.
  std::vector<std::string> proxies;
  for (const auto& item : cells->items()) {
    NASCPP_CHECK_DATA(item.value().is_object(),
                      "'{}': cell '{}': expected an object of measures, found {}", path, item.key(),
                      item.value().type_name());
    for (const auto& field : item.value().items()) {
      if (field.key() != "val_accuracy" &&
          std::find(proxies.begin(), proxies.end(), field.key()) == proxies.end()) {
        proxies.push_back(field.key());
      }
    }
  }
  std::sort(proxies.begin(), proxies.end());
  zc_proxies_ = proxies;
  for (const auto& item : cells->items()) {
    const std::string& key = item.key();
    try {
      // Key: "(a0, ..., a48, o0, ..., o6)": the 7x7 adjacency row-major, then
      // NASLib's op ids (input 0, output 1, maxpool3x3 2, conv1x1 3, conv3x3 4).
      std::vector<int> ints;
      NASCPP_CHECK_DATA(key.size() > 2 && key.front() == '(' && key.back() == ')',
                        "expected a tuple '(...)'");
      size_t pos = 1;
      while (pos < key.size() - 1) {
        while (key[pos] == ' ') ++pos;
        size_t end = pos;
        while (end < key.size() - 1 && key[end] != ',') ++end;
        const std::string tok = key.substr(pos, end - pos);
        // At most 9 digits: std::stoi cannot overflow (entries are 0-4).
        NASCPP_CHECK_DATA(!tok.empty() && tok.size() <= 9 &&
                              tok.find_first_not_of("0123456789") == std::string::npos,
                          "bad integer '{}'", tok);
        ints.push_back(std::stoi(tok));
        pos = end + 1;
      }
      NASCPP_CHECK_DATA(ints.size() == 56, "expected 56 integers (49 adjacency + 7 ops), got {}",
                        ints.size());
      std::vector<std::vector<int>> matrix(7, std::vector<int>(7));
      for (int i = 0; i < 49; ++i) matrix[i / 7][i % 7] = ints[i];
      std::vector<std::string> ops;
      for (int v = 0; v < 7; ++v) {
        const int id = ints[49 + v];
        NASCPP_CHECK_DATA(id >= 0 && id < 5, "op id {} out of range [0, 5)", id);
        ops.push_back(naslib_op_names()[id]);
      }
      // NASLib keyed the file by raw (unpruned) specs: several keys can be
      // the same cell. Their values are averaged (see docs/nasbench101.md).
      const NasBench101Spec spec =
          NasBench101Space::spec_of(NasBench101Space::from_spec(matrix, ops));
      const Hash hash = NasBench101Space::hash_bytes(spec);
      auto [it, fresh] = zc_index_.emplace(hash, static_cast<int32_t>(zc_entries_.size()));
      if (fresh) {
        ZeroCost z;
        z.hash = hash;
        z.spec = spec;
        z.scores.assign(proxies.size(), 0.0);
        z.counts.assign(proxies.size(), 0);
        zc_entries_.push_back(std::move(z));
      }
      ZeroCost& z = zc_entries_[static_cast<size_t>(it->second)];
      const Json& val = item.value().at("val_accuracy");
      NASCPP_CHECK_DATA(val.is_number(), "val_accuracy is {}, expected a number", val.type_name());
      const double acc = val.get<double>();
      NASCPP_CHECK_DATA(acc >= 0.0 && acc <= 100.0,
                        "val_accuracy {} is out of range: expected percent in [0, 100]", acc);
      z.val_acc += acc;
      ++z.keys;
      for (size_t p = 0; p < proxies.size(); ++p) {
        const auto f = item.value().find(proxies[p]);
        if (f == item.value().end()) continue;  // a proxy this cell was not scored with
        NASCPP_CHECK_DATA(f->is_number(), "measure '{}' is {}, expected a number", proxies[p],
                          f->type_name());
        // Scores are any number (JSON has no NaN or infinity); the FLOPs and
        // parameter counts (in millions) cannot be negative.
        const double score = f->get<double>();
        NASCPP_CHECK_DATA(score >= 0.0 || (proxies[p] != "flops" && proxies[p] != "params"),
                          "measure '{}' is {}: a count, expected >= 0", proxies[p], score);
        z.scores[p] += score;
        ++z.counts[p];
      }
    } catch (const Json::exception& err) {
      throw DataError(fmt::format("'{}': cell '{}': {}", path, key, err.what()));
    } catch (const Error& err) {
      throw DataError(fmt::format("'{}': cell '{}': {}", path, key, err.what()));
    }
  }
  for (auto& z : zc_entries_) {
    z.val_acc /= z.keys;
    for (size_t p = 0; p < z.scores.size(); ++p) {
      z.scores[p] = z.counts[p] > 0 ? z.scores[p] / z.counts[p] : kNaN;
    }
  }
}

void NasBench101Benchmark::add_tfrecord(const std::string& path,
                                        const NasBench101TfRecordOptions& options) {
  add_data_file(path);
  TfRecordReader reader(path);
  std::string record;
  uint64_t number = 0;
  uint64_t offset = 0;
  auto fail = [&](const std::string& what) {
    throw DataError(fmt::format("TFRecord file '{}': record {} (at byte offset {}): {}", path,
                                number, offset, what));
  };
  while (reader.next(record)) {
    NasBench101Row row;
    try {
      row = parse_nasbench101_row(record);
    } catch (const DataError& e) {
      fail(e.what());
    }
    if (row.epochs != kEpochs) {
      ++skipped_records_;
    } else {
      const Hash hash = parse_hash(row.module_hash);
      NasBench101Metrics metrics;
      try {
        metrics = decode_nasbench101_metrics(base64_decode(row.metrics_base64));
      } catch (const DataError& e) {
        fail(e.what());
      }
      if (metrics.evaluations.size() < 3) {
        fail(fmt::format("ModelMetrics has {} evaluations, expected 3 (initial, halfway, final)",
                         metrics.evaluations.size()));
      }
      if (metrics.trainable_parameters <= 0) {
        fail(fmt::format("trainable_parameters {} must be > 0", metrics.trainable_parameters));
      }
      std::string why;
      const NasBench101Spec spec = spec_from_strings(row.adjacency, row.operations, &why);
      if (!why.empty()) fail(why);
      auto [it, fresh] = index_.emplace(hash, static_cast<int32_t>(entries_.size()));
      if (fresh) {
        Entry e;
        e.hash = hash;
        e.spec = spec;
        if (options.verify_hashes()) {
          std::string rule;
          const auto pruned = NasBench101Space::prune_and_check(e.spec, &rule);
          if (!pruned) fail("invalid spec: " + rule);
          const std::string computed =
              NasBench101Space::hash_hex(NasBench101Space::hash_bytes(*pruned));
          if (computed != row.module_hash) {
            fail(fmt::format("the spec's graph hash is {}, the record says {}", computed,
                             row.module_hash));
          }
        }
        e.trainable_parameters = metrics.trainable_parameters;
        entries_.push_back(e);
      }
      Entry& e = entries_[static_cast<size_t>(it->second)];
      if (e.repeats >= kMaxRepeats) {
        fail(fmt::format("more than {} runs of cell {} at {} epochs", kMaxRepeats, row.module_hash,
                         kEpochs));
      }
      // Every run of a cell is keyed by its hash: a run with another spec
      // must be an isomorphic form of the same cell, or a record is corrupt.
      if (!fresh && !(spec == e.spec)) {
        std::string rule;
        const auto pruned = NasBench101Space::prune_and_check(spec, &rule);
        if (!pruned || NasBench101Space::hash_bytes(*pruned) != hash) {
          fail(fmt::format(
              "the spec '{}|{}' of this run of cell {} is not the cell of its earlier runs ({})",
              row.adjacency, row.operations, row.module_hash,
              pruned ? "graph hash " +
                           NasBench101Space::hash_hex(NasBench101Space::hash_bytes(*pruned))
                     : "invalid: " + rule));
        }
      }
      const auto& half = metrics.evaluations[1];
      const auto& last = metrics.evaluations[2];
      try {
        set_run(e.runs[static_cast<size_t>(e.repeats++)], last.validation_accuracy,
                last.test_accuracy, last.train_accuracy, last.training_time,
                half.validation_accuracy, half.test_accuracy, half.train_accuracy,
                half.training_time);
      } catch (const DataError& err) {
        fail(err.what());
      }
    }
    ++number;
    offset += 16 + record.size();
  }
  NASCPP_CHECK_DATA(number > 0, "TFRecord file '{}' is empty: it has no records", path);
  NASCPP_CHECK_DATA(!entries_.empty(),
                    "TFRecord file '{}': none of its {} records is a {}-epoch training run", path,
                    number, kEpochs);
  logger()->debug("read {} NAS-Bench-101 cells from {} records of '{}' ({} of other budgets)",
                  entries_.size(), number, path, skipped_records_);
}

void NasBench101Benchmark::finish() {
  metric_names_ = fixed_metric_names();
  for (const auto& p : zc_proxies_) metric_names_.push_back(kZcPrefix + p);
}

// ---- queries ----

int NasBench101Benchmark::metric_position(const std::string& metric) const {
  const auto it = std::find(metric_names_.begin(), metric_names_.end(), metric);
  if (it == metric_names_.end()) {
    throw ConfigError(unknown_choice_message("NAS-Bench-101 metric", metric, metric_names_));
  }
  return static_cast<int>(it - metric_names_.begin());
}

std::optional<double> NasBench101Benchmark::value(const Hash& hash, int metric, Rng* rng) const {
  if (metric >= kNumFixed) {
    const auto it = zc_index_.find(hash);
    if (it == zc_index_.end()) return std::nullopt;
    const double v = zc_entries_[static_cast<size_t>(it->second)]
                         .scores[static_cast<size_t>(metric - kNumFixed)];
    if (std::isnan(v)) return std::nullopt;
    return v;
  }
  const Entry* e = find(hash);
  if (e == nullptr || e->repeats == 0) {
    if (metric == kValid) {
      const auto it = zc_index_.find(hash);
      if (it != zc_index_.end()) return zc_entries_[static_cast<size_t>(it->second)].val_acc;
    }
    return std::nullopt;
  }
  if (metric == kParams) return static_cast<double>(e->trainable_parameters);
  if (rng != nullptr) {
    // As the original API: one of the repeats, drawn uniformly.
    return run_value(e->runs[rng->index(static_cast<size_t>(e->repeats))], metric);
  }
  double sum = 0.0;
  for (int r = 0; r < e->repeats; ++r) sum += run_value(e->runs[static_cast<size_t>(r)], metric);
  return sum / e->repeats;
}

std::optional<double> NasBench101Benchmark::query(const Architecture& arch,
                                                  const std::string& metric,
                                                  const std::string& dataset, Rng* rng) const {
  if (dataset != kDataset) {
    throw ConfigError(unknown_choice_message("NAS-Bench-101 dataset", dataset, datasets()));
  }
  const int m = metric_position(metric);
  return value(NasBench101Space::hash_bytes(NasBench101Space::spec_of(arch)), m, rng);
}

void NasBench101Benchmark::check_dataset(const std::string& dataset) const {
  if (dataset != kDataset) {
    throw ConfigError(unknown_choice_message("NAS-Bench-101 dataset", dataset, datasets()));
  }
}

std::vector<int64_t> NasBench101Benchmark::fidelities(const std::string& dataset) const {
  check_dataset(dataset);
  return {kEpochs / 2, kEpochs};
}

Benchmark::Handle NasBench101Benchmark::resolve(const std::string& dataset,
                                                const std::string& metric, int64_t epochs) const {
  check_dataset(dataset);
  int m = metric_position(metric);
  if (epochs != 0 && epochs != kEpochs) {
    NASCPP_CHECK_CONFIG(epochs == kEpochs / 2,
                        "NAS-Bench-101 has results after {} (halfway) and {} (full) epochs, not {}",
                        kEpochs / 2, kEpochs, epochs);
    if (m == kValid || m == kTest || m == kTrain || m == kTime) m += kHalfValid - kValid;
  }
  Handle h;
  h.slot = m;
  h.owner = this;
  return h;
}

int NasBench101Benchmark::handle_metric(const Handle& handle) const {
  NASCPP_CHECK_CONFIG(handle.owner == this,
                      "a benchmark handle resolved by another benchmark was used with '{}'",
                      name());
  NASCPP_CHECK_CONFIG(handle.valid(), "look-up with an invalid benchmark handle");
  return handle.slot;
}

std::optional<double> NasBench101Benchmark::value(const Architecture& arch,
                                                  const Handle& handle) const {
  return value(NasBench101Space::hash_bytes(NasBench101Space::spec_of(arch)),
               handle_metric(handle), nullptr);
}

std::optional<double> NasBench101Benchmark::value(const Architecture& arch, const Handle& handle,
                                                  Rng& rng) const {
  return value(NasBench101Space::hash_bytes(NasBench101Space::spec_of(arch)),
               handle_metric(handle), &rng);
}

std::vector<std::pair<std::string, std::string>> NasBench101Benchmark::identifiers(
    const Architecture& arch) const {
  return {{"hash", NasBench101Space::hash_hex(
                       NasBench101Space::hash_bytes(NasBench101Space::spec_of(arch)))}};
}

std::optional<Architecture> NasBench101Benchmark::lookup(const std::string& key) const {
  if (key.size() != 32 || key.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return std::nullopt;
  }
  return arch_of_hash(key);
}

Benchmark::BestArchitecture NasBench101Benchmark::best_architecture(
    const std::string& dataset, const std::string& metric) const {
  check_dataset(dataset);
  const int m = metric_position(metric);
  const bool lower = lower_is_better(metric);
  const Entry* best = nullptr;
  double best_value = 0.0;
  for (const auto& e : entries_) {
    const auto v = value(e.hash, m, nullptr);
    if (!v) continue;
    if (best == nullptr || (lower ? *v < best_value : *v > best_value)) {
      best = &e;
      best_value = *v;
    }
  }
  NASCPP_CHECK_CONFIG(best != nullptr, "NAS-Bench-101: no cell has a value of '{}'", metric);
  return {NasBench101Space::arch_of(best->spec), best_value};
}

std::optional<double> NasBench101Benchmark::query_hash(const std::string& hash,
                                                       const std::string& metric, Rng* rng) const {
  const int m = metric_position(metric);
  return value(parse_hash(hash), m, rng);
}

const NasBench101Benchmark::Entry* NasBench101Benchmark::find(const Hash& hash) const {
  const auto it = index_.find(hash);
  return it == index_.end() ? nullptr : &entries_[static_cast<size_t>(it->second)];
}

std::optional<Architecture> NasBench101Benchmark::arch_of_hash(const std::string& hash) const {
  const Hash h = parse_hash(hash);
  if (const Entry* e = find(h)) return NasBench101Space::arch_of(e->spec);
  const auto it = zc_index_.find(h);
  if (it != zc_index_.end()) {
    return NasBench101Space::arch_of(zc_entries_[static_cast<size_t>(it->second)].spec);
  }
  return std::nullopt;
}

}  // namespace nascpp

// RunDirectory: every file of a run directory, written and read here only
// (include/nascpp/run_directory.h; the formats are in docs/experiments.md).
#include "nascpp/run_directory.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/core/nesting.h"
#include "nascpp/experiment.h"

namespace nascpp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kConfigFile = "config.yaml";
constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kResultsFile = "results.jsonl";
constexpr const char* kTrajectoryFile = "trajectory.csv";
constexpr const char* kParetoCsv = "pareto.csv";
constexpr const char* kParetoJson = "pareto.json";
constexpr const char* kWarmStartCsv = "warm_start.csv";
constexpr const char* kSummaryFile = "summary.json";
constexpr const char* kFinalMetricsFile = "final.jsonl";
constexpr const char* kLogFile = "run.log";
constexpr const char* kCheckpointDir = "checkpoints";
constexpr const char* kSearchState = "checkpoints/search.json";
constexpr const char* kSearchCheckpoint = "checkpoints/search.ckpt";
constexpr const char* kFinalCheckpoint = "checkpoints/final.ckpt";
constexpr const char* kTrialCheckpoints = "checkpoints/trials";
constexpr const char* kLockFile = ".nascpp.lock";
constexpr const char* kSearchStateFormat = "nascpp-search-2";

// Every entry nascpp writes at the top of a run directory (with `.tmp`: an
// atomic write a kill interrupted).
const std::set<std::string>& own_entries() {
  static const std::set<std::string> names = {
      kConfigFile, kManifestFile,     kResultsFile, kTrajectoryFile, kParetoCsv,     kParetoJson,
      kSummaryFile, kFinalMetricsFile, kLogFile,     kCheckpointDir,  kLockFile};
  return names;
}

bool is_own_entry(const std::string& name) {
  const std::string tmp = ".tmp";
  if (name.size() > tmp.size() && name.compare(name.size() - tmp.size(), tmp.size(), tmp) == 0) {
    return own_entries().count(name.substr(0, name.size() - tmp.size())) != 0;
  }
  return own_entries().count(name) != 0;
}

std::string now_iso() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

// The environment is the same for every run of a process: computed once.
const Json& environment() {
  static const Json env = Json::parse(environment_json());
  return env;
}

// The file's identity for the hash cache: size, modification time (ns) and inode.
struct FileStamp {
  uintmax_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  bool operator==(const FileStamp& o) const {
    return size == o.size && mtime_ns == o.mtime_ns && inode == o.inode;
  }
};

FileStamp stamp_of(const std::string& path) {
  struct stat st {};
  NASCPP_CHECK_DATA(::stat(path.c_str(), &st) == 0, "data file '{}' cannot be read: {}", path,
                    std::strerror(errno));
  return {static_cast<uintmax_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<uint64_t>(st.st_ino)};
}

// Where hashes of unchanged data files are kept between processes:
// $NASCPP_CACHE_DIR, else $XDG_CACHE_HOME/nascpp, else ~/.cache/nascpp ("" : none).
std::string hash_cache_path() {
  std::string dir;
  if (const char* d = std::getenv("NASCPP_CACHE_DIR")) {
    dir = d;
  } else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dir = std::string(x) + "/nascpp";
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dir = std::string(h) + "/.cache/nascpp";
  }
  return dir.empty() ? dir : dir + "/sha256.json";
}

// SHA-256 of data files: once per process for an unchanged file (a study's
// seeds share their tables), and across processes through a small cache
// keyed by path, size, modification time and inode (a file rewritten in any
// way gets a new modification time and is hashed again).
std::string cached_sha256(const std::string& path) {
  static std::mutex mutex;
  struct Entry {
    FileStamp stamp;
    std::string sha;
  };
  static std::map<std::string, Entry> cache;
  static bool loaded = false;
  const std::string cache_file = hash_cache_path();
  const FileStamp stamp = stamp_of(path);
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (!loaded) {
      loaded = true;
      try {
        if (!cache_file.empty() && fs::exists(cache_file)) {
          for (const auto& [p, e] : Json::parse(read_file(cache_file)).items()) {
            cache[p] = Entry{{e.at("size").get<uintmax_t>(), e.at("mtime_ns").get<int64_t>(),
                              e.at("inode").get<uint64_t>()},
                             e.at("sha256").get<std::string>()};
          }
        }
      } catch (const std::exception&) {
        cache.clear();  // a damaged cache is only a cache: hash again
      }
    }
    auto it = cache.find(path);
    if (it != cache.end() && it->second.stamp == stamp) return it->second.sha;
  }
  std::string sha = sha256_file(path);
  std::lock_guard<std::mutex> lock(mutex);
  cache[path] = Entry{stamp, sha};
  if (!cache_file.empty()) {
    try {
      Json out = Json::object();
      for (const auto& [p, e] : cache) {
        std::error_code gone;
        if (!fs::exists(p, gone)) continue;  // keeps the cache to files that exist
        out[p] = {{"size", e.stamp.size},
                  {"mtime_ns", e.stamp.mtime_ns},
                  {"inode", e.stamp.inode},
                  {"sha256", e.sha}};
      }
      std::error_code ec;
      fs::create_directories(fs::path(cache_file).parent_path(), ec);
      write_file_atomic(cache_file + "." + std::to_string(::getpid()), out.dump());
      fs::rename(cache_file + "." + std::to_string(::getpid()), cache_file, ec);
    } catch (const std::exception&) {
      // Not writable: every process hashes for itself.
    }
  }
  return sha;
}

std::string canonical(const std::string& path) {
  std::error_code ec;
  const auto c = fs::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

// "key.sub: value" for every scalar of a YAML document, for a readable diff.
void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      flatten(kv.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else {
    YAML::Emitter e;
    e << YAML::Flow << node;
    out[prefix] = e.c_str();
  }
}

std::string config_difference(const std::string& before, const std::string& after) {
  std::map<std::string, std::string> a, b;
  try {
    flatten(YAML::Load(before), "", a);
    flatten(YAML::Load(after), "", b);
  } catch (const YAML::Exception& e) {
    return fmt::format("it is no longer valid YAML ({})", e.what());
  }
  std::vector<std::string> changes;
  for (const auto& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      changes.push_back(fmt::format("{} removed (was {})", key, value));
    } else if (it->second != value) {
      changes.push_back(fmt::format("{}: {} -> {}", key, value, it->second));
    }
  }
  for (const auto& [key, value] : b) {
    if (a.count(key) == 0) changes.push_back(fmt::format("{} added ({})", key, value));
  }
  if (changes.empty()) return "only its formatting or comments changed";
  return join(changes, "; ");
}

// ---- JSON of the records ----

Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(); }

Json evaluation_json(const Evaluation& e, const SearchSpace& space) {
  Json j = {{"query", e.query},
            {"trial", e.trial.id},
            {"arch", space.format(e.trial.arch)},
            {"fidelity", e.trial.fidelity.epochs},
            {"epochs", e.result.epochs},
            {"objective", number_or_null(e.result.objective)},
            {"metrics", e.result.metrics},
            {"feasible", e.feasible},
            {"cost", e.result.cost},
            {"cumulative_cost", e.cumulative_cost},
            {"epochs_paid", e.result.epochs_paid},
            {"cumulative_epochs", e.cumulative_epochs},
            {"start_s", e.start_s},
            {"end_s", e.end_s},
            {"worker", e.worker},
            {"wall_s", e.wall_s}};
  if (e.trial.continues) j["continues"] = {e.trial.continues->trial, e.trial.continues->epochs};
  if (!e.result.unavailable.empty()) j["unavailable"] = e.result.unavailable;
  if (e.result.failed()) j["failure"] = e.result.failure;
  return j;
}

Evaluation evaluation_from_json(const Json& j, const SearchSpace& space) {
  Evaluation e;
  e.query = j.at("query").get<int64_t>();
  // Round-1 logs (one evaluation in flight) have no trial ids: trial = query.
  e.trial.id = j.contains("trial") ? j.at("trial").get<int64_t>() : e.query;
  e.trial.arch = space.parse(j.at("arch").get<std::string>());
  e.trial.fidelity.epochs = j.contains("fidelity") ? j.at("fidelity").get<int64_t>()
                                                   : j.value("fidelity_epochs", int64_t{0});
  if (j.contains("continues")) {
    e.trial.continues =
        Trial::Continuation{j["continues"].at(0).get<int64_t>(), j["continues"].at(1).get<int64_t>()};
  }
  e.result.epochs = j.value("epochs", int64_t{0});
  e.result.metrics = j.at("metrics").get<std::map<std::string, double>>();
  if (j.contains("unavailable")) {
    e.result.unavailable = j.at("unavailable").get<std::vector<std::string>>();
  }
  if (j.contains("failure")) e.result.failure = j.at("failure").get<std::string>();
  const Json& objective = j.at("objective");
  e.result.objective = objective.is_null() ? -std::numeric_limits<double>::infinity()
                                           : objective.get<double>();
  NASCPP_CHECK_DATA(!objective.is_null() || e.result.failed(),
                    "the objective is null but the evaluation did not fail");
  e.result.cost = j.at("cost").get<double>();
  e.result.epochs_paid = j.value("epochs_paid", int64_t{0});
  e.feasible = j.at("feasible").get<bool>();
  e.cumulative_cost = j.at("cumulative_cost").get<double>();
  e.cumulative_epochs = j.value("cumulative_epochs", 0.0);
  e.start_s = j.value("start_s", 0.0);
  e.end_s = j.value("end_s", 0.0);
  e.worker = j.value("worker", int64_t{0});
  e.wall_s = j.at("wall_s").get<double>();
  return e;
}

Json summary_json(const ExperimentSummary& s) {
  Json j = {{"status", s.status},
            {"kind", s.kind},
            {"search_space", s.search_space},
            {"optimizer", s.optimizer},
            {"dataset", s.dataset},
            {"seed", s.seed},
            {"architecture", s.architecture},
            {"objective_name", s.objective_name},
            {"objective", number_or_null(s.objective)},
            {"objective_epochs", s.objective_epochs},
            {"report_metric", s.report_metric},
            {"report_value", s.report_value ? Json(*s.report_value) : Json(nullptr)},
            {"steps", s.steps},
            {"failed_steps", s.failed_steps},
            {"stop_reason", s.stop_reason},
            {"search_cost_s", s.search_cost_s},
            {"wall_s", s.wall_s},
            {"benchmark", s.benchmark}};
  if (!s.benchmark_report.empty()) j["benchmark_report"] = s.benchmark_report;
  if (!s.status_reason.empty()) j["status_reason"] = s.status_reason;
  if (s.has_final) {
    j["final"] = {{"dataset", s.final_dataset},
                  {"parameters", s.final_parameters},
                  {"test_top1", s.final_test_top1},
                  {"test_top5", s.final_test_top5},
                  {"test_loss", s.final_test_loss}};
  }
  return j;
}

ExperimentSummary summary_from_json(const Json& j) {
  ExperimentSummary s;
  s.status = j.value("status", std::string("complete"));
  s.status_reason = j.value("status_reason", std::string());
  s.kind = j.at("kind").get<std::string>();
  s.search_space = j.at("search_space").get<std::string>();
  s.optimizer = j.at("optimizer").get<std::string>();
  s.dataset = j.at("dataset").get<std::string>();
  s.seed = j.at("seed").get<uint64_t>();
  s.architecture = j.at("architecture").get<std::string>();
  s.objective_name = j.at("objective_name").get<std::string>();
  s.objective = j.at("objective").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                            : j.at("objective").get<double>();
  s.objective_epochs = j.value("objective_epochs", int64_t{0});
  s.report_metric = j.at("report_metric").get<std::string>();
  if (!j.at("report_value").is_null()) s.report_value = j.at("report_value").get<double>();
  s.steps = j.at("steps").get<int64_t>();
  s.failed_steps = j.value("failed_steps", int64_t{0});
  s.stop_reason = j.at("stop_reason").get<std::string>();
  s.search_cost_s = j.at("search_cost_s").get<double>();
  s.wall_s = j.at("wall_s").get<double>();
  s.benchmark = j.at("benchmark").get<std::map<std::string, double>>();
  s.benchmark_report = j.value("benchmark_report", std::string());
  if (j.contains("final")) {
    const Json& f = j.at("final");
    s.has_final = true;
    s.final_dataset = f.at("dataset").get<std::string>();
    s.final_parameters = f.at("parameters").get<int64_t>();
    s.final_test_top1 = f.at("test_top1").get<double>();
    s.final_test_top5 = f.at("test_top5").get<double>();
    s.final_test_loss = f.at("test_loss").get<double>();
  }
  return s;
}

Json parse_json_file(const std::string& path) {
  const std::string text = read_file(path);
  // nlohmann's copy and dump recurse per level: bound the depth first.
  check_json_nesting(text, path);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("'{}' is not valid JSON: {}", path, e.what()));
  }
}

// The CSV fields of one line (double quotes around fields with commas).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  out.push_back(std::move(field));
  return out;
}

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

// ---- opening ----

RunDirectory::RunDirectory(std::string path, bool writable)
    : path_(std::move(path)), writable_(writable) {}

RunDirectory::~RunDirectory() {
  if (results_fd_ >= 0) ::close(results_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string RunDirectory::file(const char* name) const { return (fs::path(path_) / name).string(); }

void RunDirectory::lock() {
  const std::string lock_path = file(kLockFile);
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  NASCPP_CHECK_DATA(lock_fd_ >= 0, "cannot open the lock file '{}': {}", lock_path,
                    std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string holder;
    try {
      holder = read_file(lock_path);
    } catch (const Error&) {
    }
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (error == EWOULDBLOCK) {
      while (!holder.empty() && holder.back() == '\n') holder.pop_back();
      throw ConfigError(fmt::format(
          "run directory '{}' is in use by another nascpp process ({}); wait for it to end, or "
          "choose another --out",
          path_, holder.empty() ? "unknown" : holder));
    }
    throw DataError(
        fmt::format("cannot lock the run directory '{}': {}", path_, std::strerror(error)));
  }
  const std::string who =
      fmt::format("pid {} on host {} since {}\n", ::getpid(), host_name(), now_iso());
  if (::ftruncate(lock_fd_, 0) == 0) {
    [[maybe_unused]] const auto n = ::pwrite(lock_fd_, who.data(), who.size(), 0);
  }
}

namespace {

// Entries of `dir` (not the lock file), and those nascpp did not write.
void list_entries(const std::string& dir, std::vector<std::string>& all,
                  std::vector<std::string>& foreign) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name == kLockFile) continue;
    all.push_back(name);
    if (!is_own_entry(name)) foreign.push_back(name);
  }
  std::sort(all.begin(), all.end());
  std::sort(foreign.begin(), foreign.end());
}

std::string first_names(const std::vector<std::string>& names) {
  std::vector<std::string> shown(names.begin(), names.begin() + std::min<size_t>(names.size(), 5));
  std::string out = join(shown);
  if (names.size() > shown.size()) out += fmt::format(" and {} more", names.size() - shown.size());
  return out;
}

void check_existing(const std::string& path, bool force, std::vector<std::string>* replace) {
  std::error_code ec;
  NASCPP_CHECK_CONFIG(fs::is_directory(path, ec), "run directory '{}' exists and is not a folder",
                      path);
  std::vector<std::string> all, foreign;
  list_entries(path, all, foreign);
  if (all.empty()) return;
  const bool started = fs::exists(fs::path(path) / kConfigFile) ||
                       fs::exists(fs::path(path) / kManifestFile);
  if (!force) {
    throw ConfigError(fmt::format(
        "run directory '{}' already exists and is not empty: {}", path,
        foreign.empty() ? (started ? "pass --resume to continue that run, --force to replace it, "
                                     "or choose another --out"
                                   : "it holds an interrupted run that never started (no "
                                     "config.yaml): --force starts it again")
                        : "it is not a run directory, so nascpp will not write into it; choose "
                          "another --out"));
  }
  NASCPP_CHECK_CONFIG(foreign.empty(),
                      "'{}' is not a run directory nascpp wrote (it holds other files: {}), and "
                      "--force replaces only those; nothing was deleted; choose another --out",
                      path, first_names(foreign));
  if (replace != nullptr) *replace = all;
}

}  // namespace

void RunDirectory::check_new(const std::string& path, bool force) {
  NASCPP_CHECK_CONFIG(!path.empty(), "no run directory given (--out DIR)");
  std::error_code ec;
  if (fs::exists(path, ec)) check_existing(path, force, nullptr);
}

std::unique_ptr<RunDirectory> RunDirectory::create(const std::string& path, bool force) {
  NASCPP_CHECK_CONFIG(!path.empty(), "no run directory given (--out DIR)");
  std::unique_ptr<RunDirectory> dir(new RunDirectory(path, true));
  std::error_code ec;
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  // mkdir is atomic: of two processes creating the same run, one gets EEXIST
  // and then waits for nothing: the lock below tells it who has the folder.
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    throw DataError(
        fmt::format("cannot create run directory '{}': {}", path, std::strerror(errno)));
  }
  dir->lock();
  std::vector<std::string> replace;
  check_existing(path, force, &replace);
  if (!replace.empty()) {
    for (const auto& name : replace) fs::remove_all(p / name, ec);
    logger()->warn("--force: replaced the previous run in '{}' ({})", path, join(replace));
  }
  fs::create_directories(p / kCheckpointDir, ec);
  NASCPP_CHECK_DATA(!ec, "cannot create '{}': {}", (p / kCheckpointDir).string(), ec.message());
  return dir;
}

std::unique_ptr<RunDirectory> RunDirectory::open_for_resume(const std::string& path) {
  std::error_code ec;
  NASCPP_CHECK_CONFIG(!path.empty() && fs::is_directory(path, ec),
                      "cannot resume '{}': no such run directory", path);
  std::unique_ptr<RunDirectory> dir(new RunDirectory(path, true));
  dir->lock();
  NASCPP_CHECK_CONFIG(fs::exists(dir->file(kConfigFile)),
                      "cannot resume '{}': it has no {}: {}", path, kConfigFile,
                      [&] {
                        std::vector<std::string> all, foreign;
                        list_entries(path, all, foreign);
                        return foreign.empty() ? std::string(
                                                     "the run was killed before it started, so "
                                                     "nothing of it can be kept; start it again "
                                                     "with --force")
                                               : std::string("it is not a run directory");
                      }());
  fs::create_directories(fs::path(path) / kCheckpointDir, ec);
  return dir;
}

std::unique_ptr<RunDirectory> RunDirectory::open_read_only(const std::string& path) {
  std::error_code ec;
  NASCPP_CHECK_CONFIG(fs::is_directory(path, ec), "'{}' is not a run directory", path);
  return std::unique_ptr<RunDirectory>(new RunDirectory(path, false));
}

bool RunDirectory::is_run(const std::string& path) {
  std::error_code ec;
  return fs::exists(fs::path(path) / kConfigFile, ec);
}

// ---- configuration and manifest ----

void RunDirectory::write_config(const ConfigNode& config) {
  NASCPP_ASSERT(writable_);
  config.write_resolved(file(kConfigFile));
}

ConfigNode RunDirectory::config() const { return ConfigNode::load_file(file(kConfigFile)); }

void RunDirectory::write_manifest(uint64_t seed, bool deterministic,
                                  const std::vector<std::string>& data_files,
                                  const std::string& command) {
  NASCPP_ASSERT(writable_);
  Json manifest = environment();
  manifest["seed"] = seed;
  manifest["deterministic_algorithms"] = deterministic;
  Json files = Json::array();
  for (const auto& f : data_files) {
    std::error_code ec;
    files.push_back({{"path", canonical(f)},
                     {"bytes", fs::file_size(f, ec)},
                     {"sha256", cached_sha256(f)}});
  }
  manifest["data_files"] = files;
  manifest["config_yaml"] = read_file(file(kConfigFile));
  manifest["sessions"] = Json::array();
  manifest["sessions"].push_back({{"started", now_iso()},
                                  {"resumed", false},
                                  {"host", host_name()},
                                  {"command", command},
                                  {"threads", environment().value("threads", Json())}});
  write_file_atomic(file(kManifestFile), manifest.dump(2) + "\n");
}

void RunDirectory::resume_session(const std::vector<std::string>& data_files,
                                  const std::string& command) {
  NASCPP_ASSERT(writable_);
  const std::string path = file(kManifestFile);
  Json manifest;
  if (fs::exists(path)) manifest = parse_json_file(path);
  if (manifest.is_object() && manifest.contains("config_yaml")) {
    const std::string before = manifest["config_yaml"].get<std::string>();
    const std::string now = read_file(file(kConfigFile));
    NASCPP_CHECK_CONFIG(
        before == now,
        "'{}' was edited after the run started ({}); a resumed run must continue with the "
        "configuration its results came from: restore the file, or start a new run (e.g. "
        "with the edited file as its configuration and another --out)",
        file(kConfigFile), config_difference(before, now));
  }
  if (manifest.is_object() && manifest.contains("data_files")) {
    std::map<std::string, Json> recorded;
    for (const auto& f : manifest["data_files"]) recorded[f.at("path").get<std::string>()] = f;
    for (const auto& f : data_files) {
      const std::string c = canonical(f);
      auto it = recorded.find(c);
      NASCPP_CHECK_DATA(it != recorded.end(),
                        "the resumed run reads data file '{}', which the run did not read when "
                        "it started (manifest.json): the data directory changed; refusing to mix "
                        "results of two data sets",
                        c);
      std::error_code ec;
      NASCPP_CHECK_DATA(fs::exists(c, ec), "data file '{}' of the run is gone", c);
      const std::string sha = cached_sha256(c);
      NASCPP_CHECK_DATA(sha == it->second.at("sha256").get<std::string>(),
                        "data file '{}' changed since the run started (sha256 {} now, {} in "
                        "manifest.json); refusing to mix results of two versions of the "
                        "table: restore the file, or start a new run",
                        c, sha, it->second.at("sha256").get<std::string>());
      recorded.erase(it);
    }
    NASCPP_CHECK_DATA(recorded.empty(),
                      "the run read data file '{}' when it started, the resumed run does not: "
                      "the configuration or data directory changed",
                      recorded.empty() ? std::string() : recorded.begin()->first);
  }
  if (!manifest.is_object()) {
    // Killed before the manifest was written: start it now.
    manifest = environment();
    manifest["sessions"] = Json::array();
  }
  manifest["sessions"].push_back({{"started", now_iso()},
                                  {"resumed", true},
                                  {"host", host_name()},
                                  {"command", command},
                                  {"threads", environment().value("threads", Json())}});
  write_file_atomic(path, manifest.dump(2) + "\n");
}

// ---- black-box results and checkpoints ----

void RunDirectory::append_evaluation(const Evaluation& e, const SearchSpace& space) {
  NASCPP_ASSERT(writable_);
  const std::string path = file(kResultsFile);
  if (results_fd_ < 0) {
    results_fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    NASCPP_CHECK_DATA(results_fd_ >= 0, "cannot open '{}' for appending: {}", path,
                      std::strerror(errno));
  }
  const std::string line = evaluation_json(e, space).dump() + "\n";
  // One write: a kill leaves the line whole or partial, never interleaved.
  const ssize_t n = ::write(results_fd_, line.data(), line.size());
  NASCPP_CHECK_DATA(n == static_cast<ssize_t>(line.size()), "writing '{}' failed: {}", path,
                    n < 0 ? std::strerror(errno) : "short write");
}

std::vector<Evaluation> RunDirectory::evaluations(const SearchSpace& space) {
  const std::string path = file(kResultsFile);
  std::vector<Evaluation> out;
  if (!fs::exists(path)) return out;
  const std::string text = read_file(path);
  size_t start = 0, number = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      // A partial last line: the append a kill interrupted.
      if (writable_) {
        std::error_code ec;
        fs::resize_file(path, start, ec);
        NASCPP_CHECK_DATA(!ec, "cannot cut the partial last line of '{}': {}", path, ec.message());
        logger()->info("'{}': dropped the partial last line an interruption left", path);
      }
      break;
    }
    ++number;
    const std::string_view line(text.data() + start, end - start);
    check_json_nesting(line, fmt::format("'{}' line {}", path, number));
    try {
      out.push_back(evaluation_from_json(Json::parse(line), space));
    } catch (const Json::exception& e) {
      throw DataError(fmt::format("'{}' line {}: {}", path, number, e.what()));
    } catch (const Error& e) {
      throw DataError(fmt::format("'{}' line {}: {}", path, number, e.what()));
    }
    NASCPP_CHECK_DATA(out.back().query == static_cast<int64_t>(out.size()) - 1,
                      "'{}' line {}: query {} out of order", path, number, out.back().query);
    start = end + 1;
  }
  return out;
}

void RunDirectory::write_search_checkpoint(const SearchCheckpoint& c) {
  NASCPP_ASSERT(writable_);
  Json running = Json::array();
  for (const auto& r : c.running) running.push_back({r.trial, r.worker, r.start_s});
  const Json j = {{"format", kSearchStateFormat}, {"completed", c.completed},
                  {"optimizer", c.optimizer_state}, {"rng", c.rng_state},
                  {"clock", c.clock},             {"running", running}};
  write_file_atomic(file(kSearchState), j.dump());
}

std::optional<SearchCheckpoint> RunDirectory::search_checkpoint() const {
  const std::string path = file(kSearchState);
  if (!fs::exists(path)) return std::nullopt;
  const Json j = parse_json_file(path);
  try {
    if (!j.contains("format")) {
      // Round 1's checkpoint (no pending trials): the log alone is replayed.
      logger()->info("'{}' is a checkpoint of an earlier nascpp: the whole log is replayed", path);
      return std::nullopt;
    }
    NASCPP_CHECK_DATA(j.at("format").get<std::string>() == kSearchStateFormat,
                      "unknown checkpoint format '{}', expected '{}'",
                      j.at("format").get<std::string>(), kSearchStateFormat);
    SearchCheckpoint c;
    c.completed = j.at("completed").get<int64_t>();
    c.optimizer_state = j.at("optimizer").get<std::string>();
    c.rng_state = j.at("rng").get<std::string>();
    c.clock = j.at("clock").get<double>();
    for (const auto& r : j.at("running")) {
      c.running.push_back({r.at(0).get<int64_t>(), r.at(1).get<int64_t>(), r.at(2).get<double>()});
    }
    return c;
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("search checkpoint '{}' is corrupt: {}", path, e.what()));
  } catch (const DataError& e) {
    throw DataError(fmt::format("search checkpoint '{}': {}", path, e.what()));
  }
}

std::string RunDirectory::trial_checkpoint_dir() const { return file(kTrialCheckpoints); }

// ---- one-shot results ----

void RunDirectory::append_epoch(const OneShotEpochLine& l) {
  NASCPP_ASSERT(writable_);
  Json j = {{"epoch", l.epoch},
            {"arch", l.arch},
            {"train_loss", number_or_null(l.train_loss)},
            {"train_acc", number_or_null(l.train_acc)},
            {"valid_loss", number_or_null(l.valid_loss)},
            {"valid_acc", number_or_null(l.valid_acc)},
            {"learning_rate", l.learning_rate},
            {"alpha_softmax", l.alpha_softmax},
            {"cost", l.cost}};
  j["benchmark"] = l.benchmark ? Json(*l.benchmark) : Json(nullptr);
  append_line(file(kResultsFile), j.dump());
}

std::string RunDirectory::warm_start_path() const { return file(kWarmStartCsv); }

std::vector<OneShotEpochLine> RunDirectory::epochs() const {
  const std::string path = file(kResultsFile);
  std::vector<OneShotEpochLine> out;
  size_t number = 0;
  const auto value = [](const Json& v) {
    return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
  };
  for (const auto& text : read_complete_lines(path)) {
    ++number;
    try {
      const Json j = Json::parse(text);
      OneShotEpochLine l;
      l.epoch = j.at("epoch").get<int64_t>();
      l.arch = j.at("arch").get<std::string>();
      l.train_loss = value(j.at("train_loss"));
      l.train_acc = value(j.at("train_acc"));
      l.valid_loss = value(j.at("valid_loss"));
      l.valid_acc = value(j.at("valid_acc"));
      l.learning_rate = j.at("learning_rate").get<double>();
      l.alpha_softmax = j.at("alpha_softmax").get<decltype(l.alpha_softmax)>();
      if (!j.at("benchmark").is_null()) l.benchmark = j.at("benchmark").get<double>();
      l.cost = j.at("cost").get<double>();
      out.push_back(std::move(l));
    } catch (const Json::exception& e) {
      throw DataError(fmt::format("'{}' line {}: {}", path, number, e.what()));
    }
  }
  return out;
}

void RunDirectory::keep_epochs_before(int64_t epoch) {
  NASCPP_ASSERT(writable_);
  const std::string path = file(kResultsFile);
  std::string keep;
  for (const auto& line : read_complete_lines(path)) {
    int64_t e = 0;
    try {
      e = Json::parse(line).at("epoch").get<int64_t>();
    } catch (const Json::exception& ex) {
      throw DataError(fmt::format("'{}': a line is malformed: {}", path, ex.what()));
    }
    if (e < epoch) keep += line + "\n";
  }
  write_file_atomic(path, keep);
}

std::string RunDirectory::one_shot_checkpoint_path() const { return file(kSearchCheckpoint); }
std::string RunDirectory::final_checkpoint_path() const { return file(kFinalCheckpoint); }
std::string RunDirectory::final_metrics_path() const { return file(kFinalMetricsFile); }
std::string RunDirectory::log_path() const { return file(kLogFile); }

void RunDirectory::append_log(const std::string& level, const std::string& message) {
  NASCPP_ASSERT(writable_);
  const auto now = std::chrono::system_clock::now();
  const auto t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  append_line(file(kLogFile), fmt::format("[{}.{:03d}] [{}] {}", stamp, ms, level, message));
}

// ---- trajectory, Pareto front, summary ----

void RunDirectory::write_trajectory(const std::vector<TrajectoryRow>& rows) {
  NASCPP_ASSERT(writable_);
  // fmt's shortest round-trip form: exact, and much faster than iostreams.
  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out),
                 "step,cost_s,time_s,wall_s,epochs,trial,fidelity_epochs,start_s,worker,objective,"
                 "report,benchmark,architecture\n");
  for (const auto& r : rows) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},", r.step, r.cost_s,
                   r.time_s, r.wall_s, r.epochs, r.trial, r.fidelity_epochs, r.start_s, r.worker);
    if (!std::isnan(r.objective)) fmt::format_to(std::back_inserter(out), "{}", r.objective);
    out.push_back(',');
    if (r.report) fmt::format_to(std::back_inserter(out), "{}", *r.report);
    out.push_back(',');
    if (r.benchmark) fmt::format_to(std::back_inserter(out), "{}", *r.benchmark);
    fmt::format_to(std::back_inserter(out), ",{}\n", quote(r.architecture));
  }
  write_file_atomic(file(kTrajectoryFile), fmt::to_string(out));
}

std::vector<TrajectoryRow> RunDirectory::trajectory() const {
  const std::string path = file(kTrajectoryFile);
  const auto lines = read_complete_lines(path);
  NASCPP_CHECK_DATA(!lines.empty(), "'{}' is missing or empty", path);
  const auto header = csv_fields(lines[0]);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* required : {"step", "cost_s", "wall_s", "objective", "report", "architecture"}) {
    NASCPP_CHECK_DATA(column.count(required) == 1, "'{}': the header lacks the column '{}'", path,
                      required);
  }
  std::vector<TrajectoryRow> rows;
  for (size_t n = 1; n < lines.size(); ++n) {
    const auto f = csv_fields(lines[n]);
    NASCPP_CHECK_DATA(f.size() == header.size(), "'{}' line {}: {} fields, the header has {}",
                      path, n + 1, f.size(), header.size());
    const auto number = [&](const char* name, double fallback) {
      auto it = column.find(name);
      if (it == column.end() || f[it->second].empty()) return fallback;
      try {
        return std::stod(f[it->second]);
      } catch (const std::exception&) {
        throw DataError(fmt::format("'{}' line {}: column '{}' is not a number: '{}'", path, n + 1,
                                    name, f[it->second]));
      }
    };
    TrajectoryRow r;
    r.step = static_cast<int64_t>(number("step", 0));
    r.cost_s = number("cost_s", 0);
    r.wall_s = number("wall_s", 0);
    r.time_s = number("time_s", r.cost_s);
    r.epochs = number("epochs", 0);
    r.trial = static_cast<int64_t>(number("trial", -1));
    r.fidelity_epochs = static_cast<int64_t>(number("fidelity_epochs", 0));
    r.start_s = number("start_s", 0);
    r.worker = static_cast<int64_t>(number("worker", 0));
    r.objective = number("objective", std::numeric_limits<double>::quiet_NaN());
    if (!f[column["report"]].empty()) r.report = number("report", 0);
    if (auto it = column.find("benchmark"); it != column.end() && !f[it->second].empty()) {
      r.benchmark = number("benchmark", 0);
    }
    r.architecture = f[column["architecture"]];
    rows.push_back(std::move(r));
  }
  return rows;
}

void RunDirectory::write_pareto(const std::vector<Evaluation>& evaluations,
                                const std::vector<size_t>& front, const std::string& metric,
                                const SearchSpace& space) {
  NASCPP_ASSERT(writable_);
  const auto format = [&space](const Architecture& a) { return space.format(a); };
  write_pareto_csv(file(kParetoCsv), evaluations, front, metric, format);
  write_pareto_json(file(kParetoJson), evaluations, front, metric, format);
}

std::string RunDirectory::pareto_csv() const {
  std::error_code ec;
  return fs::exists(file(kParetoCsv), ec) ? file(kParetoCsv) : std::string();
}

void RunDirectory::write_summary(const ExperimentSummary& summary) {
  NASCPP_ASSERT(writable_);
  write_file_atomic(file(kSummaryFile), summary_json(summary).dump(2) + "\n");
}

std::optional<ExperimentSummary> RunDirectory::summary() const {
  const std::string path = file(kSummaryFile);
  if (!fs::exists(path)) return std::nullopt;
  try {
    return summary_from_json(parse_json_file(path));
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("'{}' is malformed: {}", path, e.what()));
  }
}

std::vector<std::string> seed_directories(const std::string& study) {
  std::vector<std::pair<uint64_t, std::string>> found;
  std::error_code ec;
  if (!fs::is_directory(study, ec)) return {};
  for (const auto& entry : fs::directory_iterator(study)) {
    const auto name = entry.path().filename().string();
    if (!entry.is_directory() || name.rfind("seed-", 0) != 0) continue;
    const std::string digits = name.substr(5);
    if (digits.empty() || digits.size() > 18 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    found.emplace_back(std::stoull(digits), entry.path().string());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& [seed, path] : found) out.push_back(std::move(path));
  return out;
}

}  // namespace nascpp

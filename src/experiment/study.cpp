// Studies: one configuration over several seeds (include/nascpp/experiment.h).
#include <atomic>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/core/nesting.h"
#include "nascpp/experiment.h"
#include "parts.h"

namespace nascpp {

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kStudyConfig = "study.yaml";
constexpr const char* kStudyFile = "study.json";
constexpr const char* kStudyFormat = "nascpp-study-1";

std::string seed_dir(const std::string& out, uint64_t seed) {
  return (fs::path(out) / ("seed-" + std::to_string(seed))).string();
}

ConfigNode seed_config(const std::string& text, const std::string& origin, uint64_t seed) {
  auto cfg = ConfigNode::parse(text, origin);
  cfg.apply_override("seed=" + std::to_string(seed));
  return cfg;
}

// Runs `run(i)` for i in [0, n) on `jobs` threads; the first error stops
// the others from starting new items and is rethrown.
void for_each_parallel(size_t n, int64_t jobs, const std::function<void(size_t)>& run) {
  if (jobs <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) run(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::vector<std::thread> threads;
  const auto workers = std::min<size_t>(static_cast<size_t>(jobs), n);
  for (size_t t = 0; t < workers; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        if (failed) return;
        const size_t i = next++;
        if (i >= n) return;
        try {
          run(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(mutex);
          if (!error) error = std::current_exception();
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

void check_study_options(const StudyOptions& options) {
  NASCPP_CHECK_CONFIG(!options.out().empty(), "a study needs a folder (--out DIR)");
  NASCPP_CHECK_CONFIG(options.jobs() >= 1 && options.jobs() <= 1024,
                      "--jobs must be between 1 and 1024, got {}", options.jobs());
}

}  // namespace

bool is_study(const std::string& dir) {
  std::error_code ec;
  return fs::exists(fs::path(dir) / kStudyFile, ec);
}

std::vector<ExperimentSummary> run_study(ConfigNode config, const StudyOptions& options) {
  check_study_options(options);
  NASCPP_CHECK_CONFIG(!options.seeds().empty(), "a study needs at least one seed");
  const std::string& out = options.out();
  // Every seed's directory before the first run starts.
  for (const auto seed : options.seeds()) RunDirectory::check_new(seed_dir(out, seed), options.force());
  std::error_code ec;
  if (fs::is_directory(out, ec)) {
    // The study folder holds studies only: never write into a user's folder.
    std::vector<std::string> foreign;
    for (const auto& entry : fs::directory_iterator(out)) {
      const std::string name = entry.path().filename().string();
      const bool own = name.rfind("seed-", 0) == 0 || name == kStudyConfig || name == kStudyFile ||
                       name == std::string(kStudyConfig) + ".tmp" ||
                       name == std::string(kStudyFile) + ".tmp";
      if (!own) foreign.push_back(name);
    }
    NASCPP_CHECK_CONFIG(foreign.empty(),
                        "'{}' is not a study folder nascpp wrote (it holds {}), so nascpp will not "
                        "write into it, even with --force; choose another --out",
                        out, join(foreign));
  } else if (fs::exists(out, ec)) {
    throw ConfigError(fmt::format("study folder '{}' exists and is not a folder", out));
  }
  if (is_study(out) && !options.force()) {
    throw ConfigError(fmt::format(
        "'{}' holds another study (its {}): --resume it, --force to replace it, or choose another "
        "--out",
        out, kStudyFile));
  }
  YAML::Emitter emitter;
  emitter << config.raw();
  const std::string text = std::string(emitter.c_str()) + "\n";
  // The configuration is checked (and its tables read, then kept loaded for
  // every seed) before anything is written.
  auto first = seed_config(text, out + "/" + kStudyConfig, options.seeds().front());
  const detail::Parts keep_loaded = detail::build_parts(first);
  fs::create_directories(out, ec);
  NASCPP_CHECK_DATA(!ec, "cannot create the study folder '{}': {}", out, ec.message());
  write_file_atomic((fs::path(out) / kStudyConfig).string(), text);
  write_file_atomic(
      (fs::path(out) / kStudyFile).string(),
      Json{{"format", kStudyFormat}, {"seeds", options.seeds()}, {"config_yaml", text}}.dump(2) +
          "\n");

  std::vector<ExperimentSummary> summaries(options.seeds().size());
  for_each_parallel(options.seeds().size(), options.jobs(), [&](size_t i) {
    const uint64_t seed = options.seeds()[i];
    const std::string dir = seed_dir(out, seed);
    auto run = options.run();
    run.run_dir(dir).resume(false).force(options.force());
    summaries[i] = run_experiment(seed_config(text, out + "/" + kStudyConfig, seed), run);
    if (options.on_done()) options.on_done()(dir, summaries[i]);
  });
  return summaries;
}

std::vector<ExperimentSummary> resume_study(const StudyOptions& options) {
  check_study_options(options);
  const std::string& out = options.out();
  NASCPP_CHECK_CONFIG(is_study(out), "'{}' is not a study folder (it has no {})", out,
                      kStudyFile);
  const std::string study_path = (fs::path(out) / kStudyFile).string();
  std::vector<uint64_t> seeds;
  std::string started_with;
  try {
    const std::string text = read_file(study_path);
    check_json_nesting(text, study_path);
    const Json j = Json::parse(text);
    NASCPP_CHECK_DATA(j.at("format").get<std::string>() == kStudyFormat,
                      "unknown study format '{}'", j.at("format").get<std::string>());
    seeds = j.at("seeds").get<std::vector<uint64_t>>();
    started_with = j.at("config_yaml").get<std::string>();
  } catch (const Json::exception& e) {
    throw DataError(fmt::format("'{}' is malformed: {}", study_path, e.what()));
  }
  NASCPP_CHECK_DATA(!seeds.empty(), "'{}' lists no seeds", study_path);
  const std::string config_path = (fs::path(out) / kStudyConfig).string();
  const std::string text = read_file(config_path);
  NASCPP_CHECK_CONFIG(text == started_with,
                      "'{}' was edited after the study started; the seeds not yet run would use "
                      "another configuration than those that ran: restore it, or start a new "
                      "study with another --out",
                      config_path);
  auto first = seed_config(text, config_path, seeds.front());
  const detail::Parts keep_loaded = detail::build_parts(first);

  std::vector<ExperimentSummary> summaries(seeds.size());
  for_each_parallel(seeds.size(), options.jobs(), [&](size_t i) {
    const std::string dir = seed_dir(out, seeds[i]);
    auto run = options.run();
    run.run_dir(dir);
    if (RunDirectory::is_run(dir)) {
      summaries[i] = run_experiment(ConfigNode(), run.resume(true).force(false));
    } else {
      // Not started (or killed before its configuration was written):
      // start it, replacing only what nascpp left there.
      logger()->info("study '{}': seed {} had not started; running it", out, seeds[i]);
      summaries[i] = run_experiment(seed_config(text, config_path, seeds[i]),
                                    run.resume(false).force(true));
    }
    if (options.on_done()) options.on_done()(dir, summaries[i]);
  });
  return summaries;
}

std::vector<uint64_t> parse_seed_list(const std::string& text) {
  std::vector<uint64_t> seeds;
  const auto bad = [&text](const std::string& part, const std::string& why) {
    return ConfigError(fmt::format(
        "--seeds '{}': {} in '{}' (valid forms: 3, 0-9, 0,2,5-7; ascending, no repeats)", text,
        why, part));
  };
  const auto number = [&](const std::string& s, const std::string& part) {
    NASCPP_CHECK_CONFIG(!s.empty() && s.find_first_not_of("0123456789") == std::string::npos &&
                            s.size() <= 18,
                        "{}", bad(part, "'" + s + "' is not a non-negative integer").what());
    return static_cast<uint64_t>(std::stoull(s));
  };
  // getline drops an empty last part: "0,1," would pass as "0,1".
  if (!text.empty() && text.back() == ',') throw bad(text, "an empty entry after the last ','");
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    const auto dash = part.find('-');
    uint64_t lo = 0, hi = 0;
    if (dash == std::string::npos) {
      lo = hi = number(part, part);
    } else {
      lo = number(part.substr(0, dash), part);
      hi = number(part.substr(dash + 1), part);
      if (hi < lo) throw bad(part, "the range runs backwards");
      if (hi - lo >= 100000) throw bad(part, "more than 100000 seeds");
    }
    for (uint64_t s = lo; s <= hi; ++s) {
      if (!seeds.empty() && s <= seeds.back()) throw bad(part, "seeds repeat or are not ascending");
      seeds.push_back(s);
    }
  }
  if (seeds.empty()) throw bad(text, "no seeds");
  return seeds;
}

}  // namespace nascpp

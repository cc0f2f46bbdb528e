#include "optimizers/bananas/bananas.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "nascpp/core/error.h"
#include "nascpp/core/log.h"
#include "nascpp/registries.h"
#include "optimizers/common/state.h"
#include "optimizers/predictors/mlp_ensemble.h"

namespace nascpp {

namespace {
constexpr int kRandomAttempts = 1000;
constexpr double kPi = 3.14159265358979323846;
// a > b with NaN below every number (a strict weak ordering, unlike `>`).
bool greater_nan_last(double a, double b) {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return a > b;
}

}  // namespace

const std::vector<std::string>& BananasOptions::acquisitions() {
  static const std::vector<std::string> names = {"ei", "exploit_only", "its", "ucb"};
  return names;
}

const std::vector<std::string>& BananasOptions::candidate_kinds() {
  static const std::vector<std::string> names = {"mutation", "random"};
  return names;
}

namespace {

// The bananas keys over the defaults in `o`.
BananasOptions read_options(ConfigNode& cfg, BananasOptions o) {
  o.num_init(cfg.get<int64_t>("num_init", o.num_init()));
  o.k(cfg.get<int64_t>("k", o.k()));
  o.num_candidates(cfg.get<int64_t>("num_candidates", o.num_candidates()));
  o.num_arches_to_mutate(cfg.get<int64_t>("num_arches_to_mutate", o.num_arches_to_mutate()));
  o.max_mutations(cfg.get<int64_t>("max_mutations", o.max_mutations()));
  o.acquisition(cfg.get_choice("acquisition", o.acquisition(), BananasOptions::acquisitions()));
  o.explore_factor(cfg.get<double>("explore_factor", o.explore_factor()));
  o.ei_calibration_factor(cfg.get<double>("ei_calibration_factor", o.ei_calibration_factor()));
  o.encoding(cfg.get<std::string>("encoding", o.encoding()));
  o.candidates(cfg.get_choice("candidates", o.candidates(), BananasOptions::candidate_kinds()));
  o.validate();
  return o;
}

std::unique_ptr<Optimizer> make(ConfigNode& config, const BananasOptions& defaults,
                                const char* name) {
  BananasOptions options = read_options(config, defaults);
  auto section = config.section("predictor");
  const std::string predictor = section.get<std::string>("name", MlpEnsemble::kName);
  return std::make_unique<Bananas>(options, predictor_registry().create(predictor, section), name);
}

}  // namespace

BananasOptions BananasOptions::from_config(ConfigNode& cfg) {
  return read_options(cfg, BananasOptions());
}

void BananasOptions::validate() const {
  NASCPP_CHECK_CONFIG(num_init_ >= 1, "bananas num_init must be >= 1, got {}", num_init_);
  NASCPP_CHECK_CONFIG(k_ >= 1, "bananas k must be >= 1, got {}", k_);
  NASCPP_CHECK_CONFIG(num_candidates_ >= 1, "bananas num_candidates must be >= 1, got {}",
                      num_candidates_);
  NASCPP_CHECK_CONFIG(num_arches_to_mutate_ >= 1,
                      "bananas num_arches_to_mutate must be >= 1, got {}", num_arches_to_mutate_);
  NASCPP_CHECK_CONFIG(max_mutations_ >= 1, "bananas max_mutations must be >= 1, got {}",
                      max_mutations_);
  const auto& names = acquisitions();
  NASCPP_CHECK_CONFIG(std::find(names.begin(), names.end(), acquisition_) != names.end(),
                      "bananas: {}", unknown_choice_message("acquisition", acquisition_, names));
  NASCPP_CHECK_CONFIG(explore_factor_ >= 0 && std::isfinite(explore_factor_),
                      "bananas explore_factor must be a finite number >= 0, got {}",
                      explore_factor_);
  const auto& kinds = candidate_kinds();
  NASCPP_CHECK_CONFIG(std::find(kinds.begin(), kinds.end(), candidates_) != kinds.end(),
                      "bananas: {}", unknown_choice_message("candidates", candidates_, kinds));
  NASCPP_CHECK_CONFIG(ei_calibration_factor_ > 0 && std::isfinite(ei_calibration_factor_),
                      "bananas ei_calibration_factor must be a finite positive number, got {}",
                      ei_calibration_factor_);
}

Bananas::Bananas(BananasOptions options, std::unique_ptr<Predictor> predictor, std::string name)
    : options_(std::move(options)), predictor_(std::move(predictor)), name_(std::move(name)) {
  options_.validate();
  if (!predictor_) predictor_ = std::make_unique<MlpEnsemble>();
}

Bananas::~Bananas() = default;

std::unique_ptr<Optimizer> Bananas::from_config(ConfigNode& config) {
  return make(config, BananasOptions(), kName);
}

std::unique_ptr<Optimizer> Bananas::npenas_from_config(ConfigNode& config) {
  return make(config, BananasOptions().acquisition("exploit_only"), "npenas");
}

std::unique_ptr<Optimizer> Bananas::bp_from_config(ConfigNode& config) {
  const auto budget = config.get<int64_t>("budget", 100);
  NASCPP_CHECK_CONFIG(budget >= 2 && budget <= 100'000'000,
                      "bp budget (the search's queries) must be in [2, 100000000], got {}", budget);
  // Wen et al. (2019) train on 172 and evaluate the top 20: k/budget = 20/172.
  const int64_t k = std::max<int64_t>(1, budget * 20 / 172);
  return make(config,
              BananasOptions()
                  .num_init(budget - k)
                  .k(k)
                  .num_candidates(2 * budget)
                  .acquisition("exploit_only")
                  .candidates("random"),
              "bp");
}

void Bananas::do_attach() {
  const auto encodings = space().encodings();
  NASCPP_CHECK_CONFIG(!encodings.empty(), "bananas: search space '{}' offers no encoding",
                      space().name());
  const std::string required = predictor_->required_encoding();
  if (!required.empty()) {
    NASCPP_CHECK_CONFIG(
        std::find(encodings.begin(), encodings.end(), required) != encodings.end(),
        "{}: predictor '{}' reads the '{}' encoding, which search space '{}' does not offer "
        "({})",
        name(), predictor_->name(), required, space().name(), join(encodings));
    NASCPP_CHECK_CONFIG(options_.encoding().empty() || options_.encoding() == required,
                        "{}: predictor '{}' reads the '{}' encoding, not encoding '{}' (leave "
                        "`encoding` unset)",
                        name(), predictor_->name(), required, options_.encoding());
    encoding_ = required;
  } else if (options_.encoding().empty()) {
    encoding_ = std::find(encodings.begin(), encodings.end(), "path") != encodings.end()
                    ? "path"
                    : encodings.front();
  } else {
    NASCPP_CHECK_CONFIG(
        std::find(encodings.begin(), encodings.end(), options_.encoding()) != encodings.end(),
        "bananas: {}",
        unknown_choice_message("encoding of search space '" + space().name() + "'",
                               options_.encoding(), encodings));
    encoding_ = options_.encoding();
  }
  asked_ = 0;
  pending_ = 0;
  rounds_ = 0;
  told_archs_.clear();
  told_values_.clear();
  told_features_ = FeatureMatrix();
  proposed_.clear();
  batch_.clear();
}

Architecture Bananas::propose(Architecture arch) {
  proposed_.insert(arch);
  ++asked_;
  ++pending_;
  return arch;
}

Architecture Bananas::propose_random() {
  Architecture arch = space().sample(rng());
  for (int i = 1; i < kRandomAttempts && proposed_.count(arch) != 0; ++i) {
    arch = space().sample(rng());
  }
  return propose(std::move(arch));
}

double Bananas::acquisition_value(const Prediction& p, double best_y) {
  // A diverged predictor's value ranks nothing (and draws nothing from the
  // generator, so that sane rounds are unchanged).
  if (!std::isfinite(p.mean) || !std::isfinite(p.stddev)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  const std::string& acq = options_.acquisition();
  if (acq == "its") return p.stddev > 0 ? rng().normal(p.mean, p.stddev) : p.mean;
  if (acq == "ucb") return p.mean + options_.explore_factor() * p.stddev;
  if (acq == "exploit_only") return p.mean;
  // Expected improvement with a calibrated (shrunk) standard deviation.
  const double s = p.stddev / options_.ei_calibration_factor();
  if (s <= 0) return std::max(0.0, p.mean - best_y);
  const double gamma = (p.mean - best_y) / s;
  const double cdf = 0.5 * std::erfc(-gamma / std::sqrt(2.0));
  const double pdf = std::exp(-0.5 * gamma * gamma) / std::sqrt(2.0 * kPi);
  return s * (gamma * cdf + pdf);
}

void Bananas::plan_round() {
  ++rounds_;
  predictor_->fit(told_features_, told_values_, rng());
  std::string warning = predictor_->fit_warning();

  // The best evaluated architectures (ties: the earlier one; a NaN objective
  // counts as the worst, which keeps the order a strict weak ordering).
  std::vector<size_t> order(told_values_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [this](size_t a, size_t b) {
    return greater_nan_last(told_values_[a], told_values_[b]);
  });
  const size_t parents =
      std::min(order.size(), static_cast<size_t>(options_.num_arches_to_mutate()));
  const int64_t per_parent = std::max<int64_t>(
      1, options_.num_candidates() / static_cast<int64_t>(parents) / options_.max_mutations());

  std::vector<Architecture> candidates;
  std::unordered_set<Architecture> unique;
  FeatureMatrix features;
  if (options_.candidates() == "random") {
    // Unseen random architectures (a finite space may hold fewer).
    for (int64_t c = 0; c < options_.num_candidates(); ++c) {
      Architecture cand = space().sample(rng());
      for (int i = 1;
           i < kRandomAttempts && (proposed_.count(cand) != 0 || unique.count(cand) != 0); ++i) {
        cand = space().sample(rng());
      }
      if (proposed_.count(cand) != 0 || !unique.insert(cand).second) continue;
      features.append(space().encode(cand, encoding_));
      candidates.push_back(std::move(cand));
    }
  }
  for (size_t p = 0; p < parents && options_.candidates() == "mutation"; ++p) {
    const Architecture& parent = told_archs_[order[p]];
    for (int64_t c = 0; c < per_parent; ++c) {
      Architecture cand = parent;
      for (int64_t m = 0; m < options_.max_mutations(); ++m) cand = space().mutate(cand, rng());
      if (proposed_.count(cand) != 0 || !unique.insert(cand).second) continue;
      features.append(space().encode(cand, encoding_));
      candidates.push_back(std::move(cand));
    }
  }

  std::vector<size_t> chosen;
  if (!candidates.empty()) {
    const auto predictions = predictor_->predict(features);
    const double best_y = told_values_[order.front()];
    std::vector<double> values(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
      values[i] = acquisition_value(predictions[i], best_y);
    }
    // Candidates with a finite value, best first; those without one (a
    // diverged predictor) after them in random order: when the whole
    // prediction diverged the round is a random choice among the candidates.
    std::vector<size_t> unranked;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (std::isfinite(values[i])) {
        chosen.push_back(i);
      } else {
        unranked.push_back(i);
      }
    }
    std::stable_sort(chosen.begin(), chosen.end(),
                     [&values](size_t a, size_t b) { return values[a] > values[b]; });
    if (!unranked.empty()) {
      for (size_t i = unranked.size(); i > 1; --i) {
        std::swap(unranked[i - 1], unranked[rng().index(i)]);
      }
      const std::string what =
          unranked.size() == candidates.size()
              ? fmt::format(
                    "all {} candidates' predictions are NaN or infinite; this round's "
                    "proposals are drawn at random from the candidates",
                    candidates.size())
              : fmt::format(
                    "{} of {} candidates' predictions are NaN or infinite; they rank "
                    "after the others, in random order",
                    unranked.size(), candidates.size());
      warning += (warning.empty() ? "" : "; ") + what;
      chosen.insert(chosen.end(), unranked.begin(), unranked.end());
    }
    chosen.resize(std::min(chosen.size(), static_cast<size_t>(options_.k())));
  }
  if (!warning.empty()) {
    // Once per fit: the search goes on with the fallback above.
    logger()->warn("optimizer '{}', round {}: predictor '{}': {}", name(), rounds_,
                   predictor_->name(), warning);
  }
  std::vector<Architecture> plan;
  for (size_t i : chosen) plan.push_back(candidates[i]);
  for (const auto& a : plan) proposed_.insert(a);
  // Too few distinct new candidates: fill the round with unseen random ones.
  while (static_cast<int64_t>(plan.size()) < options_.k()) {
    Architecture arch = space().sample(rng());
    for (int i = 1; i < kRandomAttempts && proposed_.count(arch) != 0; ++i) {
      arch = space().sample(rng());
    }
    proposed_.insert(arch);
    plan.push_back(std::move(arch));
  }
  batch_.assign(plan.rbegin(), plan.rend());  // best first when taken from the back
}

bool Bananas::do_ask(Trial& trial) {
  // A round is planned from every result so far (the paper's synchronous
  // batches of k): with results still pending, wait for them.
  if (asked_ >= options_.num_init() && batch_.empty() && pending_ > 0) return false;
  trial.arch = next_architecture();
  return true;
}

Architecture Bananas::next_architecture() {
  if (asked_ < options_.num_init()) {
    // A warm start's best-scored architectures first (nascpp/warm_start.h).
    if (auto warm = next_warm_start()) return propose(std::move(*warm));
    return propose_random();
  }
  if (batch_.empty()) {
    // Nothing told yet that is not a failure: explore at random.
    if (told_values_.empty()) return propose_random();
    plan_round();
  }
  // The batch is proposed as pending trials: with k evaluations in flight,
  // up to k of its members run at once.
  Architecture next = std::move(batch_.back());
  batch_.pop_back();
  return propose(std::move(next));
}

void Bananas::do_tell(const Trial& trial, const EvaluationResult& result) {
  const Architecture& arch = trial.arch;
  if (pending_ > 0) --pending_;
  proposed_.insert(arch);
  // A failed evaluation has no value to fit the predictor on; it stays
  // proposed, so it is never proposed again.
  if (result.failed()) return;
  told_features_.append(space().encode(arch, encoding_));
  told_archs_.push_back(arch);
  told_values_.push_back(result.objective);
}

std::string Bananas::do_save_state() const {
  nlohmann::json told = nlohmann::json::array();
  for (size_t i = 0; i < told_archs_.size(); ++i) {
    told.push_back({{"arch", detail::arch_to_json(told_archs_[i])}, {"value", told_values_[i]}});
  }
  std::vector<Architecture> proposed(proposed_.begin(), proposed_.end());
  std::sort(proposed.begin(), proposed.end());
  nlohmann::json proposed_json = nlohmann::json::array();
  for (const auto& a : proposed) proposed_json.push_back(detail::arch_to_json(a));
  nlohmann::json batch = nlohmann::json::array();
  for (const auto& a : batch_) batch.push_back(detail::arch_to_json(a));
  return nlohmann::json{{"asked", asked_}, {"pending", pending_},       {"rounds", rounds_},
                        {"told", told},    {"proposed", proposed_json}, {"batch", batch}}
      .dump();
}

void Bananas::do_load_state(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  auto list = [&](const char* key) -> const nlohmann::json& {
    const auto& v = detail::state_at(s, key, name());
    NASCPP_CHECK_DATA(v.is_array(), "optimizer '{}': saved '{}' is not a list", name(), key);
    return v;
  };
  do_attach();
  asked_ = detail::state_get<int64_t>(s, "asked", name());
  pending_ = detail::state_get<int64_t>(s, "pending", name());
  rounds_ = detail::state_get<int64_t>(s, "rounds", name());
  for (const auto& t : list("told")) {
    Architecture a = detail::arch_from_json(detail::state_at(t, "arch", name()), space(), name());
    told_features_.append(space().encode(a, encoding_));
    told_values_.push_back(detail::state_get<double>(t, "value", name()));
    told_archs_.push_back(std::move(a));
  }
  for (const auto& a : list("proposed"))
    proposed_.insert(detail::arch_from_json(a, space(), name()));
  for (const auto& a : list("batch")) batch_.push_back(detail::arch_from_json(a, space(), name()));
}

}  // namespace nascpp

#include "optimizers/multi_fidelity/bohb.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

BohbOptions BohbOptions::from_config(ConfigNode& cfg) {
  BohbOptions o;
  o.brackets(BracketOptions::from_config(cfg));
  o.min_points_in_model(cfg.get<int64_t>("min_points_in_model", o.min_points_in_model()));
  o.top_n_percent(cfg.get<double>("top_n_percent", o.top_n_percent()));
  o.num_samples(cfg.get<int64_t>("num_samples", o.num_samples()));
  o.random_fraction(cfg.get<double>("random_fraction", o.random_fraction()));
  o.bandwidth_factor(cfg.get<double>("bandwidth_factor", o.bandwidth_factor()));
  o.min_bandwidth(cfg.get<double>("min_bandwidth", o.min_bandwidth()));
  o.validate();
  return o;
}

void BohbOptions::validate() const {
  brackets_.validate();
  NASCPP_CHECK_CONFIG(min_points_in_model_ >= 0,
                      "bohb min_points_in_model must be >= 0 (0: d + 1), got {}",
                      min_points_in_model_);
  NASCPP_CHECK_CONFIG(top_n_percent_ > 0 && top_n_percent_ < 100,
                      "bohb top_n_percent must be in (0, 100), got {}", top_n_percent_);
  NASCPP_CHECK_CONFIG(num_samples_ >= 1, "bohb num_samples must be >= 1, got {}", num_samples_);
  NASCPP_CHECK_CONFIG(random_fraction_ >= 0 && random_fraction_ <= 1,
                      "bohb random_fraction must be in [0, 1], got {}", random_fraction_);
  NASCPP_CHECK_CONFIG(bandwidth_factor_ > 0 && std::isfinite(bandwidth_factor_),
                      "bohb bandwidth_factor must be a positive number, got {}", bandwidth_factor_);
  NASCPP_CHECK_CONFIG(min_bandwidth_ > 0 && min_bandwidth_ < 1,
                      "bohb min_bandwidth must be in (0, 1), got {}", min_bandwidth_);
}

Bohb::Bohb(BohbOptions options) : BracketOptimizer(options.brackets()), options_(std::move(options)) {
  options_.validate();
}

std::unique_ptr<Optimizer> Bohb::from_config(ConfigNode& config) {
  return std::make_unique<Bohb>(BohbOptions::from_config(config));
}

int64_t Bohb::min_points() const {
  const auto d = static_cast<int64_t>(cards_.size());
  return std::max(options_.min_points_in_model(), d + 1);
}

double Bohb::Density::pdf(const std::vector<int32_t>& x, const std::vector<int32_t>& cards) const {
  // Aitchison-Aitken product kernel, averaged over the data.
  double sum = 0.0;
  for (const auto& datum : data) {
    double k = 1.0;
    for (size_t i = 0; i < x.size(); ++i) {
      const double b = bandwidth[i];
      k *= x[i] == datum[i] ? 1.0 - b : b / static_cast<double>(cards[i] - 1);
    }
    sum += k;
  }
  return sum / static_cast<double>(data.size());
}

void Bohb::fit(int64_t epochs) {
  const auto& obs = observations_[epochs];
  const auto n = static_cast<int64_t>(obs.size());
  const auto d = static_cast<int64_t>(cards_.size());
  if (n < min_points()) return;
  const int64_t n_good =
      std::max(min_points(), static_cast<int64_t>(options_.top_n_percent() * static_cast<double>(n) / 100.0));
  const int64_t n_bad = std::max(
      min_points(), static_cast<int64_t>((100.0 - options_.top_n_percent()) * static_cast<double>(n) / 100.0));
  std::vector<size_t> order(obs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&obs](size_t a, size_t b) { return obs[a].second < obs[b].second; });
  Model m;
  for (int64_t i = 0; i < n; ++i) {
    const auto& x = obs[order[static_cast<size_t>(i)]].first;
    if (i < n_good) {
      m.good.data.push_back(x);
    } else if (i < n_good + n_bad) {
      m.bad.data.push_back(x);
    }
  }
  // Each density needs more points than dimensions.
  if (static_cast<int64_t>(m.good.data.size()) <= d || static_cast<int64_t>(m.bad.data.size()) <= d) {
    return;
  }
  for (Density* density : {&m.good, &m.bad}) {
    const double k = static_cast<double>(density->data.size());
    density->bandwidth.resize(cards_.size());
    for (size_t j = 0; j < cards_.size(); ++j) {
      double mean = 0.0, sq = 0.0;
      for (const auto& x : density->data) mean += x[j];
      mean /= k;
      for (const auto& x : density->data) sq += (x[j] - mean) * (x[j] - mean);
      const double sigma = std::sqrt(sq / k);  // numpy's std (ddof 0), as statsmodels
      const double rule = 1.06 * sigma * std::pow(k, -1.0 / (4.0 + static_cast<double>(d)));
      const double uniform = static_cast<double>(cards_[j] - 1) / static_cast<double>(cards_[j]);
      density->bandwidth[j] = std::clamp(rule, options_.min_bandwidth(), uniform);
    }
  }
  models_[epochs] = std::move(m);
  first_model_at_.emplace(epochs, n);
}

void Bohb::observe(const Trial& trial, int64_t epochs, const EvaluationResult& result) {
  if (cards_.empty()) cards_ = space().choice_cardinalities();
  // HpBandSter: once a larger budget has a model, smaller ones stop collecting.
  if (!models_.empty() && models_.rbegin()->first > epochs) return;
  const double loss =
      result.failed() || !std::isfinite(result.objective) ? std::numeric_limits<double>::infinity()
                                                          : -result.objective;
  observations_[epochs].emplace_back(space().choices_of(trial.arch), loss);
  fit(epochs);
}

Architecture Bohb::new_configuration(const Slot& slot) {
  (void)slot;
  if (cards_.empty()) {
    cards_ = space().choice_cardinalities();
    NASCPP_CHECK_CONFIG(!cards_.empty(),
                        "bohb: search space '{}' has no choice-vector form (its densities need "
                        "one); use hyperband",
                        space().name());
  }
  // The random draw comes first, as in HpBandSter, so the generator's stream
  // does not depend on whether a model exists.
  const bool random = rng().uniform() < options_.random_fraction();
  if (models_.empty() || random) {
    ++random_picks_;
    return space().sample(rng());
  }
  const Model& m = models_.rbegin()->second;  // the largest budget with a model
  std::vector<int32_t> best;
  double best_value = std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < options_.num_samples(); ++i) {
    const auto& datum = m.good.data[rng().index(m.good.data.size())];
    std::vector<int32_t> x(cards_.size());
    for (size_t j = 0; j < cards_.size(); ++j) {
      const double b = std::max(m.good.bandwidth[j], options_.min_bandwidth());
      x[j] = rng().uniform() < 1.0 - b ? datum[j]
                                       : static_cast<int32_t>(rng().index(static_cast<size_t>(cards_[j])));
    }
    const double value =
        std::max(1e-32, m.bad.pdf(x, cards_)) / std::max(m.good.pdf(x, cards_), 1e-32);
    if (value < best_value) {
      best_value = value;
      best = std::move(x);
    }
  }
  if (auto arch = space().from_choices(best)) {
    ++model_picks_;
    return *arch;
  }
  ++random_picks_;  // an invalid combination: a random architecture instead
  return space().sample(rng());
}

std::string Bohb::save_extra() const {
  using nlohmann::json;
  json obs = json::object();
  for (const auto& [epochs, list] : observations_) {
    json items = json::array();
    for (const auto& [x, loss] : list) {
      items.push_back({x, std::isfinite(loss) ? json(loss) : json()});
    }
    obs[std::to_string(epochs)] = std::move(items);
  }
  return json{{"observations", obs}, {"model_picks", model_picks_}, {"random_picks", random_picks_}}
      .dump();
}

void Bohb::load_extra(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  observations_.clear();
  models_.clear();
  first_model_at_.clear();
  cards_ = space().choice_cardinalities();
  try {
    model_picks_ = s.at("model_picks").get<int64_t>();
    random_picks_ = s.at("random_picks").get<int64_t>();
    // Refit in the order the models arose: budget by budget, growing.
    for (const auto& [key, items] : s.at("observations").items()) {
      const int64_t epochs = std::stoll(key);
      auto& list = observations_[epochs];
      for (const auto& item : items) {
        list.emplace_back(item.at(0).get<std::vector<int32_t>>(),
                          item.at(1).is_null() ? std::numeric_limits<double>::infinity()
                                               : item.at(1).get<double>());
      }
    }
  } catch (const std::exception& e) {
    throw DataError(fmt::format("optimizer '{}': malformed saved observations: {}", name(), e.what()));
  }
  // The models are a function of the observations (no randomness): rebuilt,
  // including the observation count at which each first appeared.
  auto all = std::move(observations_);
  observations_.clear();
  for (auto& [epochs, list] : all) {
    for (auto& item : list) {
      observations_[epochs].push_back(std::move(item));
      fit(epochs);
    }
  }
}

}  // namespace nascpp

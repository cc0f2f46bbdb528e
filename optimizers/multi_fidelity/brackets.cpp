#include "optimizers/multi_fidelity/brackets.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

namespace {

constexpr double kEps = 1e-9;

// The largest s with eta^s <= ratio (floating logs would misround exact powers).
int64_t floor_log(double ratio, double eta) {
  int64_t s = 0;
  double power = eta;
  while (power <= ratio * (1 + kEps)) {
    ++s;
    power *= eta;
  }
  return s;
}

}  // namespace

BracketOptions BracketOptions::from_config(ConfigNode& cfg) {
  BracketOptions o;
  o.eta(cfg.get<double>("eta", o.eta()));
  o.min_epochs(cfg.get<int64_t>("min_epochs", o.min_epochs()));
  o.max_epochs(cfg.get<int64_t>("max_epochs", o.max_epochs()));
  o.rounding(cfg.get_choice("rounding", o.rounding(), {"floor", "paper"}));
  o.validate();
  return o;
}

void BracketOptions::validate() const {
  NASCPP_CHECK_CONFIG(std::isfinite(eta_) && eta_ > 1, "eta must be a number > 1, got {}", eta_);
  NASCPP_CHECK_CONFIG(min_epochs_ >= 0 && max_epochs_ >= 0,
                      "min_epochs and max_epochs must be >= 0 (0: the evaluator's), got {} and {}",
                      min_epochs_, max_epochs_);
  NASCPP_CHECK_CONFIG(max_epochs_ == 0 || min_epochs_ <= max_epochs_,
                      "min_epochs {} is above max_epochs {}", min_epochs_, max_epochs_);
  NASCPP_CHECK_CONFIG(rounding_ == "paper" || rounding_ == "floor", "{}",
                      unknown_choice_message("rounding", rounding_, {"floor", "paper"}));
}

std::vector<int64_t> rung_budgets(const FidelityRange& range, const BracketOptions& options) {
  const int64_t lo = options.min_epochs() > 0 ? options.min_epochs() : range.min_epochs;
  const int64_t hi = options.max_epochs() > 0 ? options.max_epochs() : range.max_epochs;
  NASCPP_CHECK_CONFIG(range.max_epochs > 0,
                      "a multi-fidelity optimizer needs an evaluator with epochs; this one has "
                      "none (a zero-cost proxy): use random_search, regularized_evolution, "
                      "local_search or bananas");
  NASCPP_CHECK_CONFIG(lo >= 1 && lo <= hi,
                      "the budgets [{}, {}] epochs are empty (the evaluator offers [{}, {}])", lo,
                      hi, range.min_epochs, range.max_epochs);
  NASCPP_CHECK_CONFIG(hi <= range.max_epochs && lo >= range.min_epochs,
                      "the budgets [{}, {}] epochs lie outside the evaluator's fidelities [{}, {}]",
                      lo, hi, range.min_epochs, range.max_epochs);
  std::vector<int64_t> out;
  if (!range.available.empty()) {
    // A table's fidelities are the rungs it can answer.
    for (int64_t e : range.available) {
      if (e >= lo && e <= hi) out.push_back(e);
    }
    NASCPP_CHECK_CONFIG(!out.empty(), "no fidelity of the evaluator lies in [{}, {}] epochs", lo,
                        hi);
    return out;
  }
  const int64_t s_max = floor_log(static_cast<double>(hi) / static_cast<double>(lo), options.eta());
  for (int64_t k = 0; k <= s_max; ++k) {
    const double b = static_cast<double>(hi) * std::pow(options.eta(), static_cast<double>(k - s_max));
    const int64_t e = std::max<int64_t>(1, static_cast<int64_t>(std::llround(b)));
    if (out.empty() || e > out.back()) out.push_back(e);
  }
  return out;
}

std::vector<std::vector<int64_t>> hyperband_brackets(int64_t s_max, double eta, bool paper) {
  std::vector<std::vector<int64_t>> out;
  for (int64_t s = s_max; s >= 0; --s) {
    const double eta_s = std::pow(eta, static_cast<double>(s));
    const double ratio = static_cast<double>(s_max + 1) / static_cast<double>(s + 1);
    const int64_t n0 = paper ? static_cast<int64_t>(std::ceil(ratio * eta_s - kEps))
                             : static_cast<int64_t>(
                                   std::floor(std::floor(ratio + kEps) * eta_s + kEps));
    std::vector<int64_t> sizes;
    for (int64_t i = 0; i <= s; ++i) {
      sizes.push_back(std::max<int64_t>(
          1, static_cast<int64_t>(std::floor(static_cast<double>(n0) *
                                                 std::pow(eta, -static_cast<double>(i)) +
                                             kEps))));
    }
    out.push_back(std::move(sizes));
  }
  return out;
}

// ---- BracketOptimizer ----

BracketOptimizer::BracketOptimizer(BracketOptions options) : options_(std::move(options)) {
  options_.validate();
}

void BracketOptimizer::do_attach() {
  budgets_.clear();
  active_.clear();
  next_bracket_ = 0;
  where_.clear();
  told_per_budget_.clear();
}

void BracketOptimizer::ensure_budgets() {
  if (budgets_.empty()) budgets_ = rung_budgets(fidelity_range(), options_);
}

int64_t BracketOptimizer::bracket_index(int64_t n, int64_t s_max) const {
  return s_max - (n % (s_max + 1));
}

std::vector<int64_t> BracketOptimizer::bracket_sizes(int64_t s) const {
  return hyperband_brackets(s_max(), options_.eta(), options_.rounding() == "paper")
      [static_cast<size_t>(s_max() - s)];
}

BracketOptimizer::Bracket BracketOptimizer::start_bracket() {
  Bracket b;
  b.id = next_bracket_;
  b.s = bracket_index(next_bracket_, s_max());
  ++next_bracket_;
  b.sizes = bracket_sizes(b.s);
  NASCPP_ASSERT(static_cast<int64_t>(b.sizes.size()) == b.s + 1);
  for (int64_t i = 0; i <= b.s; ++i) {
    Rung r;
    r.epochs = budgets_[static_cast<size_t>(s_max() - b.s + i)];
    b.rungs.push_back(std::move(r));
  }
  b.rungs[0].entries.resize(static_cast<size_t>(b.sizes[0]));
  return b;
}

bool BracketOptimizer::do_ask(Trial& trial) {
  ensure_budgets();
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (auto& b : active_) {
      Rung& r = b.rungs[static_cast<size_t>(b.current)];
      for (size_t i = 0; i < r.entries.size(); ++i) {
        Entry& e = r.entries[i];
        if (e.trial >= 0) continue;
        if (e.arch.empty()) {
          Slot slot;
          slot.trial = trial.id;
          slot.epochs = r.epochs;
          slot.bracket = b.id;
          slot.s = b.s;
          slot.rung = b.current;
          slot.rung_size = static_cast<int64_t>(r.entries.size());
          if (b.current > 0) {
            slot.lower = &b.rungs[static_cast<size_t>(b.current - 1)];
            slot.lower_epochs = slot.lower->epochs;
          }
          e.arch = new_configuration(slot);
        }
        trial.arch = e.arch;
        trial.fidelity = Fidelity::with_epochs(r.epochs);
        if (e.continues >= 0) {
          trial.continues = Trial::Continuation{
              e.continues, b.rungs[static_cast<size_t>(b.current - 1)].epochs};
        }
        e.trial = trial.id;
        where_[trial.id] = Where{b.id, b.current, static_cast<int64_t>(i)};
        return true;
      }
    }
    // Every active bracket waits for results (or none is active): a new one.
    active_.push_back(start_bracket());
  }
  NASCPP_ASSERT(false);  // a new bracket always has a configuration to ask
  return false;
}

void BracketOptimizer::promote(Bracket& b) {
  const Rung& done = b.rungs[static_cast<size_t>(b.current)];
  if (b.current + 1 >= static_cast<int64_t>(b.rungs.size())) {
    b.current = static_cast<int64_t>(b.rungs.size());  // finished
    return;
  }
  // The best of the rung, failed evaluations never (ties: the earlier entry).
  std::vector<size_t> order;
  for (size_t i = 0; i < done.entries.size(); ++i) {
    if (std::isfinite(done.entries[i].objective)) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&done](size_t x, size_t y) {
    return done.entries[x].objective > done.entries[y].objective;
  });
  const auto size = static_cast<size_t>(b.sizes[static_cast<size_t>(b.current + 1)]);
  Rung& next = b.rungs[static_cast<size_t>(b.current + 1)];
  if (promotions_continue()) {
    for (size_t k = 0; k < std::min(order.size(), size); ++k) {
      Entry e;
      e.arch = done.entries[order[k]].arch;
      e.continues = done.entries[order[k]].trial;
      next.entries.push_back(std::move(e));
    }
  } else if (!order.empty()) {
    next.entries.resize(size);  // new configurations, chosen when asked
  }
  ++b.current;
  if (next.entries.empty()) b.current = static_cast<int64_t>(b.rungs.size());  // all failed
}

void BracketOptimizer::do_tell(const Trial& trial, const EvaluationResult& result) {
  auto it = where_.find(trial.id);
  NASCPP_ASSERT(it != where_.end());
  const Where w = it->second;
  where_.erase(it);
  auto b = std::find_if(active_.begin(), active_.end(),
                        [&w](const Bracket& x) { return x.id == w.bracket; });
  NASCPP_ASSERT(b != active_.end());
  Rung& r = b->rungs[static_cast<size_t>(w.rung)];
  Entry& e = r.entries[static_cast<size_t>(w.entry)];
  e.done = true;
  e.objective = result.failed() ? -std::numeric_limits<double>::infinity() : result.objective;
  ++told_per_budget_[r.epochs];
  observe(trial, r.epochs, result);
  const bool complete = std::all_of(r.entries.begin(), r.entries.end(),
                                    [](const Entry& x) { return x.done; });
  if (complete && w.rung == b->current) {
    promote(*b);
    if (b->current >= static_cast<int64_t>(b->rungs.size())) active_.erase(b);
  }
}

std::string BracketOptimizer::do_save_state() const {
  using nlohmann::json;
  json brackets = json::array();
  for (const auto& b : active_) {
    json rungs = json::array();
    for (const auto& r : b.rungs) {
      json entries = json::array();
      for (const auto& e : r.entries) {
        entries.push_back({{"arch", e.arch.empty() ? json() : detail::arch_to_json(e.arch)},
                           {"trial", e.trial},
                           {"done", e.done},
                           {"objective", detail::objective_to_json(e.objective)},
                           {"continues", e.continues}});
      }
      rungs.push_back({{"epochs", r.epochs}, {"entries", entries}});
    }
    brackets.push_back(
        {{"id", b.id}, {"s", b.s}, {"current", b.current}, {"sizes", b.sizes}, {"rungs", rungs}});
  }
  json told = json::array();
  for (const auto& [epochs, n] : told_per_budget_) told.push_back({epochs, n});
  return json{{"budgets", budgets_},
              {"next_bracket", next_bracket_},
              {"brackets", brackets},
              {"told_per_budget", told},
              {"extra", json::parse(save_extra())}}
      .dump();
}

void BracketOptimizer::do_load_state(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  detail::state_at(s, "budgets", name());
  do_attach();
  try {
    budgets_ = s.at("budgets").get<std::vector<int64_t>>();
    next_bracket_ = s.at("next_bracket").get<int64_t>();
    for (const auto& bj : s.at("brackets")) {
      Bracket b;
      b.id = bj.at("id").get<int64_t>();
      b.s = bj.at("s").get<int64_t>();
      b.current = bj.at("current").get<int64_t>();
      b.sizes = bj.at("sizes").get<std::vector<int64_t>>();
      for (const auto& rj : bj.at("rungs")) {
        Rung r;
        r.epochs = rj.at("epochs").get<int64_t>();
        for (const auto& ej : rj.at("entries")) {
          Entry e;
          if (!ej.at("arch").is_null()) e.arch = detail::arch_from_json(ej.at("arch"), space(), name());
          e.trial = ej.at("trial").get<int64_t>();
          e.done = ej.at("done").get<bool>();
          e.objective = detail::objective_from_json(ej, "objective", name());
          e.continues = ej.at("continues").get<int64_t>();
          if (e.trial >= 0 && !e.done) {
            where_[e.trial] = Where{b.id, static_cast<int64_t>(b.rungs.size()),
                                    static_cast<int64_t>(r.entries.size())};
          }
          r.entries.push_back(std::move(e));
        }
        b.rungs.push_back(std::move(r));
      }
      active_.push_back(std::move(b));
    }
    for (const auto& t : s.at("told_per_budget")) {
      told_per_budget_[t.at(0).get<int64_t>()] = t.at(1).get<int64_t>();
    }
    load_extra(s.at("extra").dump());
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("optimizer '{}': malformed saved brackets: {}", name(), e.what()));
  }
}

// ---- successive halving ----

SuccessiveHalvingOptions SuccessiveHalvingOptions::from_config(ConfigNode& cfg) {
  SuccessiveHalvingOptions o;
  o.brackets(BracketOptions::from_config(cfg));
  o.num_configs(cfg.get<int64_t>("num_configs", o.num_configs()));
  o.validate();
  return o;
}

void SuccessiveHalvingOptions::validate() const {
  brackets_.validate();
  NASCPP_CHECK_CONFIG(num_configs_ >= 0,
                      "successive_halving num_configs must be >= 0 (0: eta^s_max), got {}",
                      num_configs_);
}

SuccessiveHalving::SuccessiveHalving(SuccessiveHalvingOptions options)
    : BracketOptimizer(options.brackets()), sh_options_(std::move(options)) {
  sh_options_.validate();
}

std::unique_ptr<Optimizer> SuccessiveHalving::from_config(ConfigNode& config) {
  return std::make_unique<SuccessiveHalving>(SuccessiveHalvingOptions::from_config(config));
}

int64_t SuccessiveHalving::bracket_index(int64_t n, int64_t s_max) const {
  (void)n;
  return s_max;
}

std::vector<int64_t> SuccessiveHalving::bracket_sizes(int64_t s) const {
  const double eta = bracket_options().eta();
  const int64_t n0 = sh_options_.num_configs() > 0
                         ? sh_options_.num_configs()
                         : static_cast<int64_t>(std::llround(std::pow(eta, static_cast<double>(s))));
  std::vector<int64_t> sizes;
  for (int64_t i = 0; i <= s; ++i) {
    sizes.push_back(std::max<int64_t>(
        1, static_cast<int64_t>(
               std::floor(static_cast<double>(n0) * std::pow(eta, -static_cast<double>(i)) + kEps))));
  }
  return sizes;
}

Architecture SuccessiveHalving::new_configuration(const Slot& slot) {
  (void)slot;
  return space().sample(rng());
}

// ---- Hyperband ----

Hyperband::Hyperband(BracketOptions options) : BracketOptimizer(std::move(options)) {}

std::unique_ptr<Optimizer> Hyperband::from_config(ConfigNode& config) {
  return std::make_unique<Hyperband>(BracketOptions::from_config(config));
}

Architecture Hyperband::new_configuration(const Slot& slot) {
  (void)slot;
  return space().sample(rng());
}

}  // namespace nascpp

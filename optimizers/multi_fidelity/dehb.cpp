#include "optimizers/multi_fidelity/dehb.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

namespace {
constexpr double kUnevaluated = -std::numeric_limits<double>::infinity();
}  // namespace

DehbOptions DehbOptions::from_config(ConfigNode& cfg) {
  DehbOptions o;
  if (!cfg.has("rounding")) cfg.apply_override("rounding=floor");  // DEHB's own rounding
  o.brackets(BracketOptions::from_config(cfg));
  o.mutation_factor(cfg.get<double>("mutation_factor", o.mutation_factor()));
  o.crossover_prob(cfg.get<double>("crossover_prob", o.crossover_prob()));
  o.validate();
  return o;
}

void DehbOptions::validate() const {
  brackets_.validate();
  NASCPP_CHECK_CONFIG(mutation_factor_ > 0 && mutation_factor_ <= 2,
                      "dehb mutation_factor must be in (0, 2], got {}", mutation_factor_);
  NASCPP_CHECK_CONFIG(crossover_prob_ >= 0 && crossover_prob_ <= 1,
                      "dehb crossover_prob must be in [0, 1], got {}", crossover_prob_);
}

Dehb::Dehb(DehbOptions options) : BracketOptimizer(options.brackets()), options_(std::move(options)) {
  options_.validate();
}

std::unique_ptr<Optimizer> Dehb::from_config(ConfigNode& config) {
  return std::make_unique<Dehb>(DehbOptions::from_config(config));
}

void Dehb::init_populations() {
  cards_ = space().choice_cardinalities();
  NASCPP_CHECK_CONFIG(!cards_.empty(),
                      "dehb: search space '{}' has no choice-vector form (its evolution needs "
                      "one); use hyperband",
                      space().name());
  NASCPP_CHECK_CONFIG(budgets().size() >= 2,
                      "dehb needs at least two budgets (DEHB supports max_budget > min_budget "
                      "only); the evaluator offers {} epochs alone: use regularized_evolution",
                      budgets().front());
  // A subpopulation per budget, as large as that budget's largest rung.
  std::map<int64_t, int64_t> size;
  for (int64_t s = s_max(); s >= 0; --s) {
    const auto sizes = bracket_sizes(s);
    for (int64_t i = 0; i <= s; ++i) {
      const int64_t epochs = budgets()[static_cast<size_t>(s_max() - s + i)];
      size[epochs] = std::max(size[epochs], sizes[static_cast<size_t>(i)]);
    }
  }
  for (const auto& [epochs, n] : size) {
    auto& pop = populations_[epochs];
    for (int64_t k = 0; k < n; ++k) {
      Member m;
      for (size_t j = 0; j < cards_.size(); ++j) m.x.push_back(rng().uniform());
      m.fitness = kUnevaluated;
      pop.push_back(std::move(m));
    }
    parent_counter_[epochs] = 0;
  }
}

Architecture Dehb::decode(const std::vector<double>& x) {
  std::vector<int32_t> choices(cards_.size());
  for (size_t j = 0; j < cards_.size(); ++j) {
    choices[j] = std::min(cards_[j] - 1, static_cast<int32_t>(std::floor(x[j] * cards_[j])));
  }
  if (auto arch = space().from_choices(choices)) return *arch;
  return space().sample(rng());  // an invalid combination (constrained spaces)
}

std::vector<double> Dehb::mutant(const std::vector<Member>& pool, const std::vector<Member>& fill) {
  std::vector<const Member*> members;
  for (const auto& m : pool) members.push_back(&m);
  // rand/1 needs three distinct members: fill from the whole population.
  while (members.size() < 3 && !fill.empty()) members.push_back(&fill[rng().index(fill.size())]);
  NASCPP_ASSERT(members.size() >= 3);
  std::vector<size_t> idx(members.size());
  std::iota(idx.begin(), idx.end(), 0);
  for (size_t i = 0; i < 3; ++i) std::swap(idx[i], idx[i + rng().index(idx.size() - i)]);
  const auto& a = members[idx[0]]->x;
  const auto& b = members[idx[1]]->x;
  const auto& c = members[idx[2]]->x;
  std::vector<double> v(a.size());
  for (size_t j = 0; j < v.size(); ++j) {
    v[j] = a[j] + options_.mutation_factor() * (b[j] - c[j]);
    if (v[j] < 0.0 || v[j] > 1.0) v[j] = rng().uniform();  // DEHB's "random" boundary fix
  }
  return v;
}

Architecture Dehb::new_configuration(const Slot& slot) {
  if (populations_.empty()) init_populations();
  auto& pop = populations_.at(slot.epochs);
  const auto parent = parent_counter_[slot.epochs]++ % static_cast<int64_t>(pop.size());
  const std::vector<double> target = pop[static_cast<size_t>(parent)].x;
  std::vector<double> x;
  const int64_t lower_epochs = slot.rung > 0 ? slot.lower_epochs : slot.epochs;
  const auto& lower = populations_.at(lower_epochs);
  // The lower budget's members, best first (unevaluated last).
  std::vector<size_t> order(lower.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&lower](size_t a, size_t b) { return lower[a].fitness > lower[b].fitness; });
  if (slot.bracket <= s_max() && slot.rung > 0) {
    // The first Hyperband iteration promotes: the best evaluated lower-budget
    // member not yet in this budget's subpopulation.
    for (size_t i : order) {
      if (!std::isfinite(lower[i].fitness)) break;
      const bool present = std::any_of(pop.begin(), pop.end(),
                                       [&](const Member& m) { return m.x == lower[i].x; });
      const bool pending_here = std::any_of(pending_.begin(), pending_.end(), [&](const auto& p) {
        return p.second.epochs == slot.epochs && p.second.x == lower[i].x;
      });
      if (!present && !pending_here) {
        x = lower[i].x;
        break;
      }
    }
    if (x.empty()) x = lower[order.front()].x;
  } else {
    // rand/1/bin from the best `rung_size` of the lower budget.
    std::vector<Member> pool;
    for (size_t k = 0; k < order.size() && static_cast<int64_t>(k) < slot.rung_size; ++k) {
      pool.push_back(lower[order[k]]);
    }
    std::vector<Member> everyone;
    for (const auto& [e, members] : populations_) {
      everyone.insert(everyone.end(), members.begin(), members.end());
    }
    const auto v = mutant(pool, everyone);
    const size_t forced = rng().index(v.size());
    x = target;
    for (size_t j = 0; j < x.size(); ++j) {
      if (j == forced || rng().uniform() < options_.crossover_prob()) x[j] = v[j];
    }
  }
  pending_[slot.trial] = Pending{slot.epochs, parent, x};
  return decode(x);
}

void Dehb::observe(const Trial& trial, int64_t epochs, const EvaluationResult& result) {
  (void)epochs;
  auto it = pending_.find(trial.id);
  NASCPP_ASSERT(it != pending_.end());
  const Pending p = std::move(it->second);
  pending_.erase(it);
  const double fitness = result.failed() ? kUnevaluated : result.objective;
  auto& member = populations_.at(p.epochs)[static_cast<size_t>(p.parent)];
  // Selection: the offspring replaces its parent when at least as good.
  if (fitness >= member.fitness) {
    member.x = p.x;
    member.fitness = fitness;
    ++replacements_;
  }
}

std::string Dehb::save_extra() const {
  using nlohmann::json;
  json pops = json::object();
  for (const auto& [epochs, members] : populations_) {
    json list = json::array();
    for (const auto& m : members) list.push_back({m.x, detail::objective_to_json(m.fitness)});
    pops[std::to_string(epochs)] = {{"members", list}, {"next_parent", parent_counter_.at(epochs)}};
  }
  json pending = json::array();
  for (const auto& [trial, p] : pending_) pending.push_back({trial, p.epochs, p.parent, p.x});
  return json{{"populations", pops}, {"pending", pending}, {"replacements", replacements_}}.dump();
}

void Dehb::load_extra(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  populations_.clear();
  parent_counter_.clear();
  pending_.clear();
  try {
    for (const auto& [key, pop] : s.at("populations").items()) {
      const int64_t epochs = std::stoll(key);
      for (const auto& m : pop.at("members")) {
        populations_[epochs].push_back(Member{
            m.at(0).get<std::vector<double>>(),
            m.at(1).is_null() ? kUnevaluated : m.at(1).get<double>()});
      }
      parent_counter_[epochs] = pop.at("next_parent").get<int64_t>();
    }
    for (const auto& p : s.at("pending")) {
      pending_[p.at(0).get<int64_t>()] =
          Pending{p.at(1).get<int64_t>(), p.at(2).get<int64_t>(), p.at(3).get<std::vector<double>>()};
    }
    replacements_ = s.at("replacements").get<int64_t>();
  } catch (const std::exception& e) {
    throw DataError(fmt::format("optimizer '{}': malformed saved populations: {}", name(), e.what()));
  }
  if (!populations_.empty()) cards_ = space().choice_cardinalities();
}

}  // namespace nascpp

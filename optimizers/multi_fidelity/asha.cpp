#include "optimizers/multi_fidelity/asha.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nascpp/core/error.h"
#include "optimizers/common/state.h"

namespace nascpp {

Asha::Asha(BracketOptions options) : options_(std::move(options)) { options_.validate(); }

std::unique_ptr<Optimizer> Asha::from_config(ConfigNode& config) {
  return std::make_unique<Asha>(BracketOptions::from_config(config));
}

void Asha::do_attach() {
  budgets_.clear();
  rungs_.clear();
}

bool Asha::do_ask(Trial& trial) {
  if (budgets_.empty()) {
    budgets_ = rung_budgets(fidelity_range(), options_);
    rungs_.assign(budgets_.size(), {});
  }
  // From the highest rung that can promote down: the top 1/eta of the
  // completed evaluations of rung k, not yet promoted (Algorithm 2, get_job).
  for (size_t k = rungs_.size() - 1; k-- > 0;) {
    auto& rung = rungs_[k];
    std::vector<size_t> completed;
    for (size_t i = 0; i < rung.size(); ++i) {
      if (rung[i].done) completed.push_back(i);
    }
    const auto top = static_cast<size_t>(
        std::floor(static_cast<double>(completed.size()) / options_.eta() + 1e-9));
    if (top == 0) continue;
    std::stable_sort(completed.begin(), completed.end(), [&rung](size_t a, size_t b) {
      return rung[a].objective > rung[b].objective;
    });
    for (size_t j = 0; j < top; ++j) {
      Record& r = rung[completed[j]];
      if (r.promoted || !std::isfinite(r.objective)) continue;
      r.promoted = true;
      trial.arch = r.arch;
      trial.fidelity = Fidelity::with_epochs(budgets_[k + 1]);
      trial.continues = Trial::Continuation{r.trial, budgets_[k]};
      rungs_[k + 1].push_back(Record{r.arch, trial.id, false, 0.0, false});
      return true;
    }
  }
  trial.arch = space().sample(rng());
  trial.fidelity = Fidelity::with_epochs(budgets_[0]);
  rungs_[0].push_back(Record{trial.arch, trial.id, false, 0.0, false});
  return true;
}

void Asha::do_tell(const Trial& trial, const EvaluationResult& result) {
  for (auto& rung : rungs_) {
    for (auto& r : rung) {
      if (r.trial != trial.id) continue;
      r.done = true;
      r.objective = result.failed() ? -std::numeric_limits<double>::infinity() : result.objective;
      return;
    }
  }
  NASCPP_ASSERT(false);  // the base class checked the trial is pending
}

std::string Asha::do_save_state() const {
  using nlohmann::json;
  json rungs = json::array();
  for (const auto& rung : rungs_) {
    json records = json::array();
    for (const auto& r : rung) {
      records.push_back({{"arch", detail::arch_to_json(r.arch)},
                         {"trial", r.trial},
                         {"done", r.done},
                         {"objective", detail::objective_to_json(r.objective)},
                         {"promoted", r.promoted}});
    }
    rungs.push_back(std::move(records));
  }
  return json{{"budgets", budgets_}, {"rungs", rungs}}.dump();
}

void Asha::do_load_state(const std::string& text) {
  const auto s = detail::parse_state(text, name());
  detail::state_at(s, "budgets", name());
  do_attach();
  try {
    budgets_ = s.at("budgets").get<std::vector<int64_t>>();
    for (const auto& rung : s.at("rungs")) {
      std::vector<Record> records;
      for (const auto& r : rung) {
        records.push_back(Record{detail::arch_from_json(r.at("arch"), space(), name()),
                                 r.at("trial").get<int64_t>(), r.at("done").get<bool>(),
                                 detail::objective_from_json(r, "objective", name()),
                                 r.at("promoted").get<bool>()});
      }
      rungs_.push_back(std::move(records));
    }
  } catch (const nlohmann::json::exception& e) {
    throw DataError(fmt::format("optimizer '{}': malformed saved rungs: {}", name(), e.what()));
  }
  NASCPP_CHECK_DATA(rungs_.size() == budgets_.size(),
                    "optimizer '{}': the saved state has {} rungs for {} budgets", name(),
                    rungs_.size(), budgets_.size());
}

}  // namespace nascpp

#include "nascpp/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "nascpp/core/error.h"

namespace nascpp {

EvaluationResult EvaluationResult::failed_with(std::string reason, double cost) {
  EvaluationResult r;
  r.objective = -std::numeric_limits<double>::infinity();
  r.failure = reason.empty() ? std::string("failed") : std::move(reason);
  r.cost = cost;
  return r;
}

int64_t Evaluator::resolve_epochs(const Fidelity& fidelity) const {
  const FidelityRange range = fidelity_range();
  NASCPP_CHECK_CONFIG(fidelity.epochs >= 0, "evaluator '{}': fidelity epochs must be >= 0, got {}",
                      name(), fidelity.epochs);
  if (fidelity.names_full()) return range.max_epochs;
  const int64_t e = fidelity.epochs;
  if (range.available.empty()) {
    NASCPP_CHECK_CONFIG(e >= range.min_epochs && e <= range.max_epochs,
                        "evaluator '{}' trains between {} and {} epochs (the full fidelity); {} "
                        "epochs were asked",
                        name(), range.min_epochs, range.max_epochs, e);
    return e;
  }
  if (std::find(range.available.begin(), range.available.end(), e) == range.available.end()) {
    std::vector<std::string> names;
    for (int64_t a : range.available) {
      names.push_back(a == range.max_epochs ? std::to_string(a) + " (full)" : std::to_string(a));
    }
    throw ConfigError(
        fmt::format("evaluator '{}' has no data for a fidelity of {} epochs; supported epochs: {}",
                    name(), e, join(names)));
  }
  return e;
}

EvaluationResult Evaluator::evaluate(const Trial& trial, Rng& rng) {
  const int64_t epochs = resolve_epochs(trial.fidelity);
  if (trial.continues) {
    NASCPP_CHECK_CONFIG(trial.continues->epochs >= 0 && trial.continues->epochs < epochs,
                        "trial {} continues trial {} after {} epochs, but asks for {} epochs",
                        trial.id, trial.continues->trial, trial.continues->epochs, epochs);
  }
  EvaluationResult r;
  try {
    r = do_evaluate(trial, epochs, rng);
  } catch (const DivergenceError& e) {
    // The candidate's failure, not the run's: a result the search goes on from.
    r = EvaluationResult::failed_with(e.what());
  }
  if (!r.failed() && !std::isfinite(r.objective)) {
    r = EvaluationResult::failed_with(
        fmt::format("evaluator '{}' found a non-finite objective ({})", name(), r.objective),
        r.cost);
  }
  r.epochs = epochs;
  if (r.epochs_paid == 0) {
    r.epochs_paid = trial.continues && supports_continuation() ? epochs - trial.continues->epochs
                                                               : epochs;
  }
  return r;
}

EvaluationResult Evaluator::evaluate(const Architecture& arch, const Fidelity& fidelity, Rng& rng) {
  Trial t;
  t.arch = arch;
  t.fidelity = fidelity;
  return evaluate(t, rng);
}

}  // namespace nascpp

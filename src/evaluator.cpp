#include "nascpp/evaluator.h"

#include <algorithm>

#include "nascpp/core/error.h"

namespace nascpp {

EvaluationResult Evaluator::evaluate(const Architecture& arch, const Fidelity& fidelity, Rng& rng) {
  NASCPP_CHECK_CONFIG(fidelity.epochs >= 0, "evaluator '{}': fidelity epochs must be >= 0, got {}",
                      name(), fidelity.epochs);
  if (fidelity.epochs > 0) {
    const std::vector<int64_t> accepted = fidelities();
    if (!accepted.empty() &&
        std::find(accepted.begin(), accepted.end(), fidelity.epochs) == accepted.end()) {
      std::vector<std::string> names = {"0 (full)"};
      for (int64_t e : accepted) names.push_back(std::to_string(e));
      throw ConfigError(fmt::format(
          "evaluator '{}' has no data for a fidelity of {} epochs; supported epochs: {}", name(),
          fidelity.epochs, join(names)));
    }
  }
  return do_evaluate(arch, fidelity, rng);
}

}  // namespace nascpp

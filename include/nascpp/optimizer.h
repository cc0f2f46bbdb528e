#pragma once
/// Optimizers. Black-box (ask/tell) and one-shot (step/derive) are two
/// interfaces; both derive from `Optimizer` so one registry holds them all.
/// Public entry points are non-virtual and check state; implementations
/// override the private `do_*` hooks (NNI's Strategy.run -> _run).

#include <map>
#include <memory>
#include <string>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// What an evaluation of one architecture found.
struct EvaluationResult {
  /// The value the optimizer maximises (e.g. validation accuracy).
  double objective = 0.0;
  /// Every metric reported (objective, test accuracy, parameters, ...).
  std::map<std::string, double> metrics;
  /// Cost of the evaluation in (simulated or real) seconds.
  double cost = 0.0;
};

class Optimizer {
 public:
  enum class Kind { kBlackBox, kOneShot };
  virtual ~Optimizer() = default;
  /// Registry name.
  virtual std::string name() const = 0;
  /// Which of the two interfaces this optimizer implements.
  virtual Kind kind() const = 0;
};

/// Discrete optimizers: propose architectures, learn from their results.
class BlackBoxOptimizer : public Optimizer {
 public:
  Kind kind() const final { return Kind::kBlackBox; }

  /// Binds the optimizer to a search space and the run's generator; must come
  /// before `ask`.
  void attach(std::shared_ptr<const SearchSpace> space, Rng* rng);
  /// The next architecture to evaluate (always valid in the attached space:
  /// it is checked with `SearchSpace::validate` before it is returned).
  Architecture ask();
  /// The result of evaluating an architecture returned by `ask`.
  void tell(const Architecture& arch, const EvaluationResult& result);

  /// Everything the optimizer learnt (population, history, pending batch,
  /// ...) as JSON text, for checkpoints. The generator passed to `attach` is
  /// the caller's: save its `Rng::state()` beside this to resume exactly.
  std::string save_state() const;
  /// Restores a state written by `save_state` of an optimizer of the same
  /// name, attached to the same space; afterwards `ask` continues as the saved
  /// optimizer would have. A malformed state is a DataError.
  void load_state(const std::string& state);

 protected:
  const SearchSpace& space() const { return *space_; }
  Rng& rng() { return *rng_; }

 private:
  virtual void do_attach() {}
  virtual Architecture do_ask() = 0;
  virtual void do_tell(const Architecture& arch, const EvaluationResult& result) = 0;
  /// The optimizer's state as JSON text (an object); see optimizers/common/state.h.
  virtual std::string do_save_state() const = 0;
  /// Restores `do_save_state`'s text; DataError when malformed.
  virtual void do_load_state(const std::string& state) = 0;

  std::shared_ptr<const SearchSpace> space_;
  Rng* rng_ = nullptr;
};

}  // namespace nascpp

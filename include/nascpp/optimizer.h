#pragma once
/// Optimizers. Black-box (ask/tell) and one-shot (step/derive) are two
/// interfaces; both derive from `Optimizer` so one registry holds them all.
/// Public entry points are non-virtual and check state; implementations
/// override the private `do_*` hooks (NNI's Strategy.run -> _run).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/architecture.h"
#include "nascpp/core/random.h"
#include "nascpp/search_space.h"
#include "nascpp/trial.h"

namespace nascpp {

class Optimizer {
 public:
  enum class Kind { kBlackBox, kOneShot };
  virtual ~Optimizer() = default;
  /// Registry name.
  virtual std::string name() const = 0;
  /// Which of the two interfaces this optimizer implements.
  virtual Kind kind() const = 0;
};

/// Discrete optimizers: propose trials (an architecture at a fidelity), learn
/// from their results. Several trials may be pending at once (up to
/// `max_in_flight`), and results may be told in any order.
///
///     opt.attach(space, &rng);
///     opt.set_max_in_flight(4);
///     while (auto trial = opt.ask()) executor.submit(*trial, seed);  // up to 4
///     nascpp::Completion done = executor.wait();
///     opt.tell(done.trial, done.result);                             // any order
class BlackBoxOptimizer : public Optimizer {
 public:
  Kind kind() const final { return Kind::kBlackBox; }

  /// Binds the optimizer to a search space and the run's generator; must come
  /// before `ask`. Forgets every trial.
  void attach(std::shared_ptr<const SearchSpace> space, Rng* rng);
  /// Evaluations the loop runs at once (default 1): `ask` may be called again
  /// until that many trials are pending. Set after `attach`, before the first `ask`.
  void set_max_in_flight(int64_t n);
  int64_t max_in_flight() const { return max_in_flight_; }
  /// The fidelity of single-fidelity proposals (default: full) and the range
  /// multi-fidelity optimizers choose from; set after `attach`, before the
  /// first `ask` (the search loop takes them from the evaluator).
  void set_fidelities(const Fidelity& fidelity, const FidelityRange& range);
  const Fidelity& fidelity() const { return fidelity_; }
  const FidelityRange& fidelity_range() const { return range_; }

  /// The next trial (its architecture is valid in the attached space: it is
  /// checked with `SearchSpace::validate`), or nullopt: nothing now, the
  /// optimizer waits for pending results (e.g. a successive-halving rung not
  /// yet full). Asking with `max_in_flight` trials pending is an Error.
  std::optional<Trial> ask();
  /// The result of a pending trial, in any order. Telling a trial that was
  /// never asked or was told already, or whose architecture differs from the
  /// one asked, is an Error naming the trial.
  void tell(const Trial& trial, const EvaluationResult& result);

  /// How many initial architectures a warm start replaces: the optimizer's
  /// random initial design (regularized evolution: `population_size`;
  /// BANANAS: `num_init`); 0 when the optimizer takes no warm start.
  virtual int64_t warm_start_size() const { return 0; }
  /// Architectures to propose first, in this order, in place of the random
  /// initial ones (nascpp/warm_start.h ranks them); at most
  /// `warm_start_size()` of them are used. Set after `attach`, before the
  /// first `ask`; saved and restored with the state. An optimizer whose
  /// `warm_start_size()` is 0 gets a ConfigError naming it; architectures of
  /// another space are rejected by `SearchSpace::validate`.
  void set_warm_start(std::vector<Architecture> archs);
  /// The warm-start architectures not yet proposed, next first.
  const std::vector<Architecture>& warm_start() const { return warm_start_; }

  /// Trials asked and not yet told, by id.
  const std::map<int64_t, Trial>& pending() const { return pending_; }
  /// Trials asked so far (the next trial's id).
  int64_t trials_asked() const { return next_id_; }

  /// Everything the optimizer learnt (population, history, pending trials,
  /// ...) as JSON text, for checkpoints. The generator passed to `attach` is
  /// the caller's: save its `Rng::state()` beside this to resume exactly.
  std::string save_state() const;
  /// Restores a state written by `save_state` of an optimizer of the same
  /// name, attached to the same space; afterwards `ask` continues as the saved
  /// optimizer would have, and the saved pending trials are pending again. A
  /// malformed state is a DataError.
  void load_state(const std::string& state);

 protected:
  const SearchSpace& space() const { return *space_; }
  Rng& rng() { return *rng_; }
  /// The next warm-start architecture (removed from the list), or nullopt
  /// when none is left: optimizers call it where they would draw an initial
  /// random architecture.
  std::optional<Architecture> next_warm_start();

 private:
  virtual void do_attach() {}
  /// Fills `trial` (id already set; `fidelity` preset to `fidelity()`): at
  /// least its architecture. False: nothing now.
  virtual bool do_ask(Trial& trial) = 0;
  virtual void do_tell(const Trial& trial, const EvaluationResult& result) = 0;
  /// The optimizer's state as JSON text (an object); see optimizers/common/state.h.
  virtual std::string do_save_state() const = 0;
  /// Restores `do_save_state`'s text; DataError when malformed.
  virtual void do_load_state(const std::string& state) = 0;

  std::shared_ptr<const SearchSpace> space_;
  Rng* rng_ = nullptr;
  int64_t max_in_flight_ = 1;
  Fidelity fidelity_;
  FidelityRange range_;
  int64_t next_id_ = 0;
  std::map<int64_t, Trial> pending_;
  std::vector<Architecture> warm_start_;  // next first
};

}  // namespace nascpp

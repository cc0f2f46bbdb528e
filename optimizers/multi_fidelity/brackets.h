#pragma once
/// Successive halving and Hyperband on trials: brackets of rungs, each rung
/// a number of configurations evaluated at one budget (epochs), the best
/// 1/eta of a finished rung promoted to the next one (a promotion continues
/// the lower rung's trial). `BracketOptimizer` holds the bookkeeping shared
/// by successive halving, Hyperband, BOHB and DEHB; subclasses say where
/// new configurations come from.
///
/// Budgets ("rungs"): an evaluator with discrete fidelities (a tabular
/// benchmark) gives its own within [min_epochs, max_epochs] (NAS-Bench-201:
/// 12 and 200, two rungs); otherwise they are max_epochs * eta^-k, k = 0..s_max,
/// s_max = floor(log_eta(max_epochs / min_epochs)), rounded to whole epochs.
///
/// Brackets (Li et al. 2018, Algorithm 1): bracket s = s_max..0 starts at rung
/// s_max - s with n_0 configurations, rung i keeps floor(n_0 eta^-i).
/// `rounding: paper` is the paper's n_0 = ceil((s_max+1)/(s+1) eta^s) (eta 3,
/// R 81: [81,27,9,3,1], [34,11,3,1], [15,5,1], [8,2], [5]); `rounding: floor`
/// is HpBandSter's and DEHB's n_0 = floor((s_max+1)/(s+1)) eta^s ([81,27,9,3,1],
/// [27,9,3,1], [9,3,1], [6,2], [5]).
///
/// Several in flight: the evaluations of a rung run at once; when every
/// active bracket waits for results, a new bracket starts (as HpBandSter
/// does with idle workers). With one in flight this is the sequential algorithm.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"

namespace nascpp {

/// Options shared by the bracket optimizers.
struct BracketOptions {
  /// The halving rate: the best 1/eta of a rung is promoted.
  NASCPP_ARG(double, eta) = 3.0;
  /// The lowest and highest budget in epochs (0: the evaluator's lowest and
  /// full fidelity).
  NASCPP_ARG(int64_t, min_epochs) = 0;
  NASCPP_ARG(int64_t, max_epochs) = 0;
  /// "paper" (ceil, Li et al.) or "floor" (HpBandSter, DEHB); see above.
  NASCPP_ARG(std::string, rounding) = "paper";

 public:
  /// Keys eta, min_epochs, max_epochs, rounding.
  static BracketOptions from_config(ConfigNode& cfg);
  void validate() const;
};

/// The rung budgets (ascending epochs) for an evaluator's fidelity range.
/// ConfigError when the range leaves fewer than one budget.
std::vector<int64_t> rung_budgets(const FidelityRange& range, const BracketOptions& options);

/// n_i of every rung of every bracket s = s_max..0 (outer: brackets, inner:
/// rungs from the bracket's first), for `paper` or floor rounding.
std::vector<std::vector<int64_t>> hyperband_brackets(int64_t s_max, double eta, bool paper);

class BracketOptimizer : public BlackBoxOptimizer {
 public:
  explicit BracketOptimizer(BracketOptions options);

  /// One configuration of a rung.
  struct Entry {
    Architecture arch;           // empty until asked (new configurations)
    int64_t trial = -1;          // -1: not asked yet
    bool done = false;
    double objective = 0.0;
    int64_t continues = -1;      // the lower rung's trial it continues (-1: none)
  };
  struct Rung {
    int64_t epochs = 0;
    std::vector<Entry> entries;
  };
  struct Bracket {
    int64_t id = 0;
    int64_t s = 0;            // Hyperband's bracket index
    int64_t current = 0;      // the rung being evaluated
    std::vector<Rung> rungs;  // sizes fixed at creation; entries of later rungs filled by promotion
    std::vector<int64_t> sizes;
  };

  /// The rung budgets in use (after attach and set_fidelities).
  const std::vector<int64_t>& budgets() const { return budgets_; }
  /// Brackets started so far (finished ones included).
  int64_t brackets_started() const { return next_bracket_; }
  /// The active brackets.
  const std::deque<Bracket>& active() const { return active_; }
  /// Evaluations told per budget (epochs -> count), for tests and logs.
  const std::map<int64_t, int64_t>& told_per_budget() const { return told_per_budget_; }

 protected:
  const BracketOptions& bracket_options() const { return options_; }
  /// The bracket index s of the `n`-th bracket (0, 1, ...): Hyperband cycles
  /// s_max..0; successive halving always s_max.
  virtual int64_t bracket_index(int64_t n, int64_t s_max) const;
  /// Where a new configuration goes: its trial, budget, bracket and rung.
  struct Slot {
    int64_t trial = -1;
    int64_t epochs = 0;
    int64_t bracket = 0;  // the bracket's number (0, 1, ...)
    int64_t s = 0;        // its Hyperband index
    int64_t rung = 0;     // the rung within the bracket (0: its first)
    int64_t rung_size = 0;  // configurations in that rung
    /// The rung below in the bracket (rung > 0): its budget and its entries.
    int64_t lower_epochs = 0;
    const Rung* lower = nullptr;
  };
  /// A new configuration: for a bracket's first rung, and for the later
  /// rungs when promotions do not continue (DEHB).
  virtual Architecture new_configuration(const Slot& slot) = 0;
  /// Every result, for models (BOHB) and populations (DEHB).
  virtual void observe(const Trial& trial, int64_t epochs, const EvaluationResult& result) {
    (void)trial;
    (void)epochs;
    (void)result;
  }
  /// Whether the best of a rung are promoted, continuing their trials
  /// (successive halving, Hyperband, BOHB), or the later rungs are filled
  /// with new configurations (DEHB).
  virtual bool promotions_continue() const { return true; }
  /// Sub-state of a subclass (JSON text; "{}" if none).
  virtual std::string save_extra() const { return "{}"; }
  virtual void load_extra(const std::string& text) { (void)text; }
  /// The first rung's size of the `n`-th bracket (successive halving may override).
  virtual std::vector<int64_t> bracket_sizes(int64_t s) const;

  int64_t s_max() const { return static_cast<int64_t>(budgets_.size()) - 1; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  void ensure_budgets();
  Bracket start_bracket();
  void promote(Bracket& b);

  BracketOptions options_;
  std::vector<int64_t> budgets_;
  std::deque<Bracket> active_;
  int64_t next_bracket_ = 0;
  // trial id -> (bracket id, rung, entry)
  struct Where {
    int64_t bracket, rung, entry;
  };
  std::map<int64_t, Where> where_;
  std::map<int64_t, int64_t> told_per_budget_;
};

/// Successive halving (Jamieson & Talwalkar 2016; Li et al. 2018): brackets of
/// `num_configs` configurations at the lowest budget (default eta^s_max), the
/// best 1/eta promoted rung by rung to the highest; one bracket after another.
struct SuccessiveHalvingOptions {
  NASCPP_ARG(BracketOptions, brackets) = BracketOptions();
  /// Configurations at the lowest rung (0: eta^s_max).
  NASCPP_ARG(int64_t, num_configs) = 0;

 public:
  static SuccessiveHalvingOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class SuccessiveHalving : public BracketOptimizer {
 public:
  static constexpr const char* kName = "successive_halving";
  explicit SuccessiveHalving(SuccessiveHalvingOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

 protected:
  int64_t bracket_index(int64_t n, int64_t s_max) const override;
  std::vector<int64_t> bracket_sizes(int64_t s) const override;
  Architecture new_configuration(const Slot& slot) override;

 private:
  SuccessiveHalvingOptions sh_options_;
};

/// Hyperband (Li et al. 2018, Algorithm 1): brackets s = s_max..0 in turn,
/// new configurations drawn uniformly.
class Hyperband : public BracketOptimizer {
 public:
  static constexpr const char* kName = "hyperband";
  explicit Hyperband(BracketOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

 protected:
  Architecture new_configuration(const Slot& slot) override;
};

}  // namespace nascpp

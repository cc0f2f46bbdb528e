#pragma once
/// DEHB (Awad et al., IJCAI 2021; automl/DEHB): differential evolution inside
/// Hyperband brackets (HpBandSter's floor rounding by default), one
/// subpopulation per budget of the size of that budget's largest rung, on
/// vectors in [0, 1]^d decoded to the space's choices (choice j of c options
/// is floor(v_j c)).
///
/// Every evaluation has a parent: the next member of its budget's
/// subpopulation in turn. During the first s_max + 1 brackets a later rung
/// takes the best evaluated members of the lower budget's subpopulation not
/// yet in its own (promotion); otherwise a configuration is the rand/1/bin
/// offspring of its parent: mutant a + F (b - c) from three distinct members
/// of the mutation pool (the best n of the lower budget's subpopulation, n the
/// rung's size, filled from the whole population when it has fewer than 3),
/// components outside [0, 1] redrawn uniformly, crossover with probability CR
/// per component (one component always from the mutant). Its result replaces
/// the parent when it is at least as good. New configurations are evaluated
/// from scratch at their budget (no continuation), as in DEHB.

#include <map>
#include <memory>
#include <vector>

#include "optimizers/multi_fidelity/brackets.h"

namespace nascpp {

struct DehbOptions {
  NASCPP_ARG(BracketOptions, brackets) = BracketOptions().rounding("floor");
  /// The mutation factor F and the crossover probability CR.
  NASCPP_ARG(double, mutation_factor) = 0.5;
  NASCPP_ARG(double, crossover_prob) = 0.5;

 public:
  static DehbOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class Dehb : public BracketOptimizer {
 public:
  static constexpr const char* kName = "dehb";
  explicit Dehb(DehbOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

  /// Members of a budget's subpopulation: vector and fitness (the objective;
  /// -infinity while not evaluated).
  struct Member {
    std::vector<double> x;
    double fitness = 0.0;
  };
  const std::map<int64_t, std::vector<Member>>& populations() const { return populations_; }
  /// Evaluations whose result replaced their parent.
  int64_t replacements() const { return replacements_; }

 protected:
  Architecture new_configuration(const Slot& slot) override;
  void observe(const Trial& trial, int64_t epochs, const EvaluationResult& result) override;
  bool promotions_continue() const override { return false; }
  std::string save_extra() const override;
  void load_extra(const std::string& text) override;

 private:
  void init_populations();
  Architecture decode(const std::vector<double>& x);
  std::vector<double> mutant(const std::vector<Member>& pool, const std::vector<Member>& fill);

  DehbOptions options_;
  std::vector<int32_t> cards_;
  std::map<int64_t, std::vector<Member>> populations_;
  std::map<int64_t, int64_t> parent_counter_;
  // Pending evaluations: trial -> (budget, parent, vector).
  struct Pending {
    int64_t epochs;
    int64_t parent;
    std::vector<double> x;
  };
  std::map<int64_t, Pending> pending_;
  int64_t replacements_ = 0;
};

}  // namespace nascpp

#pragma once
/// Regularized evolution (Real et al., AAAI 2019, Algorithm 1): the first
/// `population_size` proposals are random samples; after that each proposal
/// mutates the winner of a tournament of `sample_size` members drawn with
/// replacement from the population, and every result joins the population
/// while its oldest member dies (aging).

#include <deque>
#include <memory>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"

namespace nascpp {

struct RegularizedEvolutionOptions {
  /// Population size P (Real et al.: 100 on NAS-Bench-101; NAS-Bench-201's
  /// and NASLib's studies use tens; default 50).
  NASCPP_ARG(int64_t, population_size) = 50;
  /// Tournament size S, drawn with replacement.
  NASCPP_ARG(int64_t, sample_size) = 10;

 public:
  /// Keys `population_size`, `sample_size`.
  static RegularizedEvolutionOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class RegularizedEvolution : public BlackBoxOptimizer {
 public:
  static constexpr const char* kName = "regularized_evolution";
  explicit RegularizedEvolution(RegularizedEvolutionOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }
  /// A warm start replaces the random initial population.
  int64_t warm_start_size() const override { return options_.population_size(); }

  struct Member {
    Architecture arch;
    double objective = 0.0;
  };
  /// The current population, oldest first.
  const std::deque<Member>& population() const { return population_; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  RegularizedEvolutionOptions options_;
  std::deque<Member> population_;
  int64_t asked_ = 0;
};

}  // namespace nascpp

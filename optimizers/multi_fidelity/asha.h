#pragma once
/// ASHA, asynchronous successive halving (Li et al., MLSys 2020, Algorithm 2):
/// whenever a worker is free, promote a configuration that is in the top
/// 1/eta of the completed evaluations of its rung and not promoted yet
/// (searching from the highest rung down), else start a new random
/// configuration at the lowest rung. It never waits for a rung to fill:
/// `ask` always returns a trial. Promotions continue the lower rung's trial.
/// Rungs as `BracketOptimizer`'s budgets (brackets.h).

#include <memory>
#include <vector>

#include "optimizers/multi_fidelity/brackets.h"

namespace nascpp {

class Asha : public BlackBoxOptimizer {
 public:
  static constexpr const char* kName = "asha";
  explicit Asha(BracketOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

  struct Record {
    Architecture arch;
    int64_t trial = -1;
    bool done = false;
    double objective = 0.0;
    bool promoted = false;
  };
  /// The rung budgets and each rung's records.
  const std::vector<int64_t>& budgets() const { return budgets_; }
  const std::vector<std::vector<Record>>& rungs() const { return rungs_; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  BracketOptions options_;
  std::vector<int64_t> budgets_;
  std::vector<std::vector<Record>> rungs_;
};

}  // namespace nascpp

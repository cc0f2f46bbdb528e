#pragma once
/// Local search (White, Nolen, Savani: "Exploring the loss landscape in
/// neural architecture search", UAI 2021 — NASLib's variant): after
/// `num_init` random architectures, take the best as the current one;
/// evaluate its whole neighbourhood (`SearchSpace::neighbours`, in random
/// order); move to the best neighbour if it improves on the current one, and
/// otherwise (a local optimum) restart from a new random architecture.
///
/// Neighbours evaluated before are not proposed again (their known value
/// counts), unless `skip_evaluated` is false. If the optimizer must decide
/// while results are still outstanding (asynchronous use), it proposes an
/// unseen random architecture meanwhile.

#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"

namespace nascpp {

struct LocalSearchOptions {
  /// Random architectures evaluated before the first descent (NASLib: 10).
  NASCPP_ARG(int64_t, num_init) = 10;
  /// Evaluate a neighbourhood in random order (NASLib shuffles it).
  NASCPP_ARG(bool, shuffle_neighbours) = true;
  /// Do not re-evaluate architectures already evaluated.
  NASCPP_ARG(bool, skip_evaluated) = true;

 public:
  /// Keys `num_init`, `shuffle_neighbours`, `skip_evaluated`.
  static LocalSearchOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class LocalSearch : public BlackBoxOptimizer {
 public:
  static constexpr const char* kName = "local_search";
  explicit LocalSearch(LocalSearchOptions options = {});
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

  /// The architecture whose neighbourhood is being evaluated (empty before
  /// the first descent).
  const Architecture& current() const { return current_; }
  /// Number of restarts from a random architecture so far.
  int64_t restarts() const { return restarts_; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  Architecture next_architecture();
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  Architecture propose(Architecture arch);
  Architecture propose_random();
  void build_neighbourhood();

  LocalSearchOptions options_;
  int64_t init_asked_ = 0;
  int64_t pending_ = 0;
  int64_t restarts_ = 0;
  std::vector<std::pair<Architecture, double>> told_;  // in order, for the state
  std::unordered_map<Architecture, double> values_;
  std::unordered_set<Architecture> proposed_;
  Architecture current_;
  double current_value_ = 0.0;
  std::vector<Architecture> neighbourhood_;
  std::vector<Architecture> queue_;  // still to propose, taken from the back
  Architecture restart_;             // proposed restart point, not yet current
};

}  // namespace nascpp

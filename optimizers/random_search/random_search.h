#pragma once
/// Random search: uniform samples of the search space without repeats (Li &
/// Talwalkar 2019's baseline; NAS-Bench-201's "REA/RS" comparison). In a
/// finite space N queries are N distinct architectures drawn uniformly.

#include <memory>
#include <unordered_set>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/optimizer.h"

namespace nascpp {

struct RandomSearchOptions {
  /// Draws tried for an unseen architecture of an infinite space before
  /// giving up with an error (finite spaces switch to enumeration instead).
  NASCPP_ARG(int64_t, max_attempts) = 10000;

 public:
  /// Key `max_attempts`.
  static RandomSearchOptions from_config(ConfigNode& cfg);
  void validate() const;
};

class RandomSearch : public BlackBoxOptimizer {
 public:
  static constexpr const char* kName = "random_search";
  explicit RandomSearch(RandomSearchOptions options = {});
  /// Registry factory.
  static std::unique_ptr<Optimizer> from_config(ConfigNode& config);
  std::string name() const override { return kName; }

  /// Architectures proposed so far, in order.
  const std::vector<Architecture>& proposed() const { return proposed_; }

 private:
  void do_attach() override;
  bool do_ask(Trial& trial) override;
  void do_tell(const Trial& trial, const EvaluationResult& result) override;
  std::string do_save_state() const override;
  void do_load_state(const std::string& state) override;

  RandomSearchOptions options_;
  std::vector<Architecture> proposed_;
  std::unordered_set<Architecture> seen_;
  std::vector<Architecture> all_;  // enumeration, once a finite space is half seen
};

}  // namespace nascpp

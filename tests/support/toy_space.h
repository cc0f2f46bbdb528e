#pragma once
// A tiny search space and evaluator defined only in the tests, to show that
// the optimizers depend on nothing but the SearchSpace interface.
//
// "toy": kPositions positions, each with a value in [0, kValues); mutate
// changes one position; neighbours are all single-position changes; the only
// encoding is "onehot". Its architectures have no network.

#include <cmath>
#include <string>
#include <vector>

#include "nascpp/core/error.h"
#include "nascpp/evaluator.h"
#include "nascpp/search_space.h"

namespace nascpp::test {

class ToySpace : public SearchSpace {
 public:
  static constexpr int kPositions = 4;
  static constexpr int kValues = 5;  // 625 architectures

  std::string name() const override { return "toy"; }
  Architecture parse(const std::string& text) const override {
    NASCPP_CHECK_CONFIG(text.size() == static_cast<size_t>(kPositions),
                        "toy architecture '{}' needs {} digits", text, kPositions);
    std::vector<int32_t> enc;
    for (char c : text) enc.push_back(c - '0');
    Architecture a("toy", enc);
    validate(a);
    return a;
  }
  std::string format(const Architecture& arch) const override {
    std::string out;
    for (int32_t v : arch.encoding()) out += static_cast<char>('0' + v);
    return out;
  }
  void validate(const Architecture& arch) const override {
    NASCPP_CHECK_CONFIG(
        arch.space() == "toy" && arch.encoding().size() == static_cast<size_t>(kPositions),
        "not a toy architecture");
    for (int32_t v : arch.encoding()) {
      NASCPP_CHECK_CONFIG(v >= 0 && v < kValues, "toy value {} out of range", v);
    }
  }
  Architecture sample(Rng& rng) const override {
    std::vector<int32_t> enc(kPositions);
    for (auto& v : enc) v = static_cast<int32_t>(rng.index(kValues));
    return Architecture("toy", enc);
  }
  Architecture mutate(const Architecture& arch, Rng& rng) const override {
    auto enc = arch.encoding();
    const size_t p = rng.index(kPositions);
    enc[p] =
        static_cast<int32_t>((enc[p] + 1 + static_cast<int32_t>(rng.index(kValues - 1))) % kValues);
    return Architecture("toy", enc);
  }
  std::vector<Architecture> neighbours(const Architecture& arch) const override {
    std::vector<Architecture> out;
    for (int p = 0; p < kPositions; ++p) {
      for (int32_t v = 0; v < kValues; ++v) {
        if (v == arch.encoding()[p]) continue;
        auto enc = arch.encoding();
        enc[p] = v;
        out.emplace_back("toy", enc);
      }
    }
    return out;
  }
  std::optional<uint64_t> size() const override { return 625; }
  std::vector<Architecture> enumerate() const override {
    std::vector<Architecture> out;
    for (int id = 0; id < 625; ++id) {
      std::vector<int32_t> enc(kPositions);
      int rest = id;
      for (int p = kPositions - 1; p >= 0; --p) {
        enc[p] = rest % kValues;
        rest /= kValues;
      }
      out.emplace_back("toy", enc);
    }
    return out;
  }
  std::vector<int32_t> choice_cardinalities() const override {
    return std::vector<int32_t>(kPositions, kValues);
  }
  std::vector<int32_t> choices_of(const Architecture& arch) const override {
    validate(arch);
    return arch.encoding();
  }
  std::optional<Architecture> from_choices(const std::vector<int32_t>& choices) const override {
    for (int32_t v : choices) {
      if (v < 0 || v >= kValues) return std::nullopt;
    }
    if (choices.size() != static_cast<size_t>(kPositions)) return std::nullopt;
    return Architecture("toy", choices);
  }
  std::vector<std::string> encodings() const override { return {"onehot"}; }
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override {
    NASCPP_CHECK_CONFIG(encoding == "onehot", "toy encodes only onehot, not '{}'", encoding);
    std::vector<float> out(kPositions * kValues, 0.0f);
    for (int p = 0; p < kPositions; ++p) out[p * kValues + arch.encoding()[p]] = 1.0f;
    return out;
  }
  std::shared_ptr<Network> build_network(const Architecture&, const NetworkSpec&) const override {
    throw Error("the toy space builds no networks");
  }
};

// A successful result with `objective` and `cost`.
inline EvaluationResult result_of(double objective, double cost = 0.0) {
  EvaluationResult r;
  r.objective = objective;
  r.cost = cost;
  return r;
}

// Objective: a sum of per-position scores, maximal (= 100) at 3,1,4,2, so
// every non-optimal architecture has an improving neighbour. Cost 1 s.
class ToyEvaluator : public Evaluator {
 public:
  static double score(const Architecture& arch) {
    static const int kBest[ToySpace::kPositions] = {3, 1, 4, 2};
    double s = 100.0;
    for (int p = 0; p < ToySpace::kPositions; ++p) {
      s -= 5.0 * std::abs(arch.encoding()[p] - kBest[p]) +
           (p + 1) * 0.25 * (arch.encoding()[p] != kBest[p]);
    }
    return s;
  }
  std::string name() const override { return "toy"; }
  std::string objective_name() const override { return "score"; }
  std::vector<std::string> metric_names() const override { return {"score", "size"}; }
  // 1 to 9 epochs, the score the same at each: multi-fidelity optimizers
  // get three budgets.
  FidelityRange fidelity_range() const override { return {1, 9, {}}; }
  bool simulated_cost() const override { return true; }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t, Rng&) override {
    const Architecture& arch = trial.arch;
    EvaluationResult r;
    r.objective = score(arch);
    r.metrics["score"] = r.objective;
    double size = 0;
    for (int32_t v : arch.encoding()) size += v;
    r.metrics["size"] = size;
    r.cost = 1.0;
    return r;
  }
};

}  // namespace nascpp::test

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>
#include <tuple>

#include "nascpp/core/error.h"
#include "nascpp/core/random.h"
#include "nascpp/core/statistics.h"
#include "nascpp/predictor_evaluation.h"

namespace nascpp {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Share of the `k` highest `truth` among the `k` highest `predicted`
/// (NASLib's precision_k: strictly above the k+1-th value on both sides).
double precision_at(const std::vector<double>& truth, const std::vector<double>& predicted,
                    size_t k) {
  k = std::min(k, truth.size());
  const auto top = [k](const std::vector<double>& v) {
    std::vector<size_t> order(v.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] > v[b]; });
    return std::set<size_t>(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
  };
  const auto a = top(truth);
  const auto b = top(predicted);
  size_t both = 0;
  for (size_t i : a) both += b.count(i);
  return static_cast<double>(both) / static_cast<double>(k);
}

}  // namespace

void PredictorEvaluationOptions::validate() const {
  NASCPP_CHECK_CONFIG(!train_sizes_.empty(), "predictor evaluation: no train sizes given");
  for (size_t i = 0; i < train_sizes_.size(); ++i) {
    NASCPP_CHECK_CONFIG(train_sizes_[i] >= 2,
                        "predictor evaluation: train sizes must be at least 2, got {}",
                        train_sizes_[i]);
    NASCPP_CHECK_CONFIG(i == 0 || train_sizes_[i] > train_sizes_[i - 1],
                        "predictor evaluation: train sizes must ascend, got {} after {}",
                        train_sizes_[i], train_sizes_[i - 1]);
  }
  NASCPP_CHECK_CONFIG(test_size_ >= 20,
                      "predictor evaluation: test_size must be at least 20 (precision at the top "
                      "20), got {}",
                      test_size_);
  NASCPP_CHECK_CONFIG(trials_ >= 1, "predictor evaluation: trials must be at least 1, got {}",
                      trials_);
  for (const auto& f : features_) {
    NASCPP_CHECK_CONFIG(f.evaluator != nullptr,
                        "predictor evaluation: feature '{}' has no "
                        "evaluator",
                        f.name);
    f.evaluator->resolve_epochs(f.fidelity);  // an unsupported fidelity fails here
  }
}

std::vector<PredictorEvaluationRow> evaluate_predictor(
    const std::function<std::unique_ptr<Predictor>()>& make_predictor, const SearchSpace& space,
    Evaluator& evaluator, const PredictorEvaluationOptions& options) {
  options.validate();
  const auto encodings = space.encodings();
  if (std::find(encodings.begin(), encodings.end(), options.encoding()) == encodings.end()) {
    throw ConfigError(
        unknown_choice_message(space.name() + " encoding", options.encoding(), encodings));
  }
  const auto needed = static_cast<size_t>(options.test_size() + options.train_sizes().back());
  if (auto size = space.size()) {
    NASCPP_CHECK_CONFIG(*size >= needed,
                        "predictor evaluation: {} distinct architectures are needed ({} test + {} "
                        "training) but '{}' has {}",
                        needed, options.test_size(), options.train_sizes().back(), space.name(),
                        *size);
  }
  const size_t n_sizes = options.train_sizes().size();
  std::vector<std::vector<double>> kendall(n_sizes), spear(n_sizes), p10(n_sizes), p20(n_sizes),
      fit(n_sizes), query(n_sizes);
  std::vector<int64_t> failed(n_sizes, 0), constant(n_sizes, 0);
  for (int64_t t = 0; t < options.trials(); ++t) {
    Rng rng(options.seed() + static_cast<uint64_t>(t));
    // Distinct architectures: the first test_size are the test set, the
    // rest the (nested) training sets.
    std::set<std::string> seen;
    FeatureMatrix features;
    size_t encoding_cols = 0;
    std::vector<double> targets;
    size_t draws = 0;
    while (targets.size() < needed) {
      NASCPP_CHECK_CONFIG(++draws <= 100 * needed,
                          "predictor evaluation: {} draws from '{}' gave only {} distinct "
                          "architectures with a result",
                          draws - 1, space.name(), targets.size());
      const Architecture arch = space.sample(rng);
      if (!seen.insert(space.format(arch)).second) continue;
      const EvaluationResult r = evaluator.evaluate(arch, Fidelity(), rng);
      if (r.failed() || !std::isfinite(r.objective)) continue;
      std::vector<float> row = space.encode(arch, options.encoding());
      encoding_cols = row.size();
      bool complete = true;
      for (const auto& f : options.features()) {
        const EvaluationResult v = f.evaluator->evaluate(arch, f.fidelity, rng);
        complete = complete && !v.failed() && std::isfinite(v.objective);
        row.push_back(static_cast<float>(v.objective));
      }
      if (!complete) continue;
      features.append(row);
      targets.push_back(r.objective);
    }
    const auto test_n = static_cast<size_t>(options.test_size());
    FeatureMatrix test_x(test_n, features.cols);
    std::copy(features.data.begin(),
              features.data.begin() + static_cast<std::ptrdiff_t>(test_n * features.cols),
              test_x.data.begin());
    const std::vector<double> test_y(targets.begin(),
                                     targets.begin() + static_cast<std::ptrdiff_t>(test_n));
    for (size_t s = 0; s < n_sizes; ++s) {
      const auto n = static_cast<size_t>(options.train_sizes()[s]);
      FeatureMatrix train_x(n, features.cols);
      std::copy(features.data.begin() + static_cast<std::ptrdiff_t>(test_n * features.cols),
                features.data.begin() + static_cast<std::ptrdiff_t>((test_n + n) * features.cols),
                train_x.data.begin());
      const std::vector<double> train_y(targets.begin() + static_cast<std::ptrdiff_t>(test_n),
                                        targets.begin() + static_cast<std::ptrdiff_t>(test_n + n));
      // The extra features standardised by this training set's statistics.
      FeatureMatrix fit_test_x = test_x;
      for (size_t c = encoding_cols; c < features.cols; ++c) {
        double mean = 0.0, var = 0.0;
        for (size_t i = 0; i < n; ++i) mean += train_x.row(i)[c] / static_cast<double>(n);
        for (size_t i = 0; i < n; ++i) {
          var += (train_x.row(i)[c] - mean) * (train_x.row(i)[c] - mean) / static_cast<double>(n);
        }
        const double sd = var > 0 ? std::sqrt(var) : 1.0;
        for (size_t i = 0; i < n; ++i) {
          train_x.row(i)[c] = static_cast<float>((train_x.row(i)[c] - mean) / sd);
        }
        for (size_t i = 0; i < test_n; ++i) {
          fit_test_x.row(i)[c] = static_cast<float>((test_x.row(i)[c] - mean) / sd);
        }
      }
      auto predictor = make_predictor();
      auto start = std::chrono::steady_clock::now();
      predictor->fit(train_x, train_y, rng);
      fit[s].push_back(seconds_since(start));
      start = std::chrono::steady_clock::now();
      const auto predictions = predictor->predict(fit_test_x);
      query[s].push_back(seconds_since(start));
      std::vector<double> mean(predictions.size());
      bool finite = true;
      for (size_t i = 0; i < predictions.size(); ++i) {
        mean[i] = predictions[i].mean;
        finite = finite && std::isfinite(mean[i]);
      }
      if (!finite) {
        ++failed[s];
        continue;
      }
      if (std::all_of(mean.begin(), mean.end(), [&mean](double v) { return v == mean[0]; })) {
        ++constant[s];
        kendall[s].push_back(0.0);
        spear[s].push_back(0.0);
      } else {
        kendall[s].push_back(kendall_tau(test_y, mean));
        spear[s].push_back(spearman(test_y, mean));
      }
      p10[s].push_back(precision_at(test_y, mean, 10));
      p20[s].push_back(precision_at(test_y, mean, 20));
    }
  }
  std::vector<PredictorEvaluationRow> rows;
  for (size_t s = 0; s < n_sizes; ++s) {
    PredictorEvaluationRow row;
    row.train_size = options.train_sizes()[s];
    std::tie(row.kendall_tau, row.kendall_tau_std) = mean_std(kendall[s]);
    std::tie(row.spearman, row.spearman_std) = mean_std(spear[s]);
    row.precision_at_10 = mean_std(p10[s]).first;
    row.precision_at_20 = mean_std(p20[s]).first;
    row.fit_seconds = mean_std(fit[s]).first;
    row.query_seconds = mean_std(query[s]).first;
    row.failed_trials = failed[s];
    row.constant_trials = constant[s];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace nascpp

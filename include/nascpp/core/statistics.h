#pragma once
/// Summary statistics shared by reports and benchmarks: mean and sample
/// standard deviation, and the rank correlations for comparing scores with
/// accuracies (zero-cost proxies, predictors): Spearman's rho and Kendall's
/// tau-b, as scipy.stats computes them (average ranks for ties; tau-b's tie
/// correction).

#include <utility>
#include <vector>

namespace nascpp {

/// Mean and sample standard deviation (n - 1) of `values`; the deviation is 0
/// for fewer than two values, the mean NaN for none.
std::pair<double, double> mean_std(const std::vector<double>& values);

/// Spearman's rank correlation of `x` and `y` (same length, else an Error).
/// Pairs where either value is NaN are dropped; NaN when fewer than two pairs
/// remain or one side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

/// Kendall's tau-b of `x` and `y`, with NaN pairs dropped as in `spearman`.
double kendall_tau(const std::vector<double>& x, const std::vector<double>& y);

/// Average ranks (1-based; tied values share the mean of their ranks).
std::vector<double> average_ranks(const std::vector<double>& values);

}  // namespace nascpp

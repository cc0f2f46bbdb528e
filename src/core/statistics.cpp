#include "nascpp/core/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::pair<std::vector<double>, std::vector<double>> finite_pairs(const std::vector<double>& x,
                                                                 const std::vector<double>& y) {
  NASCPP_CHECK(x.size() == y.size(), "rank correlation of {} values with {} values", x.size(),
               y.size());
  std::pair<std::vector<double>, std::vector<double>> out;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) continue;
    out.first.push_back(x[i]);
    out.second.push_back(y[i]);
  }
  return out;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa == 0.0 || sbb == 0.0) return kNaN;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

std::pair<double, double> mean_std(const std::vector<double>& values) {
  double mean = 0.0;
  for (double x : values) mean += x;
  mean /= static_cast<double>(values.size());
  double ss = 0.0;
  for (double x : values) ss += (x - mean) * (x - mean);
  const double sd =
      values.size() > 1 ? std::sqrt(ss / static_cast<double>(values.size() - 1)) : 0.0;
  return {mean, sd};
}

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  size_t i = 0;
  while (i < order.size()) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
  const auto [a, b] = finite_pairs(x, y);
  if (a.size() < 2) return kNaN;
  return pearson(average_ranks(a), average_ranks(b));
}

double kendall_tau(const std::vector<double>& x, const std::vector<double>& y) {
  const auto [a, b] = finite_pairs(x, y);
  if (a.size() < 2) return kNaN;
  // O(n^2) pair count: the sizes compared here (hundreds to a few thousand)
  // make this cheaper than the merge-sort version is to get right.
  double concordant = 0.0, discordant = 0.0, ties_a = 0.0, ties_b = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = i + 1; j < a.size(); ++j) {
      const double da = a[i] - a[j];
      const double db = b[i] - b[j];
      if (da == 0.0 && db == 0.0) continue;
      if (da == 0.0) {
        ties_a += 1.0;
      } else if (db == 0.0) {
        ties_b += 1.0;
      } else if ((da > 0.0) == (db > 0.0)) {
        concordant += 1.0;
      } else {
        discordant += 1.0;
      }
    }
  }
  const double denom =
      std::sqrt((concordant + discordant + ties_a) * (concordant + discordant + ties_b));
  if (denom == 0.0) return kNaN;
  return (concordant - discordant) / denom;
}

}  // namespace nascpp

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nascpp/core/csv.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/search.h"

namespace nascpp {

std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& points) {
  std::vector<size_t> order(points.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Sweep by increasing cost (ties: higher objective, then earlier first): a
  // point is on the front when its objective beats every cheaper one's.
  std::sort(order.begin(), order.end(), [&points](size_t a, size_t b) {
    const auto& [oa, ca] = points[a];
    const auto& [ob, cb] = points[b];
    if (ca != cb) return ca < cb;
    if (oa != ob) return oa > ob;
    return a < b;
  });
  std::vector<size_t> front;
  bool any = false;
  double best = 0.0;
  for (size_t i : order) {
    if (!any || points[i].first > best) {
      front.push_back(i);
      best = points[i].first;
      any = true;
    }
  }
  return front;
}

std::vector<size_t> pareto_front(const std::vector<Evaluation>& evaluations,
                                 const std::string& cost_metric) {
  std::vector<std::pair<double, double>> points;
  std::vector<size_t> index;
  points.reserve(evaluations.size());
  for (size_t i = 0; i < evaluations.size(); ++i) {
    if (evaluations[i].result.failed()) continue;
    const auto& m = evaluations[i].result.metrics;
    auto it = m.find(cost_metric);
    if (it == m.end()) continue;
    points.emplace_back(evaluations[i].result.objective, it->second);
    index.push_back(i);
  }
  NASCPP_CHECK_CONFIG(evaluations.empty() || !points.empty(),
                      "Pareto front: no evaluation reports the metric '{}'", cost_metric);
  std::vector<size_t> front = pareto_front(points);
  for (auto& i : front) i = index[i];
  return front;
}

void write_pareto_csv(const std::string& path, const std::vector<Evaluation>& evaluations,
                      const std::vector<size_t>& front, const std::string& cost_metric,
                      const std::function<std::string(const Architecture&)>& format) {
  std::ostringstream out;
  out.precision(17);
  out << "query,arch,objective," << cost_metric << ",feasible\n";
  for (size_t i : front) {
    NASCPP_CHECK(i < evaluations.size(), "Pareto front index {} out of range ({} evaluations)", i,
                 evaluations.size());
    const Evaluation& e = evaluations[i];
    // Quoted: DARTS genotypes and NB101 specs contain commas.
    out << e.query << ',' << csv_quote(format(e.trial.arch)) << ',' << e.result.objective << ','
        << e.result.metrics.at(cost_metric) << ',' << (e.feasible ? 1 : 0) << '\n';
  }
  write_file_atomic(path, out.str());
}

void write_pareto_json(const std::string& path, const std::vector<Evaluation>& evaluations,
                       const std::vector<size_t>& front, const std::string& cost_metric,
                       const std::function<std::string(const Architecture&)>& format) {
  nlohmann::json out;
  out["cost_metric"] = cost_metric;
  out["front"] = nlohmann::json::array();
  for (size_t i : front) {
    NASCPP_CHECK(i < evaluations.size(), "Pareto front index {} out of range ({} evaluations)", i,
                 evaluations.size());
    const Evaluation& e = evaluations[i];
    nlohmann::json item;
    item["query"] = e.query;
    item["arch"] = format(e.trial.arch);
    item["objective"] = e.result.objective;
    item[cost_metric] = e.result.metrics.at(cost_metric);
    item["feasible"] = e.feasible;
    item["metrics"] = e.result.metrics;
    out["front"].push_back(std::move(item));
  }
  write_file_atomic(path, out.dump(2) + "\n");
}

}  // namespace nascpp

// make_report: statistics over seeds, anytime curves and plots of finished
// run directories (see include/nascpp/report.h).
#include "nascpp/report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>

#include "nascpp/core/error.h"
#include "nascpp/core/gnuplot.h"
#include "nascpp/core/io.h"
#include "nascpp/core/statistics.h"
#include "nascpp/core/log.h"
#include "nascpp/experiment.h"
#include "nascpp/run_directory.h"

namespace nascpp {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Point {
  int64_t step = 0;
  double cost = 0.0;
  double value = kNaN;  // report value, or the objective when the run has none
};

struct Run {
  std::string dir;
  ExperimentSummary summary;
  std::vector<TrajectoryRow> rows;  // trajectory.csv, read once
  std::vector<Point> trajectory;    // the rows as points of the group's value
  std::string pareto_dat;   // "cost,objective" lines of the front; "" when none
  std::string cost_metric;  // the front's cost metric
};

// What a run's value is: the full-training benchmark value of the
// incumbent (a `benchmark:` section), else its reported metric, else its
// search objective.
enum class Value { kBenchmark, kReport, kObjective };

// The run's trajectory as points: after each step, the incumbent's value
// over the executor's clock (simulated time with simulated workers, else
// the cumulative cost).
std::vector<Point> to_points(const std::vector<TrajectoryRow>& rows, Value value) {
  std::vector<Point> out;
  for (const auto& row : rows) {
    Point p;
    p.step = row.step;
    p.cost = row.time_s;
    switch (value) {
      case Value::kBenchmark: p.value = row.benchmark ? *row.benchmark : kNaN; break;
      case Value::kReport: p.value = row.report ? *row.report : kNaN; break;
      case Value::kObjective: p.value = row.objective; break;
    }
    out.push_back(p);
  }
  return out;
}

Value value_of(const ExperimentSummary& s) {
  if (!s.benchmark_report.empty() && s.benchmark.count(s.benchmark_report) == 1) {
    return Value::kBenchmark;
  }
  return s.report_value ? Value::kReport : Value::kObjective;
}

// pareto.csv: query,arch,objective,<cost_metric>,feasible (the architecture
// may hold commas in other spaces: the last three fields are split off).
void read_pareto(const std::string& dir, Run& run) {
  const std::string path = (fs::path(dir) / "pareto.csv").string();
  if (!fs::exists(path)) return;
  const auto lines = read_complete_lines(path);
  if (lines.empty()) return;
  // The positions of the last three commas of `line` (c1 < c2 < c3).
  const auto last_commas = [&path](const std::string& line, size_t number) {
    const size_t c3 = line.rfind(',');
    const size_t c2 =
        c3 == std::string::npos || c3 == 0 ? std::string::npos : line.rfind(',', c3 - 1);
    const size_t c1 =
        c2 == std::string::npos || c2 == 0 ? std::string::npos : line.rfind(',', c2 - 1);
    NASCPP_CHECK_DATA(c1 != std::string::npos, "'{}' line {}: expected 5 fields", path, number);
    return std::array<size_t, 3>{c1, c2, c3};
  };
  NASCPP_CHECK_DATA(lines[0].rfind("query,", 0) == 0,
                    "'{}' is not a nascpp Pareto front (header "
                    "query,arch,objective,<metric>,feasible expected)",
                    path);
  const auto h = last_commas(lines[0], 1);
  run.cost_metric = lines[0].substr(h[1] + 1, h[2] - h[1] - 1);
  std::ostringstream dat;
  for (size_t k = 1; k < lines.size(); ++k) {
    const auto& l = lines[k];
    const auto c = last_commas(l, k + 1);
    const std::string objective = l.substr(c[0] + 1, c[1] - c[0] - 1);
    const std::string cost = l.substr(c[1] + 1, c[2] - c[1] - 1);
    try {
      size_t used = 0;
      std::stod(objective, &used);
      NASCPP_CHECK_DATA(used == objective.size(), "'{}' line {}: malformed number", path, k + 1);
      std::stod(cost, &used);
      NASCPP_CHECK_DATA(used == cost.size(), "'{}' line {}: malformed number", path, k + 1);
    } catch (const std::logic_error&) {
      throw DataError(fmt::format("'{}' line {}: malformed number", path, k + 1));
    }
    dat << cost << ',' << objective << '\n';
  }
  run.pareto_dat = dat.str();
}

// Run directories under `path` (itself, or folders below it, 3 levels deep).
void find_runs(const fs::path& path, int depth, std::vector<std::string>& complete,
               std::vector<std::string>& incomplete) {
  std::error_code ec;
  if (fs::exists(path / "summary.json", ec)) {
    complete.push_back(path.string());
    return;
  }
  if (fs::exists(path / "config.yaml", ec)) {
    incomplete.push_back(path.string());
    return;
  }
  if (depth == 0 || !fs::is_directory(path, ec)) return;
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    if (e.is_directory()) children.push_back(e.path());
  }
  std::sort(children.begin(), children.end());
  for (const auto& c : children) find_runs(c, depth - 1, complete, incomplete);
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Mean, std and count over runs of the incumbent value at each x.
struct CurvePoint {
  double x = 0.0, mean = 0.0, std = 0.0;
  int64_t runs = 0;
};

std::vector<CurvePoint> curve_over_steps(const std::vector<const Run*>& runs) {
  size_t longest = 0;
  for (const Run* r : runs) longest = std::max(longest, r->trajectory.size());
  std::vector<CurvePoint> out;
  for (size_t k = 0; k < longest; ++k) {
    std::vector<double> values;
    for (const Run* r : runs) {
      if (r->trajectory.empty()) continue;
      // A finished run's incumbent stays what it was at its last step.
      const auto& p = r->trajectory[std::min(k, r->trajectory.size() - 1)];
      if (!std::isnan(p.value)) values.push_back(p.value);
    }
    if (values.empty()) continue;
    const auto [m, s] = mean_std(values);
    out.push_back({static_cast<double>(k + 1), m, s, static_cast<int64_t>(values.size())});
  }
  return out;
}

std::vector<CurvePoint> curve_over_cost(const std::vector<const Run*>& runs, int64_t points) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  for (const Run* r : runs) {
    if (r->trajectory.empty()) continue;
    lo = std::min(lo, std::max(r->trajectory.front().cost, 1e-9));
    hi = std::max(hi, r->trajectory.back().cost);
  }
  std::vector<CurvePoint> out;
  if (!(hi > 0.0) || !std::isfinite(lo)) return out;
  for (int64_t i = 0; i < points; ++i) {
    const double x = points == 1 ? hi
                                 : lo * std::pow(hi / lo, static_cast<double>(i) /
                                                              static_cast<double>(points - 1));
    std::vector<double> values;
    for (const Run* r : runs) {
      // The incumbent after the last step that cost at most x in total.
      const auto it = std::upper_bound(
          r->trajectory.begin(), r->trajectory.end(), x * (1 + 1e-12),
          [](double c, const Point& p) { return c < p.cost; });
      if (it == r->trajectory.begin()) continue;
      const double v = std::prev(it)->value;
      if (!std::isnan(v)) values.push_back(v);
    }
    if (values.empty()) continue;
    const auto [m, s] = mean_std(values);
    out.push_back({x, m, s, static_cast<int64_t>(values.size())});
  }
  return out;
}

std::string slug(const std::string& label) {
  std::string s;
  for (char c : label) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

std::string fmt_value(double v) { return fmt::format("{:.2f}", v); }

}  // namespace

std::string ReportGroup::label() const {
  return optimizer + " (" + search_space + ", " + dataset + ")";
}

std::string Report::table() const {
  std::ostringstream out;
  out << "| optimizer | search space | dataset | runs | metric | mean ± std | median [q1, q3] | "
         "objective mean ± std | vs random search | final test top-1 |\n"
      << "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& g : groups) {
    out << "| " << g.optimizer << " | " << g.search_space << " | " << g.dataset << " | " << g.runs
        << " | " << g.metric << " | " << fmt_value(g.mean) << " ± " << fmt_value(g.std) << " | "
        << fmt_value(g.median) << " [" << fmt_value(g.q1) << ", " << fmt_value(g.q3) << "] | "
        << g.objective_name << " " << fmt_value(g.objective_mean) << " ± "
        << fmt_value(g.objective_std) << " | "
        << (g.vs_random_search ? fmt::format("{:+.2f}", *g.vs_random_search) : "-") << " | "
        << (g.final_mean ? fmt_value(*g.final_mean) + " ± " + fmt_value(*g.final_std) : "-")
        << " |\n";
  }
  return out.str();
}

std::string Report::skipped_list() const {
  if (skipped.empty()) return "";
  std::ostringstream out;
  out << "\nSkipped runs (" << skipped.size() << "):\n\n";
  for (const auto& s : skipped) out << "- `" << s.dir << "`: " << s.reason << "\n";
  return out.str();
}

Report make_report(const std::vector<std::string>& paths, const ReportOptions& options) {
  NASCPP_CHECK_CONFIG(!paths.empty(), "no run directories given");
  NASCPP_CHECK_CONFIG(options.cost_points() >= 1, "cost_points must be at least 1, got {}",
                      options.cost_points());
  Report report;
  std::vector<Run> runs;
  for (const auto& path : paths) {
    std::vector<std::string> complete, incomplete;
    find_runs(path, 3, complete, incomplete);
    NASCPP_CHECK_CONFIG(!complete.empty() || !incomplete.empty(),
                        "'{}' holds no run directory (a folder with config.yaml, written by "
                        "nascpp run)",
                        path);
    for (const auto& d : incomplete) {
      report.skipped.push_back(
          {d,
           fmt::format("not complete (no summary.json); `nascpp run --resume {}` finishes it", d)});
    }
    for (const auto& d : complete) {
      // One bad run must not hide the others: it is skipped and named.
      try {
        Run r;
        r.dir = d;
        r.summary = read_summary(d);
        if (r.summary.status != "complete" || r.summary.architecture.empty()) {
          report.warnings.push_back(fmt::format("'{}' ended with status '{}' ({}): not summarised",
                                                d, r.summary.status, r.summary.status_reason));
          continue;
        }
        r.rows = RunDirectory::open_read_only(d)->trajectory();
        read_pareto(d, r);
        runs.push_back(std::move(r));
      } catch (const Error& e) {
        report.skipped.push_back({d, e.what()});
      }
    }
  }
  if (runs.empty()) {
    std::string why;
    for (const auto& s : report.skipped) why += fmt::format("\n  '{}': {}", s.dir, s.reason);
    throw DataError("no run could be read:" + why);
  }

  // Group by (space, dataset, optimizer); random search first in each.
  std::map<std::tuple<std::string, std::string, int, std::string>, std::vector<Run*>> groups;
  for (auto& r : runs) {
    const int order = r.summary.optimizer == "random_search" ? 0 : 1;
    groups[{r.summary.search_space, r.summary.dataset, order, r.summary.optimizer}].push_back(&r);
  }
  // Random search's mean and the metric it is of, per (space, dataset).
  std::map<std::pair<std::string, std::string>, std::pair<double, std::string>> random_mean;
  std::vector<std::vector<const Run*>> members;
  for (const auto& [key, group_runs] : groups) {
    ReportGroup g;
    g.search_space = std::get<0>(key);
    g.dataset = std::get<1>(key);
    g.optimizer = std::get<3>(key);
    g.runs = static_cast<int64_t>(group_runs.size());
    // The group's value: the benchmark's full-training value when every run
    // has the same one, else the reported metric when every run has one,
    // else the objective.
    const ExperimentSummary& first = group_runs[0]->summary;
    const bool all_benchmark =
        std::all_of(group_runs.begin(), group_runs.end(), [&first](const Run* r) {
          return value_of(r->summary) == Value::kBenchmark &&
                 r->summary.benchmark_report == first.benchmark_report;
        });
    const bool all_report = std::all_of(group_runs.begin(), group_runs.end(), [](const Run* r) {
      return r->summary.report_value.has_value();
    });
    const Value value =
        all_benchmark ? Value::kBenchmark : all_report ? Value::kReport : Value::kObjective;
    g.metric = value == Value::kBenchmark ? first.benchmark_report
               : value == Value::kReport  ? first.report_metric
                                          : first.objective_name;
    g.objective_name = first.objective_name;
    std::vector<double> values, objectives, finals;
    for (Run* r : group_runs) {
      r->trajectory = to_points(r->rows, value);
      values.push_back(value == Value::kBenchmark ? r->summary.benchmark.at(first.benchmark_report)
                       : value == Value::kReport  ? *r->summary.report_value
                                                  : r->summary.objective);
      objectives.push_back(r->summary.objective);
      if (r->summary.has_final) finals.push_back(r->summary.final_test_top1);
    }
    std::tie(g.mean, g.std) = mean_std(values);
    g.median = quantile(values, 0.5);
    g.q1 = quantile(values, 0.25);
    g.q3 = quantile(values, 0.75);
    std::tie(g.objective_mean, g.objective_std) = mean_std(objectives);
    if (finals.size() == group_runs.size()) {
      const auto [m, s] = mean_std(finals);
      g.final_mean = m;
      g.final_std = s;
    }
    const std::pair<std::string, std::string> where{g.search_space, g.dataset};
    if (g.optimizer == "random_search") {
      random_mean[where] = {g.mean, g.metric};
    } else if (auto it = random_mean.find(where);
               it != random_mean.end() && it->second.second == g.metric) {
      g.vs_random_search = g.mean - it->second.first;
    } else if (it != random_mean.end()) {
      report.warnings.push_back(fmt::format(
          "random_search on {} / {} reports {}, {} reports {}: not compared (give both the same "
          "benchmark: section)",
          g.search_space, g.dataset, it->second.second, g.optimizer, g.metric));
    } else {
      report.warnings.push_back(fmt::format(
          "no random_search runs on {} / {}: the random-search baseline is missing for {} "
          "(run the same configuration with optimizer.name=random_search)",
          g.search_space, g.dataset, g.optimizer));
    }
    report.groups.push_back(g);
    members.emplace_back(group_runs.begin(), group_runs.end());
  }

  if (options.out_dir().empty()) return report;
  NASCPP_CHECK_CONFIG(options.out_dir().find('\'') == std::string::npos,
                      "report folder '{}': a name with a single quote is not supported",
                      options.out_dir());
  std::error_code ec;
  fs::create_directories(options.out_dir(), ec);
  NASCPP_CHECK_DATA(!ec, "cannot create report folder '{}': {}", options.out_dir(), ec.message());
  const auto out = [&options](const std::string& name) {
    return (fs::path(options.out_dir()) / name).string();
  };
  const auto save = [&report](const std::string& path, const std::string& text) {
    write_file_atomic(path, text);
    report.files.push_back(path);
  };

  std::ostringstream md;
  md << "# nascpp report\n\nRuns: " << runs.size() << " (from";
  for (const auto& p : paths) md << " `" << p << "`";
  md << ").\n\nThe value is the final incumbent's full-training value from the benchmark: "
        "section (whatever fidelity a multi-fidelity search evaluated it at), else its "
        "reported metric, else its search objective; "
        "mean ± sample standard deviation over runs (seeds), median and quartiles. "
        "\"vs random search\" is the difference of means to random search on the same search "
        "space and dataset.\n\n"
     << report.table() << report.skipped_list();
  std::ostringstream steps_csv, cost_csv;
  steps_csv.precision(10);
  cost_csv.precision(10);
  steps_csv << "group,step,mean,std,runs\n";
  cost_csv << "group,cost_s,mean,std,runs\n";
  std::ostringstream gp;
  gp << "# gnuplot script written by nascpp report: gnuplot plots.gp\n"
     << "set datafile separator ','\nset key bottom right\nset grid\n"
     << "set style fill transparent solid 0.2 noborder\n"
     << "set terminal svg size 1000,560 dynamic background rgb 'white'\n";
  std::string steps_plot, cost_plot;
  for (size_t i = 0; i < report.groups.size(); ++i) {
    const auto& g = report.groups[i];
    const std::string label = g.label();
    const std::string name = slug(label);
    const auto by_steps = curve_over_steps(members[i]);
    const auto by_cost = curve_over_cost(members[i], options.cost_points());
    std::ostringstream steps_dat, cost_dat;
    steps_dat.precision(10);
    cost_dat.precision(10);
    for (const auto& p : by_steps) {
      steps_csv << '"' << label << "\"," << p.x << ',' << p.mean << ',' << p.std << ',' << p.runs
                << '\n';
      steps_dat << p.x << ',' << p.mean << ',' << p.std << '\n';
    }
    for (const auto& p : by_cost) {
      cost_csv << '"' << label << "\"," << p.x << ',' << p.mean << ',' << p.std << ',' << p.runs
               << '\n';
      cost_dat << p.x << ',' << p.mean << ',' << p.std << '\n';
    }
    save(out("curve_steps_" + name + ".dat"), steps_dat.str());
    save(out("curve_cost_" + name + ".dat"), cost_dat.str());
    const std::string lc = fmt::format(" lc {}", i + 1);
    for (auto* plot : {&steps_plot, &cost_plot}) {
      const std::string file =
          (plot == &steps_plot ? "curve_steps_" : "curve_cost_") + name + ".dat";
      *plot += fmt::format("{}'{}' using 1:($2-$3):($2+$3) with filledcurves{} notitle, '{}' using "
                           "1:2 with lines lw 2{} title {}",
                           plot->empty() ? "" : ", \\\n  ", file, lc, file, lc, gnuplot_label(label));
    }
  }
  const std::string ylabel = report.groups[0].metric;
  gp << "set xlabel 'steps (queries or epochs)'\nset ylabel " << gnuplot_label(ylabel)
     << "\nset title 'Anytime performance: incumbent mean ± std over runs'\n"
     << "set output 'anytime_steps.svg'\nplot " << steps_plot << "\n"
     << "set logscale x\nset xlabel 'cost (seconds, simulated or measured)'\n"
     << "set output 'anytime_cost.svg'\nplot " << cost_plot << "\nunset logscale x\n";

  // Pareto fronts: every run's front, one colour per group.
  std::string pareto_plot;
  std::string cost_metric;
  for (size_t i = 0; i < members.size(); ++i) {
    for (const Run* r : members[i]) {
      if (r->cost_metric.empty()) continue;  // no front
      cost_metric = r->cost_metric;
      const std::string file =
          "pareto_" + slug(report.groups[i].label()) + "_seed" + std::to_string(r->summary.seed) +
          ".dat";
      save(out(file), r->pareto_dat);
      const bool first_of_group = r == members[i].front();
      pareto_plot += fmt::format("{}'{}' using 1:2 with steps lc {} {}", pareto_plot.empty() ? "" : ", \\\n  ",
                                 file, i + 1,
                                 first_of_group ? "title " + gnuplot_label(report.groups[i].label())
                                                : std::string("notitle"));
    }
  }
  if (!pareto_plot.empty()) {
    gp << "set xlabel " << gnuplot_label(cost_metric) << "\nset ylabel 'objective'\n"
       << "set title 'Pareto fronts (one line per run)'\nset output 'pareto.svg'\nplot "
       << pareto_plot << "\n";
  }
  save(out("report.md"), md.str());
  save(out("curves_steps.csv"), steps_csv.str());
  save(out("curves_cost.csv"), cost_csv.str());
  save(out("plots.gp"), gp.str());
  if (options.plots()) {
    if (!gnuplot_available()) {
      report.warnings.push_back(
          "gnuplot is not installed (Debian: apt-get install gnuplot-nox): no plots drawn; "
          "plots.gp and its data are written, run `gnuplot plots.gp` in the report folder later");
    } else {
      run_gnuplot(options.out_dir(), "plots.gp");
      for (const char* svg : {"anytime_steps.svg", "anytime_cost.svg", "pareto.svg"}) {
        if (fs::exists(out(svg))) report.files.push_back(out(svg));
      }
    }
  }
  return report;
}

}  // namespace nascpp

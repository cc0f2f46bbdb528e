// The score-table evaluator (nascpp/evaluators/score_table.h).
#include "nascpp/evaluators/score_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "nascpp/core/csv.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"

namespace nascpp {

namespace {

double parse_number(const std::string& text, const std::string& where, const std::string& what) {
  std::string t = text;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\r')) t.pop_back();
  const size_t first = t.find_first_not_of(' ');
  t = first == std::string::npos ? std::string() : t.substr(first);
  if (t == "nan" || t == "NaN") return std::nan("");
  if (t == "-inf") return -HUGE_VAL;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  NASCPP_CHECK_DATA(!t.empty() && end == t.c_str() + t.size() && errno == 0 && std::isfinite(v),
                    "{}: {} '{}' is not a number (finite, nan or -inf)", where, what, text);
  return v;
}

}  // namespace

ScoreTableEvaluator::ScoreTableEvaluator(std::shared_ptr<const SearchSpace> space, std::string file,
                                         std::string column, std::string cost_column)
    : space_(std::move(space)),
      file_(std::move(file)),
      column_(std::move(column)),
      cost_column_(std::move(cost_column)) {
  NASCPP_CHECK(space_ != nullptr, "score_table: no search space");
  NASCPP_CHECK_CONFIG(!file_.empty(), "score_table: `file` is required (a CSV of scores)");
  NASCPP_CHECK_CONFIG(!column_.empty(), "score_table: `column` must not be empty");
  std::istringstream in(read_file(file_));
  std::string line;
  int64_t number = 0;
  std::vector<std::string> header;
  size_t c_arch = 0, c_score = 0, c_cost = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = fmt::format("{}, line {}", file_, number);
    auto fields = split_csv_line(line, where);
    if (header.empty()) {
      header = std::move(fields);
      auto find = [&](const std::string& name, const char* key) {
        auto it = std::find(header.begin(), header.end(), name);
        if (it == header.end()) {
          throw ConfigError(
              fmt::format("score_table {}: {}", key,
                          unknown_choice_message("column of '" + file_ + "'", name, header)));
        }
        return static_cast<size_t>(it - header.begin());
      };
      c_arch = find("arch", "(the architectures' column)");
      c_score = find(column_, "column");
      if (!cost_column_.empty()) c_cost = find(cost_column_, "cost_column");
      continue;
    }
    NASCPP_CHECK_DATA(fields.size() == header.size(), "{}: {} fields, the header has {}", where,
                      fields.size(), header.size());
    Architecture arch;
    try {
      arch = space_->parse(fields[c_arch]);
    } catch (const Error& e) {
      throw DataError(fmt::format("{}: the architecture is not one of search space '{}': {}", where,
                                  space_->name(), e.what()));
    }
    Row row;
    row.score = parse_number(fields[c_score], where, column_);
    if (!cost_column_.empty()) {
      row.cost = parse_number(fields[c_cost], where, cost_column_);
      NASCPP_CHECK_DATA(std::isfinite(row.cost) && row.cost >= 0,
                        "{}: {} must be a finite number >= 0, got '{}'", where, cost_column_,
                        fields[c_cost]);
    }
    NASCPP_CHECK_DATA(rows_.emplace(std::move(arch), row).second,
                      "{}: architecture '{}' has a row already", where, fields[c_arch]);
  }
  NASCPP_CHECK_DATA(!header.empty(), "'{}' has no header line (arch,{},...)", file_, column_);
}

std::unique_ptr<Evaluator> ScoreTableEvaluator::from_config(
    ConfigNode& config, std::shared_ptr<const SearchSpace> space) {
  const auto file = config.get<std::string>("file", "");
  const auto column = config.get<std::string>("column", "synflow");
  const auto cost_column = config.get<std::string>("cost_column", "");
  return std::make_unique<ScoreTableEvaluator>(std::move(space), file, column, cost_column);
}

FidelityRange ScoreTableEvaluator::fidelity_range() const {
  FidelityRange r;
  r.min_epochs = 0;
  r.max_epochs = 0;
  r.available = {0};
  return r;
}

EvaluationResult ScoreTableEvaluator::do_evaluate(const Trial& trial, int64_t, Rng&) {
  EvaluationResult r;
  auto it = rows_.find(trial.arch);
  if (it == rows_.end() || std::isnan(it->second.score)) {
    r.failure = fmt::format("{} of '{}' is {} in '{}'", column_, space_->format(trial.arch),
                            it == rows_.end() ? "not" : "nan", file_);
    r.objective = -HUGE_VAL;
    return r;
  }
  r.objective = it->second.score;
  r.metrics[column_] = it->second.score;
  r.cost = it->second.cost;
  return r;
}

}  // namespace nascpp

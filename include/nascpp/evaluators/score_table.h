#pragma once
/// The score-table evaluator: an architecture's score looked up in a CSV file
/// of precomputed scores, such as the zero-cost proxies `nascpp zero-cost
/// --csv` writes (the idea of NASLib's zero-cost benchmark: compute a proxy
/// once, search or warm-start on it many times).
///
///     evaluator:
///       name: score_table
///       file: nb201_synflow.csv   # a header line with `arch` and the columns
///       column: synflow           # the objective (maximised)
///       cost_column: seconds      # optional: the cost of each row ("": 0)
///
/// The file: lines starting with `#` are comments; the first other line is
/// the header; fields are comma separated, a field may be double-quoted
/// (`"a,b"`, `""` for a quote inside). `arch` holds the search space's text
/// form; every row must parse in the run's space, and an architecture may
/// appear once. An architecture without a row is a failed evaluation naming
/// the file, and so is one whose score is `nan` or `-inf` (nwot's score of a
/// cell whose input is cut off), as every non-finite objective is.
/// There are no epochs: the only fidelity is the full one (0 epochs).
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/evaluator.h"
#include "nascpp/search_space.h"

namespace nascpp {

class ScoreTableEvaluator : public Evaluator {
 public:
  /// Reads `file` (DataError naming the file and line for anything
  /// malformed; ConfigError when `column` or `cost_column` is not a column,
  /// listing those there are).
  ScoreTableEvaluator(std::shared_ptr<const SearchSpace> space, std::string file,
                      std::string column, std::string cost_column = "");
  /// Registry factory: keys `file` (required), `column` (default synflow),
  /// `cost_column` (default "").
  static std::unique_ptr<Evaluator> from_config(ConfigNode& config,
                                                std::shared_ptr<const SearchSpace> space);

  std::string name() const override { return "score_table"; }
  std::string objective_name() const override { return column_; }
  std::vector<std::string> metric_names() const override { return {column_}; }
  FidelityRange fidelity_range() const override;
  bool simulated_cost() const override { return true; }
  std::vector<std::string> data_files() const override { return {file_}; }
  std::string search_space() const override { return space_->name(); }
  /// Rows read.
  size_t size() const { return rows_.size(); }

 private:
  EvaluationResult do_evaluate(const Trial& trial, int64_t epochs, Rng& rng) override;

  struct Row {
    double score = 0.0;
    double cost = 0.0;
  };
  std::shared_ptr<const SearchSpace> space_;
  std::string file_;
  std::string column_;
  std::string cost_column_;
  std::unordered_map<Architecture, Row> rows_;
};

}  // namespace nascpp

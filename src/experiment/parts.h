#pragma once
// The parts of an experiment built from its configuration, and the two kinds
// of search run into a run directory. Internal to src/experiment.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nascpp/benchmark.h"
#include "nascpp/dataset.h"
#include "nascpp/evaluator.h"
#include "nascpp/executor.h"
#include "nascpp/experiment.h"
#include "nascpp/one_shot_search.h"
#include "nascpp/optimizer.h"
#include "nascpp/run_directory.h"
#include "nascpp/search.h"
#include "nascpp/search_space.h"
#include "nascpp/train/trainer.h"
#include "nascpp/warm_start.h"

namespace nascpp::detail {

// The optional `benchmark` section: a tabular benchmark to look the found
// architecture up in (and, for one-shot searches, every epoch's).
struct BenchmarkLookup {
  std::shared_ptr<const Benchmark> benchmark;
  std::string dataset, metric, report_dataset, report_metric;

  static BenchmarkLookup from_config(ConfigNode& cfg);
  // "<dataset>/<metric>" -> value of the two looked-up metrics (full training).
  void add_values(const Architecture& arch, std::map<std::string, double>& out) const;
  // "<report_dataset>/<report_metric>" ("" without a benchmark) and the
  // architecture's full-training value of it.
  std::string report_key() const;
  std::optional<double> report_value(const Architecture& arch) const;
};

// The optional `final` section: train the found architecture from scratch.
struct FinalTraining {
  bool enabled = false;
  std::shared_ptr<const SearchSpace> space;
  std::shared_ptr<const Dataset> dataset;
  TrainerOptions train;

  static FinalTraining from_config(ConfigNode& root, std::shared_ptr<const SearchSpace> search,
                                   std::shared_ptr<const Dataset> search_dataset, uint64_t seed);
  void run(const std::string& arch_text, RunDirectory& dir, const ExperimentOptions& options,
           ExperimentSummary& summary) const;
};

struct Parts {
  uint64_t seed = 0;
  bool deterministic = false;
  std::shared_ptr<const SearchSpace> space;
  std::unique_ptr<Optimizer> optimizer;
  // black-box
  // `optimizer.warm_start`: the pool and its scorer (null: no warm start).
  WarmStartOptions warm_start;
  std::unique_ptr<Evaluator> warm_start_scorer;
  std::unique_ptr<Evaluator> evaluator;
  std::unique_ptr<Executor> executor;
  Budget budget;
  std::vector<Constraint> constraints;
  std::string pareto_metric;
  Fidelity fidelity;
  // `checkpoint:` every this many evaluations or seconds.
  int64_t checkpoint_every = 1000;
  double checkpoint_seconds = 60.0;
  // one-shot
  std::shared_ptr<const Dataset> dataset;
  OneShotSearchOptions search;
  BenchmarkLookup lookup;
  FinalTraining final_training;

  // Every data file read, without repeats, in load order.
  std::vector<std::string> data_files() const;
};

// Builds and checks everything the run uses (ConfigErrors for anything the
// run would reject later).
Parts build_parts(ConfigNode& cfg);

void run_black_box_search(Parts& p, RunDirectory& dir, const ExperimentOptions& options,
                          bool resuming, ExperimentSummary& summary,
                          std::vector<TrajectoryRow>& trajectory);
void run_one_shot(Parts& p, RunDirectory& dir, const ExperimentOptions& options,
                  ExperimentSummary& summary, std::vector<TrajectoryRow>& trajectory);

}  // namespace nascpp::detail

#pragma once
/// The registries of every extension kind but operations (see ops/op.h).
/// Each is filled by an explicit builtin list on first use; user code adds
/// entries with `registry.add(name, description, factory)`.

#include <memory>

#include "nascpp/benchmark.h"
#include "nascpp/core/config.h"
#include "nascpp/core/registry.h"
#include "nascpp/dataset.h"
#include "nascpp/evaluator.h"
#include "nascpp/executor.h"
#include "nascpp/optimizer.h"
#include "nascpp/predictor.h"
#include "nascpp/search_space.h"

namespace nascpp {

/// Search spaces, built from their config section.
using SearchSpaceRegistry = Registry<std::shared_ptr<const SearchSpace>(ConfigNode&)>;
/// Optimizers (black-box and one-shot), built from their config section.
using OptimizerRegistry = Registry<std::unique_ptr<Optimizer>(ConfigNode&)>;
/// Tabular benchmarks, loaded from their config section (data_dir, ...).
using BenchmarkRegistry = Registry<std::shared_ptr<const Benchmark>(ConfigNode&)>;
/// Datasets, loaded from their config section (root, ...).
using DatasetRegistry = Registry<std::shared_ptr<const Dataset>(ConfigNode&)>;
/// Evaluators, built from their config section and the search space (which
/// a training evaluator needs to build networks).
using EvaluatorRegistry =
    Registry<std::unique_ptr<Evaluator>(ConfigNode&, std::shared_ptr<const SearchSpace>)>;
/// Executors of the black-box loop, built from the `executor:` section for
/// the run's evaluator.
using ExecutorRegistry = Registry<std::unique_ptr<Executor>(ConfigNode&, Evaluator&)>;
/// Surrogate models for model-based optimizers (BANANAS), from their config section.
using PredictorRegistry = Registry<std::unique_ptr<Predictor>(ConfigNode&)>;

SearchSpaceRegistry& search_space_registry();
OptimizerRegistry& optimizer_registry();
BenchmarkRegistry& benchmark_registry();
DatasetRegistry& dataset_registry();
EvaluatorRegistry& evaluator_registry();
ExecutorRegistry& executor_registry();
PredictorRegistry& predictor_registry();

/// The builtin lists, one per kind, each in its folder's builtin.cpp.
void register_builtin_search_spaces(SearchSpaceRegistry& registry);
void register_builtin_optimizers(OptimizerRegistry& registry);
void register_builtin_benchmarks(BenchmarkRegistry& registry);
void register_builtin_datasets(DatasetRegistry& registry);
void register_builtin_evaluators(EvaluatorRegistry& registry);
void register_builtin_executors(ExecutorRegistry& registry);
void register_builtin_predictors(PredictorRegistry& registry);

}  // namespace nascpp

// The built-in surrogate predictors, one line each, sorted by name.
#include "nascpp/registries.h"
#include "nascpp_build_info.h"
#include "optimizers/predictors/gaussian_process.h"
#include "optimizers/predictors/gcn.h"
#include "optimizers/predictors/mlp_ensemble.h"
#if NASCPP_HAVE_XGBOOST
#include "optimizers/predictors/xgboost.h"
#endif

namespace nascpp {

void register_builtin_predictors(PredictorRegistry& registry) {
  registry.add("gcn",
               "graph convolutional network on the cell's DAG (Wen et al. 2019; LibTorch; "
               "the space's adjacency encoding)",
               &GcnPredictor::from_config);
  registry.add("gp", "Gaussian process regression (RBF or Matern 5/2 kernel, exact, Eigen)",
               &GaussianProcess::from_config);
  registry.add("mlp_ensemble", "ensemble of MLPs (BANANAS's meta neural network)",
               &MlpEnsemble::from_config);
#if NASCPP_HAVE_XGBOOST
  registry.add("rf",
               "random forest (XGBoost's random-forest mode, NASLib's settings: 116 trees, "
               "17% of the features per split)",
               &XgBoost::random_forest_from_config);
  registry.add("xgb", "gradient-boosted regression trees (XGBoost C API, NASLib's defaults)",
               &XgBoost::from_config);
#endif
}

}  // namespace nascpp

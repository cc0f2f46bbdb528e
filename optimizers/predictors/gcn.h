#pragma once
/// A graph-convolutional performance predictor (Wen et al. 2019, "Neural
/// Predictor for Neural Architecture Search", as NASLib's GCNPredictor), in
/// LibTorch: the cell's DAG with one-hot node features goes through
/// `gcn_layers` directed graph convolutions (each the mean of a ReLU
/// convolution along the edges and one against them, on the row-normalised
/// adjacency with self-loops, then dropout 0.1), is averaged over its nodes,
/// and two bias-free linear layers (`gcn_hidden` -> `linear_hidden` -> 1,
/// dropout between) give the prediction. Trained with Adam and cosine
/// annealing on the mean squared error of standardised targets.
///
/// Defaults are NASLib's: 4 layers of 144, linear 128, 300 epochs, batch 7,
/// lr 1e-4, weight decay 3e-4. Two deviations, both where NASLib's loop does
/// not train at all or not as written: gradients are zeroed every step
/// (NASLib never zeroes them, so they accumulate over an epoch), and a
/// training set smaller than the batch is one batch (NASLib drops the last
/// incomplete batch, so with 5 architectures it never takes a step).
///
/// Input: a space's `adjacency` encoding laid out as NAS-Bench-201's and
/// NAS-Bench-101's are: the upper triangle of the n x n adjacency matrix
/// (row by row), then a one-hot operation of k choices for each of the n - 2
/// inner nodes; node 0 is the input, node n - 1 the output (their features
/// are two extra one-hot positions: k + 2 features per node, NASLib's 7 for
/// NAS-Bench-201 and 5 for NAS-Bench-101). `nodes` gives n; 0 infers the
/// largest n with a whole k >= 2 (8 for NAS-Bench-201, 7 for NAS-Bench-101).
/// No uncertainty: the standard deviation is 0.

#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/predictor.h"

namespace nascpp {

struct GcnOptions {
  NASCPP_ARG(int64_t, gcn_layers) = 4;
  NASCPP_ARG(int64_t, gcn_hidden) = 144;
  NASCPP_ARG(int64_t, linear_hidden) = 128;
  NASCPP_ARG(int64_t, epochs) = 300;
  NASCPP_ARG(int64_t, batch_size) = 7;
  NASCPP_ARG(double, learning_rate) = 1e-4;
  NASCPP_ARG(double, weight_decay) = 3e-4;
  NASCPP_ARG(double, dropout) = 0.1;
  /// The DAG's node count n; 0: inferred from the encoding's length.
  NASCPP_ARG(int64_t, nodes) = 0;

 public:
  /// Keys as the setters' names.
  static GcnOptions from_config(ConfigNode& cfg);
  /// ConfigError naming the bad value.
  void validate() const;
};

/// n and k of an adjacency encoding of `cols` values (n(n-1)/2 + (n-2)k);
/// `nodes` > 0 fixes n. ConfigError when no such layout fits.
std::pair<int64_t, int64_t> gcn_graph_layout(size_t cols, int64_t nodes);

class GcnPredictor : public Predictor {
 public:
  static constexpr const char* kName = "gcn";
  explicit GcnPredictor(GcnOptions options = {});
  ~GcnPredictor() override;
  /// Registry factory.
  static std::unique_ptr<Predictor> from_config(ConfigNode& config);

  std::string name() const override { return kName; }
  void fit(const FeatureMatrix& x, const std::vector<double>& y, Rng& rng) override;
  std::vector<Prediction> predict(const FeatureMatrix& x) const override;
  std::string fit_warning() const override { return fit_warning_; }
  std::string required_encoding() const override { return "adjacency"; }

 private:
  struct Model;
  GcnOptions options_;
  std::shared_ptr<Model> model_;
  int64_t n_ = 0, k_ = 0;
  double mean_ = 0.0, std_ = 1.0;
  std::string fit_warning_;
};

}  // namespace nascpp

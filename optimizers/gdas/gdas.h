#pragma once
/// GDAS: Searching for a Robust Neural Architecture in Four GPU Hours (Dong &
/// Yang, CVPR 2019). Each forward samples one candidate per mixed slot with
/// the Gumbel-softmax of the architecture parameters at temperature tau:
/// the forward is a hard one-hot (only the sampled candidate runs, forward
/// and backward), the gradient is that of the soft probabilities
/// (straight-through: hard - soft.detach() + soft). Tau falls linearly from
/// `tau_max` to `tau_min` over the epochs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nascpp/core/config.h"
#include "nascpp/core/options.h"
#include "nascpp/one_shot.h"

namespace nascpp {

struct GdasOptions {
  /// Epochs, batch size, split and the two optimizers.
  NASCPP_ARG(OneShotOptions, common);
  /// Temperature of the first epoch.
  NASCPP_ARG(double, tau_max) = 10.0;
  /// Temperature of the last epoch.
  NASCPP_ARG(double, tau_min) = 0.1;

 public:
  /// Reads `tau_max`, `tau_min` and the OneShotOptions keys.
  static GdasOptions from_config(ConfigNode& cfg);
  /// Throws ConfigError unless 0 < tau_min <= tau_max.
  void validate() const;
};

/// One Gumbel-softmax draw for all cell types.
struct GumbelSample {
  /// Straight-through weights [slots, candidates] per cell type: exactly
  /// one-hot in value, with the gradient of the tempered softmax.
  std::vector<torch::Tensor> hard_weights;
  /// The sampled candidate of each slot, per cell type.
  std::vector<std::vector<int64_t>> indices;
};

/// Draws the Gumbel-softmax sample of GDAS (AutoDL-Projects' search_model_gdas):
/// gumbel = -log(Exp(1)) from torch's CPU generator, probs =
/// softmax((log_softmax(alpha) + gumbel) / tau), index = argmax probs; a draw
/// with an infinite Gumbel value or a non-finite probability is redrawn.
GumbelSample sample_gumbel(const std::vector<torch::Tensor>& alphas, double tau);

class GdasOptimizer : public OneShotOptimizer {
 public:
  explicit GdasOptimizer(GdasOptions options = GdasOptions());
  /// Registry factory ("gdas").
  static std::unique_ptr<Optimizer> from_config(ConfigNode& cfg);

  std::string name() const override { return "gdas"; }
  const GdasOptions& gdas_options() const { return gdas_options_; }

  /// The temperature in effect: tau_max - (tau_max - tau_min) * epoch /
  /// (epochs - 1) (tau_max before the first epoch and when epochs = 1).
  double tau() const { return tau_; }
  /// The samples drawn by the last `step` (architecture update, then weight
  /// update).
  const std::vector<GumbelSample>& last_samples() const { return last_samples_; }

 private:
  torch::Tensor search_forward(const torch::Tensor& images, bool for_arch) override;
  void do_new_epoch(int64_t epoch, int64_t epochs) override;
  void do_save(torch::serialize::OutputArchive& archive) const override;
  void do_load(torch::serialize::InputArchive& archive) override;

  GdasOptions gdas_options_;
  double tau_;
  std::vector<GumbelSample> last_samples_;
};

}  // namespace nascpp

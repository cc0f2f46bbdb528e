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
  /// The smallest temperature accepted. The sampler divides
  /// log_softmax(alpha) + g by tau; a float32 Gumbel draw g = -log(Exp(1))
  /// lies in about [-2.8, 16.6] and the log-probabilities of any search that
  /// has not diverged stay far above -1e4, so at tau >= 1e-20 the quotient
  /// stays below 1e24, well inside float32's range (3.4e38). Nothing is
  /// lost: at tau = 1e-20 the tempered softmax is already exactly one-hot in
  /// float32 for any gap above 1e-18, so a smaller tau changes no sample and
  /// only makes logits / tau overflow into NaN (tau = 1e-300 did).
  static constexpr double kMinTau = 1e-20;

  /// Reads `tau_max`, `tau_min` and the OneShotOptions keys.
  static GdasOptions from_config(ConfigNode& cfg);
  /// Throws ConfigError unless kMinTau <= tau_min <= tau_max < infinity.
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
/// with an infinite Gumbel value (an exponential draw of exactly 0) is
/// redrawn, at most `kMaxGumbelDraws` times. Non-finite probabilities from
/// finite Gumbel values cannot be cured by redrawing: they are a
/// DivergenceError (non-finite architecture parameters, or logits / tau
/// overflowing). `tau` must be finite and at least GdasOptions::kMinTau.
GumbelSample sample_gumbel(const std::vector<torch::Tensor>& alphas, double tau);

/// Draws of one Gumbel sample before `sample_gumbel` gives up (each redraw
/// has a chance of about 2^-24 per element; 100 in a row means a broken
/// generator).
inline constexpr int kMaxGumbelDraws = 100;

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
  std::string divergence_context() const override;
  void do_save(torch::serialize::OutputArchive& archive) const override;
  void do_load(torch::serialize::InputArchive& archive) override;

  GdasOptions gdas_options_;
  double tau_;
  std::vector<GumbelSample> last_samples_;
};

}  // namespace nascpp

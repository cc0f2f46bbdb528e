#include "optimizers/gdas/gdas.h"

#include <torch/torch.h>

#include <cmath>
#include <utility>

#include "nascpp/core/error.h"

namespace nascpp {

GdasOptions GdasOptions::from_config(ConfigNode& cfg) {
  GdasOptions o;
  o.common(OneShotOptions::from_config(cfg));
  o.tau_max(cfg.get<double>("tau_max", o.tau_max()));
  o.tau_min(cfg.get<double>("tau_min", o.tau_min()));
  o.validate();
  return o;
}

void GdasOptions::validate() const {
  common_.validate();
  NASCPP_CHECK_CONFIG(tau_min_ > 0.0 && tau_min_ <= tau_max_ && std::isfinite(tau_max_),
                      "gdas needs 0 < tau_min <= tau_max < infinity, got tau_min = {} and "
                      "tau_max = {}",
                      tau_min_, tau_max_);
}

GumbelSample sample_gumbel(const std::vector<torch::Tensor>& alphas, double tau) {
  NASCPP_CHECK(tau > 0.0, "Gumbel-softmax temperature must be positive, got {}", tau);
  GumbelSample sample;
  for (const auto& alpha : alphas) {
    NASCPP_CHECK(alpha.dim() == 2, "architecture parameters must be [slots, candidates], got {}-D",
                 alpha.dim());
    torch::Tensor probs;
    torch::Tensor index;
    while (true) {
      // Drawn on the CPU whatever the device, so that a run's samples depend
      // only on the CPU generator (which checkpoints save).
      const torch::Tensor gumbel =
          -torch::empty(alpha.sizes(), torch::TensorOptions().dtype(alpha.scalar_type()))
               .exponential_()
               .log();
      const torch::Tensor logits = (torch::log_softmax(alpha, 1) + gumbel.to(alpha.device())) / tau;
      probs = torch::softmax(logits, 1);
      index = probs.detach().argmax(1, /*keepdim=*/true);
      const bool bad = gumbel.isinf().any().item<bool>() ||
                       probs.detach().isinf().any().item<bool>() ||
                       probs.detach().isnan().any().item<bool>();
      if (!bad) break;
    }
    const torch::Tensor one_hot = torch::zeros_like(probs).scatter_(1, index, 1.0);
    sample.hard_weights.push_back(one_hot - probs.detach() + probs);
    const torch::Tensor cpu_index = index.squeeze(1).to(torch::kCPU).contiguous();
    sample.indices.emplace_back(cpu_index.data_ptr<int64_t>(),
                                cpu_index.data_ptr<int64_t>() + cpu_index.numel());
  }
  return sample;
}

GdasOptimizer::GdasOptimizer(GdasOptions options)
    : OneShotOptimizer(options.common()),
      gdas_options_(std::move(options)),
      tau_(gdas_options_.tau_max()) {
  gdas_options_.validate();
}

std::unique_ptr<Optimizer> GdasOptimizer::from_config(ConfigNode& cfg) {
  return std::make_unique<GdasOptimizer>(GdasOptions::from_config(cfg));
}

torch::Tensor GdasOptimizer::search_forward(const torch::Tensor& images, bool for_arch) {
  if (for_arch) last_samples_.clear();
  std::vector<torch::Tensor> alphas;
  for (const auto& alpha : this->alphas()) alphas.push_back(for_arch ? alpha : alpha.detach());
  GumbelSample sample = sample_gumbel(alphas, tau_);
  last_samples_.push_back(sample);
  return supernet().forward_hard(images, sample.hard_weights, sample.indices);
}

void GdasOptimizer::do_new_epoch(int64_t epoch, int64_t epochs) {
  const double tau_max = gdas_options_.tau_max();
  const double tau_min = gdas_options_.tau_min();
  tau_ = epochs > 1 ? tau_max - (tau_max - tau_min) * static_cast<double>(epoch) /
                                    static_cast<double>(epochs - 1)
                    : tau_max;
}

void GdasOptimizer::do_save(torch::serialize::OutputArchive& archive) const {
  archive.write("tau", c10::IValue(tau_));
}

void GdasOptimizer::do_load(torch::serialize::InputArchive& archive) {
  tau_ = detail::read_checkpoint_value(archive, "tau").toDouble();
}

}  // namespace nascpp

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
  NASCPP_CHECK_CONFIG(std::isfinite(tau_max_), "gdas tau_max must be a finite number, got {}",
                      tau_max_);
  NASCPP_CHECK_CONFIG(tau_min_ >= kMinTau,
                      "gdas tau_min must be at least {} (logits / tau would overflow float32 and "
                      "a smaller tau changes no sample), got {}",
                      kMinTau, tau_min_);
}

GumbelSample sample_gumbel(const std::vector<torch::Tensor>& alphas, double tau) {
  NASCPP_CHECK(std::isfinite(tau) && tau >= GdasOptions::kMinTau,
               "Gumbel-softmax temperature must be a finite number >= {}, got {}",
               GdasOptions::kMinTau, tau);
  GumbelSample sample;
  for (const auto& alpha : alphas) {
    NASCPP_CHECK(alpha.dim() == 2, "architecture parameters must be [slots, candidates], got {}-D",
                 alpha.dim());
    torch::Tensor probs;
    torch::Tensor index;
    for (int draw = 1;; ++draw) {
      // Drawn on the CPU whatever the device, so that a run's samples depend
      // only on the CPU generator (which checkpoints save).
      const torch::Tensor gumbel =
          -torch::empty(alpha.sizes(), torch::TensorOptions().dtype(alpha.scalar_type()))
               .exponential_()
               .log();
      const torch::Tensor logits = (torch::log_softmax(alpha, 1) + gumbel.to(alpha.device())) / tau;
      probs = torch::softmax(logits, 1);
      index = probs.detach().argmax(1, /*keepdim=*/true);
      const bool gumbel_inf = gumbel.isinf().any().item<bool>();  // a CPU tensor: no sync
      const bool probs_finite = probs.detach().isfinite().all().item<bool>();
      if (!gumbel_inf && probs_finite) break;
      if (!gumbel_inf) {
        // Redrawing cannot help: the same alphas and tau give the same
        // non-finite logits whatever the Gumbel values.
        if (!alpha.detach().isfinite().all().item<bool>()) {
          throw DivergenceError(
              "the Gumbel-softmax probabilities are not finite: the architecture parameters "
              "hold NaN or infinite values");
        }
        throw DivergenceError(
            fmt::format("the Gumbel-softmax probabilities are not finite: (log_softmax(alpha) + "
                        "g) / tau overflows at tau = {} (the architecture parameters' largest "
                        "magnitude is {})",
                        tau, alpha.detach().abs().max().item<double>()));
      }
      NASCPP_CHECK_T(InternalError, draw < kMaxGumbelDraws,
                     "{} Gumbel draws in a row held an infinite value: the generator is broken",
                     draw);
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

std::string GdasOptimizer::divergence_context() const {
  return fmt::format("{}, tau {}", OneShotOptimizer::divergence_context(), tau_);
}

void GdasOptimizer::do_save(torch::serialize::OutputArchive& archive) const {
  archive.write("tau", c10::IValue(tau_));
}

void GdasOptimizer::do_load(torch::serialize::InputArchive& archive) {
  tau_ = detail::read_checkpoint_value(archive, "tau").toDouble();
}

}  // namespace nascpp

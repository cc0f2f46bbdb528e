// The built-in zero-cost proxies, one line each, sorted by name.
#include "src/zero_cost/proxies.h"

namespace nascpp {

void register_builtin_zero_cost_proxies(ZeroCostRegistry& registry) {
  namespace zc = zero_cost;
  registry.add("epe_nas", "EPE-NAS: per-class correlation of input gradients (Lopes et al. 2021)",
               zc::epe_nas);
  registry.add("fisher", "Fisher information of activations, summed over channels (Turner 2020)",
               zc::fisher);
  registry.add("flops", "FLOPs of one image, in millions (NAS-Bench-201's counter)", zc::flops);
  registry.add("grad_norm", "sum of the loss gradients' norms per layer", zc::grad_norm);
  registry.add("grasp", "GraSP: -w * (Hessian x gradient) (Wang et al. 2020)", zc::grasp);
  registry.add("jacov", "Jacobian covariance of input gradients (Mellor et al. 2020, v1)",
               zc::jacov);
  registry.add("l2_norm", "sum of the weights' L2 norms per layer", zc::l2_norm);
  registry.add("nwot", "NASWOT: log|det| of the ReLU code kernel (Mellor et al. 2021)", zc::nwot);
  registry.add("params", "trainable parameters, in millions", zc::params);
  registry.add("plain", "sum of w * dL/dw", zc::plain);
  registry.add("snip", "SNIP: sum |w * dL/dw| (Lee et al. 2019)", zc::snip);
  registry.add("synflow", "SynFlow: |w * dR/dw|, all-ones input, no BN (Tanaka et al. 2020)",
               zc::synflow);
  registry.add("zen", "Zen-score: output change under input noise (Lin et al. 2021)", zc::zen);
}

std::vector<std::string> builtin_zero_cost_proxies() {
  return {"epe_nas", "fisher", "flops", "grad_norm", "grasp",   "jacov", "l2_norm",
          "nwot",    "params", "plain", "snip",      "synflow", "zen"};
}

}  // namespace nascpp

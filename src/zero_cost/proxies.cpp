// The built-in zero-cost proxies. Each takes a freshly initialised network
// (training mode: batch norm uses the batch's statistics) and the batch; the
// definitions are those of the papers as NASLib's measures implement them
// (facts taken from naslib/predictors/utils/pruners/measures; docs/zero-cost.md
// has the formulas). Per-layer values are summed over every Conv2d and Linear
// layer of the network.
#include "src/zero_cost/proxies.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "nascpp/core/error.h"
#include "nascpp/ops/probe.h"

namespace nascpp::zero_cost {

namespace {

namespace nn = torch::nn;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// The Conv2d and Linear layers' weights, in module order.
std::vector<torch::Tensor> layer_weights(nn::Module& net) {
  std::vector<torch::Tensor> out;
  for (const auto& module : net.modules(/*include_self=*/true)) {
    if (auto* conv = module->as<nn::Conv2dImpl>()) {
      out.push_back(conv->weight);
    } else if (auto* linear = module->as<nn::LinearImpl>()) {
      out.push_back(linear->weight);
    }
  }
  return out;
}

torch::Tensor cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  return torch::nn::functional::cross_entropy(logits, labels);
}

/// Builds the network, runs the batch, back-propagates the cross-entropy and
/// returns the network (its weights now carry gradients).
std::shared_ptr<Network> backward_loss(const ProxyInput& in) {
  auto net = in.build_network();
  net->zero_grad();
  cross_entropy(net->forward(in.batch.images), in.batch.labels).backward();
  return net;
}

/// Applies `metric(weight, grad)` to every layer with a gradient and sums.
template <class Metric>
double weight_grad_sum(Network& net, Metric&& metric) {
  double total = 0.0;
  for (const auto& w : layer_weights(net)) {
    const torch::Tensor g = w.grad();
    if (!g.defined()) continue;  // a layer the output does not depend on: 0
    total += metric(w.detach(), g).template item<double>();
  }
  return total;
}

/// d(sum of outputs)/d(images), one row per image, in double.
torch::Tensor input_jacobian(const ProxyInput& in) {
  auto net = in.build_network();
  torch::Tensor x = in.batch.images.clone().set_requires_grad(true);
  const torch::Tensor y = net->forward(x);
  y.backward(torch::ones_like(y));
  return x.grad().detach().reshape({x.size(0), -1}).to(torch::kDouble).cpu();
}

}  // namespace

double params(const ProxyInput& in) {
  auto net = in.build_network();
  return static_cast<double>(count_parameters(*net)) / 1e6;
}

double flops(const ProxyInput& in) {
  auto net = in.build_network();
  return count_flops_m(*net, in.spec);
}

double l2_norm(const ProxyInput& in) {
  auto net = in.build_network();
  double total = 0.0;
  for (const auto& w : layer_weights(*net)) total += w.detach().norm().item<double>();
  return total;
}

double grad_norm(const ProxyInput& in) {
  auto net = backward_loss(in);
  return weight_grad_sum(*net,
                         [](const torch::Tensor&, const torch::Tensor& g) { return g.norm(); });
}

double snip(const ProxyInput& in) {
  // |dL/dm| for a mask m = 1 multiplying each weight, i.e. |w * dL/dw|.
  auto net = backward_loss(in);
  return weight_grad_sum(
      *net, [](const torch::Tensor& w, const torch::Tensor& g) { return (w * g).abs().sum(); });
}

double plain(const ProxyInput& in) {
  auto net = backward_loss(in);
  return weight_grad_sum(
      *net, [](const torch::Tensor& w, const torch::Tensor& g) { return (w * g).sum(); });
}

double grasp(const ProxyInput& in) {
  // -w * (H g): g the loss gradient of a first pass (a constant), H g the
  // gradient of g . dL/dw from a second pass with the graph kept.
  auto net = in.build_network();
  std::vector<torch::Tensor> weights = layer_weights(*net);
  net->zero_grad();
  const torch::Tensor loss1 = cross_entropy(net->forward(in.batch.images), in.batch.labels);
  const std::vector<torch::Tensor> g = torch::autograd::grad(
      {loss1}, weights, /*grad_outputs=*/{}, /*retain_graph=*/false, /*create_graph=*/false,
      /*allow_unused=*/true);
  const torch::Tensor loss2 = cross_entropy(net->forward(in.batch.images), in.batch.labels);
  const std::vector<torch::Tensor> f = torch::autograd::grad(
      {loss2}, weights, /*grad_outputs=*/{}, /*retain_graph=*/true, /*create_graph=*/true,
      /*allow_unused=*/true);
  torch::Tensor z;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!g[i].defined() || !f[i].defined()) continue;
    const torch::Tensor term = (g[i].detach() * f[i]).sum();
    z = z.defined() ? z + term : term;
  }
  if (!z.defined()) return 0.0;  // no weight reaches the output
  z.backward();
  return weight_grad_sum(
      *net, [](const torch::Tensor& w, const torch::Tensor& hg) { return (-w * hg).sum(); });
}

double fisher(const ProxyInput& in) {
  // Per output channel k of every Conv2d / Linear layer:
  // 0.5 * mean_n (sum_spatial a * dL/da)^2 with a the layer's output,
  // counted once per weight of the channel (NASLib spreads the channel's
  // value over its weights, C_in/groups * k * k of them, before summing).
  struct FisherProbe : LayerProbe {
    std::vector<torch::Tensor> per_channel;  // one per layer call
    std::vector<double> weights_per_channel;
    torch::Tensor on_layer(const LayerCall& call) override {
      if (call.kind != LayerKind::kConv2d && call.kind != LayerKind::kLinear) return call.output;
      if (!call.output.requires_grad()) return call.output;
      const torch::Tensor& w = call.kind == LayerKind::kConv2d
                                   ? call.module->as<nn::Conv2dImpl>()->weight
                                   : call.module->as<nn::LinearImpl>()->weight;
      const size_t slot = per_channel.size();
      per_channel.emplace_back();
      weights_per_channel.push_back(static_cast<double>(w.numel() / w.size(0)));
      const torch::Tensor act = call.output.detach();
      call.output.register_hook([this, slot, act](const torch::Tensor& grad) {
        torch::Tensor g_nk = act * grad.detach();
        if (g_nk.dim() > 2) g_nk = g_nk.sum({2, 3});
        const torch::Tensor del_k = g_nk.pow(2).mean(0).mul(0.5);
        per_channel[slot] = per_channel[slot].defined() ? per_channel[slot] + del_k : del_k;
      });
      return call.output;
    }
  } probe;
  auto net = in.build_network();
  net->zero_grad();
  {
    ScopedLayerProbe scope(probe);
    cross_entropy(net->forward(in.batch.images), in.batch.labels).backward();
  }
  double total = 0.0;
  for (size_t i = 0; i < probe.per_channel.size(); ++i) {
    const torch::Tensor& v = probe.per_channel[i];
    if (v.defined()) total += v.abs().sum().item<double>() * probe.weights_per_channel[i];
  }
  return total;
}

double jacov(const ProxyInput& in) {
  // -sum_i (log(v_i + k) + 1 / (v_i + k)), v the eigenvalues of the
  // correlation matrix of the per-image input gradients, k = 1e-5.
  const torch::Tensor corr = torch::corrcoef(input_jacobian(in));
  if (!torch::isfinite(corr).all().item<bool>()) return kNaN;
  const torch::Tensor v = torch::linalg_eigvalsh(corr, "L") + 1e-5;
  return -(v.log() + v.reciprocal()).sum().item<double>();
}

double epe_nas(const ProxyInput& in) {
  // Per class c: s_c = sum log(|corr| + k) over the correlation matrix of
  // the class's input gradients (a class with one image: log(1 + k)); the
  // score is sum_c |s_c| for up to 100 classes, else sum_{c,c'} |s_c - s_c'|
  // / classes seen with each s_c divided by its image count.
  const torch::Tensor jac = input_jacobian(in);
  const torch::Tensor labels = in.batch.labels.cpu();
  const int64_t classes = in.spec.num_classes();
  const double k = 1e-5;
  std::map<int64_t, double> per_class;
  std::map<int64_t, std::vector<int64_t>> rows;
  for (int64_t i = 0; i < labels.size(0); ++i) rows[labels[i].item<int64_t>()].push_back(i);
  for (const auto& [label, index] : rows) {
    if (index.size() == 1) {
      // numpy's corrcoef of one row is the scalar 1; dividing by its length
      // (more than 100 classes) fails, and NASLib skips the class.
      if (classes <= 100) per_class[label] = std::log(1.0 + k);
      continue;
    }
    const torch::Tensor corr = torch::corrcoef(jac.index_select(0, torch::tensor(index)));
    double s = (corr.abs() + k).log().sum().item<double>();
    if (classes > 100) s /= static_cast<double>(index.size());
    per_class[label] = s;
  }
  double score = 0.0;
  if (classes <= 100) {
    for (const auto& kv : per_class) score += std::abs(kv.second);
  } else {
    for (const auto& a : per_class) {
      for (const auto& b : per_class) score += std::abs(a.second - b.second);
    }
    if (!per_class.empty()) score /= static_cast<double>(per_class.size());
  }
  return score;
}

double synflow(const ProxyInput& in) {
  // Batch norm off, |weights|, double precision, one all-ones image:
  // log sum |w * d(sum of outputs)/dw|.
  auto net = in.build_network();
  net->to(torch::kDouble);
  net->eval();
  torch::NoGradGuard no_grad;
  for (auto& p : net->parameters()) p.abs_();
  for (const auto& module : net->modules(/*include_self=*/true)) {
    if (auto* bn = module->as<nn::BatchNorm2dImpl>()) {
      // Identity: (x - 0) / sqrt(1 + 0) * 1 + 0.
      bn->options.eps(0.0);
      if (bn->running_mean.defined()) bn->running_mean.zero_();
      if (bn->running_var.defined()) bn->running_var.fill_(1.0);
      if (bn->weight.defined()) bn->weight.fill_(1.0);
      if (bn->bias.defined()) bn->bias.zero_();
      // Without running statistics eval mode still normalises by the batch:
      // those layers are skipped by a probe below.
    }
  }
  struct SkipBatchNorm : LayerProbe {
    torch::Tensor on_layer(const LayerCall& call) override {
      if (call.kind == LayerKind::kBatchNorm) {
        auto* bn = call.module == nullptr ? nullptr : call.module->as<nn::BatchNorm2dImpl>();
        if (bn == nullptr || !bn->running_var.defined()) return call.input;
      }
      return call.output;
    }
  } skip;
  torch::Tensor ones =
      torch::ones({1, in.spec.in_channels(), in.spec.image_size(), in.spec.image_size()},
                  torch::TensorOptions().dtype(torch::kDouble).device(in.device));
  {
    torch::AutoGradMode grad(true);
    ScopedLayerProbe scope(skip);
    net->zero_grad();
    net->forward(ones).sum().backward();
  }
  const double sum = weight_grad_sum(
      *net, [](const torch::Tensor& w, const torch::Tensor& g) { return (w * g).abs().sum(); });
  // Reported on a log scale, as NASLib's zero-cost predictor (and with it
  // NAS-Bench-Suite-Zero) does: sums reach 1e40 and more.
  if (sum == 0.0) return 0.0;
  return sum > 0.0 ? std::log(sum) : -std::log(-sum);
}

double nwot(const ProxyInput& in) {
  // log|det K|, K[i][j] = number of ReLU units (over all ReLU layers) whose
  // input has the same sign pattern (> 0 or not) for images i and j.
  struct KernelProbe : LayerProbe {
    torch::Tensor kernel;
    torch::Tensor on_layer(const LayerCall& call) override {
      if (call.kind != LayerKind::kReLU) return call.output;
      const torch::Tensor x = (call.input.reshape({call.input.size(0), -1}) > 0).to(torch::kDouble);
      const torch::Tensor k = x.matmul(x.t()) + (1.0 - x).matmul((1.0 - x).t());
      kernel = kernel.defined() ? kernel + k : k;
      return call.output;
    }
  } probe;
  auto net = in.build_network();
  torch::NoGradGuard no_grad;
  {
    ScopedLayerProbe scope(probe);
    net->forward(in.batch.images);
  }
  if (!probe.kernel.defined()) return kNaN;  // no ReLU
  return std::get<1>(torch::linalg_slogdet(probe.kernel.cpu())).item<double>();
}

double zen(const ProxyInput& in) {
  // Gaussian weights (BN scale 1, shift 0); two Gaussian batches x and
  // x + 0.01 e; log mean_n ||f(x) - f(x + 0.01 e)||_1 over the features
  // before global pooling, plus sum over BN layers of log sqrt(mean running
  // variance) after the two forward passes.
  auto net = in.build_network();
  torch::NoGradGuard no_grad;
  // A generator of its own (on the CPU, copied to the device), so that
  // concurrent evaluations neither race for nor disturb torch's global one.
  auto gen = at::detail::createCPUGenerator(in.seed);
  const auto gaussian = [&](at::IntArrayRef sizes) {
    return torch::randn(sizes, gen, torch::kFloat).to(in.device);
  };
  for (const auto& module : net->modules(/*include_self=*/true)) {
    if (auto* conv = module->as<nn::Conv2dImpl>()) {
      conv->weight.copy_(gaussian(conv->weight.sizes()));
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* linear = module->as<nn::LinearImpl>()) {
      linear->weight.copy_(gaussian(linear->weight.sizes()));
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* bn = module->as<nn::BatchNorm2dImpl>()) {
      if (bn->weight.defined()) bn->weight.fill_(1.0);
      if (bn->bias.defined()) bn->bias.zero_();
    }
  }
  struct PrePool : LayerProbe {
    torch::Tensor features;
    torch::Tensor on_layer(const LayerCall& call) override {
      if (call.kind == LayerKind::kGlobalAvgPool) features = call.input;
      return call.output;
    }
  } probe;
  const torch::Tensor x = gaussian(in.batch.images.sizes());
  const torch::Tensor e = gaussian(in.batch.images.sizes());
  ScopedLayerProbe scope(probe);
  net->forward(x);
  const torch::Tensor fx = probe.features;
  net->forward(x + 1e-2 * e);
  const torch::Tensor fm = probe.features;
  NASCPP_CHECK(fx.defined() && fm.defined(),
               "zen: the network reported no global average pooling (its head is not nascpp's)");
  double score = std::log((fx - fm).abs().sum({1, 2, 3}).mean().item<double>());
  for (const auto& module : net->modules(/*include_self=*/true)) {
    if (auto* bn = module->as<nn::BatchNorm2dImpl>()) {
      if (bn->running_var.defined()) {
        score += std::log(std::sqrt(bn->running_var.mean().item<double>()));
      }
    }
  }
  return score;
}

}  // namespace nascpp::zero_cost

#include "nascpp/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/log.h"

namespace nascpp {

TrainerOptions TrainerOptions::from_config(ConfigNode& cfg) {
  TrainerOptions o;
  o.epochs(cfg.get<int64_t>("epochs", o.epochs()));
  o.batch_size(cfg.get<int64_t>("batch_size", o.batch_size()));
  o.learning_rate(cfg.get<double>("learning_rate", o.learning_rate()));
  o.min_learning_rate(cfg.get<double>("min_learning_rate", o.min_learning_rate()));
  o.momentum(cfg.get<double>("momentum", o.momentum()));
  o.nesterov(cfg.get<bool>("nesterov", o.nesterov()));
  o.weight_decay(cfg.get<double>("weight_decay", o.weight_decay()));
  o.grad_clip(cfg.get<double>("grad_clip", o.grad_clip()));
  o.train_limit(cfg.get<int64_t>("train_limit", o.train_limit()));
  o.eval_limit(cfg.get<int64_t>("eval_limit", o.eval_limit()));
  o.device(cfg.get<std::string>("device", o.device()));
  o.log_every(cfg.get<int64_t>("log_every", o.log_every()));
  o.validate();
  return o;
}

void TrainerOptions::validate() const {
  NASCPP_CHECK_CONFIG(epochs_ >= 1, "train.epochs must be at least 1, got {}", epochs_);
  NASCPP_CHECK_CONFIG(batch_size_ >= 1, "train.batch_size must be at least 1, got {}", batch_size_);
  NASCPP_CHECK_CONFIG(learning_rate_ > 0 && std::isfinite(learning_rate_),
                      "train.learning_rate must be positive, got {}", learning_rate_);
  NASCPP_CHECK_CONFIG(min_learning_rate_ >= 0 && min_learning_rate_ <= learning_rate_,
                      "train.min_learning_rate must be in [0, learning_rate={}], got {}",
                      learning_rate_, min_learning_rate_);
  NASCPP_CHECK_CONFIG(momentum_ >= 0 && momentum_ < 1, "train.momentum must be in [0, 1), got {}",
                      momentum_);
  NASCPP_CHECK_CONFIG(!nesterov_ || momentum_ > 0,
                      "train.nesterov needs a positive momentum, got {}", momentum_);
  NASCPP_CHECK_CONFIG(weight_decay_ >= 0, "train.weight_decay must be >= 0, got {}", weight_decay_);
  NASCPP_CHECK_CONFIG(grad_clip_ >= 0, "train.grad_clip must be >= 0 (0 disables), got {}",
                      grad_clip_);
  NASCPP_CHECK_CONFIG(train_limit_ >= 0, "train.train_limit must be >= 0, got {}", train_limit_);
  NASCPP_CHECK_CONFIG(eval_limit_ >= 0, "train.eval_limit must be >= 0, got {}", eval_limit_);
  NASCPP_CHECK_CONFIG(log_every_ >= 0, "train.log_every must be >= 0, got {}", log_every_);
  parse_device(device_);
}

Trainer::Trainer(TrainerOptions options, std::vector<double> mean, std::vector<double> stddev)
    : options_(std::move(options)), device_(parse_device(options_.device())) {
  options_.validate();
  NASCPP_CHECK(!mean.empty() && mean.size() == stddev.size(),
               "normalisation needs one mean and one stddev per channel ({} and {} given)",
               mean.size(), stddev.size());
  const auto channels = static_cast<int64_t>(mean.size());
  mean_ = torch::tensor(std::vector<float>(mean.begin(), mean.end())).view({1, channels, 1, 1});
  stddev_ =
      torch::tensor(std::vector<float>(stddev.begin(), stddev.end())).view({1, channels, 1, 1});
  mean_ = mean_.to(device_);
  stddev_ = stddev_.to(device_);
}

torch::Tensor Trainer::prepare(const torch::Tensor& images) const {
  return (images.to(device_).to(torch::kFloat32).div_(255.0f) - mean_) / stddev_;
}

std::vector<EpochMetrics> Trainer::fit(Network& network, const ImageSet& train,
                                       const std::function<void(const EpochMetrics&)>& on_epoch) {
  const int64_t n =
      options_.train_limit() > 0 ? std::min(options_.train_limit(), train.size()) : train.size();
  NASCPP_CHECK(n > 0, "no training images");
  network.to(device_);
  torch::optim::SGD optimizer(network.parameters(),
                              torch::optim::SGDOptions(options_.learning_rate())
                                  .momentum(options_.momentum())
                                  .nesterov(options_.nesterov())
                                  .weight_decay(options_.weight_decay()));
  const int64_t steps_per_epoch = (n + options_.batch_size() - 1) / options_.batch_size();
  const int64_t total_steps = steps_per_epoch * options_.epochs();
  std::vector<EpochMetrics> history;
  int64_t global_step = 0;
  for (int64_t epoch = 0; epoch < options_.epochs(); ++epoch) {
    network.train();
    const auto start = std::chrono::steady_clock::now();
    const auto order = torch::randperm(train.size(), torch::kInt64).slice(0, 0, n);
    double loss_sum = 0.0;
    int64_t correct = 0;
    double lr = options_.learning_rate();
    for (int64_t step = 0; step < steps_per_epoch; ++step, ++global_step) {
      // Cosine schedule per step (Loshchilov & Hutter 2017, eq. 5 without restarts).
      const double progress = static_cast<double>(global_step) / static_cast<double>(total_steps);
      lr = options_.min_learning_rate() +
           0.5 * (options_.learning_rate() - options_.min_learning_rate()) *
               (1.0 + std::cos(M_PI * progress));
      for (auto& group : optimizer.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      }
      const auto index = order.slice(0, step * options_.batch_size(),
                                     std::min(n, (step + 1) * options_.batch_size()));
      const auto x = prepare(train.images.index_select(0, index));
      const auto y = train.labels.index_select(0, index).to(device_);
      optimizer.zero_grad();
      const auto logits = network.forward(x);
      auto loss = torch::nn::functional::cross_entropy(logits, y);
      const double loss_value = loss.item<double>();
      NASCPP_CHECK(std::isfinite(loss_value),
                   "training loss became {} at epoch {}, step {} (learning rate {}); "
                   "lower the learning rate or check the data",
                   loss_value, epoch + 1, step + 1, lr);
      loss.backward();
      if (options_.grad_clip() > 0) {
        torch::nn::utils::clip_grad_norm_(network.parameters(), options_.grad_clip());
      }
      optimizer.step();
      loss_sum += loss_value * static_cast<double>(y.size(0));
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      if (options_.log_every() > 0 && (step + 1) % options_.log_every() == 0) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = static_cast<double>((step + 1) * options_.batch_size()) / elapsed;
        const double eta = static_cast<double>(steps_per_epoch - step - 1) *
                           static_cast<double>(options_.batch_size()) / rate;
        logger()->info("epoch {}/{} step {}/{} loss {:.4f} lr {:.5f} {:.0f} img/s eta {:.0f}s",
                       epoch + 1, options_.epochs(), step + 1, steps_per_epoch, loss_value, lr,
                       rate, eta);
      }
    }
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_loss = loss_sum / static_cast<double>(n);
    m.train_top1 = 100.0 * static_cast<double>(correct) / static_cast<double>(n);
    m.learning_rate = lr;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.images_per_second = static_cast<double>(n) / m.seconds;
    logger()->info("epoch {}/{}: train loss {:.4f}, train top-1 {:.2f}%, {:.0f} img/s", m.epoch,
                   options_.epochs(), m.train_loss, m.train_top1, m.images_per_second);
    history.push_back(m);
    if (on_epoch) on_epoch(m);
  }
  return history;
}

EvalMetrics Trainer::evaluate(Network& network, const ImageSet& data) {
  const int64_t n =
      options_.eval_limit() > 0 ? std::min(options_.eval_limit(), data.size()) : data.size();
  NASCPP_CHECK(n > 0, "no evaluation images");
  network.to(device_);
  network.eval();
  torch::NoGradGuard no_grad;
  EvalMetrics m;
  double loss_sum = 0.0;
  int64_t top1 = 0, top5 = 0;
  for (int64_t start = 0; start < n; start += options_.batch_size()) {
    const int64_t end = std::min(n, start + options_.batch_size());
    const auto x = prepare(data.images.slice(0, start, end));
    const auto y = data.labels.slice(0, start, end).to(device_);
    const auto logits = network.forward(x);
    loss_sum +=
        torch::nn::functional::cross_entropy(
            logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    const int64_t k = std::min<int64_t>(5, logits.size(1));
    const auto topk = std::get<1>(logits.topk(k, 1));
    const auto hits = topk.eq(y.unsqueeze(1));
    top1 += hits.select(1, 0).sum().item<int64_t>();
    top5 += hits.any(1).sum().item<int64_t>();
  }
  m.images = n;
  m.loss = loss_sum / static_cast<double>(n);
  m.top1 = 100.0 * static_cast<double>(top1) / static_cast<double>(n);
  m.top5 = 100.0 * static_cast<double>(top5) / static_cast<double>(n);
  return m;
}

}  // namespace nascpp

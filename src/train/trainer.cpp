#include "nascpp/train/trainer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/io.h"
#include "nascpp/core/log.h"
#include "nascpp/data/loader.h"

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
  o.seed(cfg.get<uint64_t>("seed", o.seed()));
  o.auxiliary_weight(cfg.get<double>("auxiliary_weight", o.auxiliary_weight()));
  o.drop_path_prob(cfg.get<double>("drop_path_prob", o.drop_path_prob()));
  auto augment = cfg.section("augment");
  o.augment(AugmentOptions::from_config(augment));
  o.prefetch(cfg.get<int64_t>("prefetch", o.prefetch()));
  o.checkpoint(cfg.get<std::string>("checkpoint", o.checkpoint()));
  o.resume(cfg.get<bool>("resume", o.resume()));
  o.metrics_file(cfg.get<std::string>("metrics_file", o.metrics_file()));
  o.validate();
  return o;
}

void TrainerOptions::validate() const {
  NASCPP_CHECK_CONFIG(epochs_ >= 1, "train.epochs must be at least 1, got {}", epochs_);
  NASCPP_CHECK_CONFIG(stop_after_epochs_ >= 0,
                      "trainer stop_after_epochs must be >= 0 (0: all epochs), got {}",
                      stop_after_epochs_);
  NASCPP_CHECK_CONFIG(batch_size_ >= 1 && batch_size_ <= kMaxBatchSize,
                      "train.batch_size must be in [1, {}], got {}", kMaxBatchSize, batch_size_);
  NASCPP_CHECK_CONFIG(learning_rate_ > 0 && learning_rate_ <= kMaxFloat32,
                      "train.learning_rate must be a positive number at most {:g} (float32), got {}",
                      kMaxFloat32, learning_rate_);
  NASCPP_CHECK_CONFIG(min_learning_rate_ >= 0 && min_learning_rate_ <= learning_rate_,
                      "train.min_learning_rate must be in [0, learning_rate={}], got {}",
                      learning_rate_, min_learning_rate_);
  NASCPP_CHECK_CONFIG(momentum_ >= 0 && momentum_ < 1, "train.momentum must be in [0, 1), got {}",
                      momentum_);
  NASCPP_CHECK_CONFIG(!nesterov_ || momentum_ > 0,
                      "train.nesterov needs a positive momentum, got {}", momentum_);
  NASCPP_CHECK_CONFIG(weight_decay_ >= 0 && weight_decay_ <= kMaxFloat32,
                      "train.weight_decay must be a number in [0, {:g}] (float32), got {}",
                      kMaxFloat32, weight_decay_);
  NASCPP_CHECK_CONFIG(grad_clip_ >= 0 && std::isfinite(grad_clip_),
                      "train.grad_clip must be a finite number >= 0 (0 disables), got {}",
                      grad_clip_);
  NASCPP_CHECK_CONFIG(train_limit_ >= 0, "train.train_limit must be >= 0, got {}", train_limit_);
  NASCPP_CHECK_CONFIG(eval_limit_ >= 0, "train.eval_limit must be >= 0, got {}", eval_limit_);
  NASCPP_CHECK_CONFIG(log_every_ >= 0, "train.log_every must be >= 0, got {}", log_every_);
  NASCPP_CHECK_CONFIG(auxiliary_weight_ >= 0 && std::isfinite(auxiliary_weight_),
                      "train.auxiliary_weight must be a finite number >= 0, got {}",
                      auxiliary_weight_);
  NASCPP_CHECK_CONFIG(drop_path_prob_ >= 0 && drop_path_prob_ < 1,
                      "train.drop_path_prob must be in [0, 1), got {}", drop_path_prob_);
  NASCPP_CHECK_CONFIG(prefetch_ >= 0, "train.prefetch must be >= 0, got {}", prefetch_);
  NASCPP_CHECK_CONFIG(!resume_ || !checkpoint_.empty(),
                      "train.resume needs train.checkpoint (a file path)");
  augment_.validate();
  parse_device(device_);
}

Trainer::Trainer(TrainerOptions options, std::vector<double> mean, std::vector<double> stddev)
    : options_(std::move(options)),
      device_(parse_device(options_.device())),
      mean_list_(std::move(mean)),
      stddev_list_(std::move(stddev)) {
  options_.validate();
  std::tie(mean_, stddev_) = normalization_tensors(mean_list_, stddev_list_);
  mean_ = mean_.to(device_);
  stddev_ = stddev_.to(device_);
}

std::string to_json_line(const EpochMetrics& m) {
  nlohmann::json j;
  j["epoch"] = m.epoch;
  j["train_loss"] = m.train_loss;
  j["train_top1"] = m.train_top1;
  if (std::isfinite(m.valid_loss)) j["valid_loss"] = m.valid_loss;
  if (std::isfinite(m.valid_top1)) j["valid_top1"] = m.valid_top1;
  j["learning_rate"] = m.learning_rate;
  j["drop_path_prob"] = m.drop_path_prob;
  j["seconds"] = m.seconds;
  j["images_per_second"] = m.images_per_second;
  return j.dump();
}

namespace {

constexpr const char* kCheckpointFormat = "nascpp-trainer-checkpoint-1";

// LibTorch messages carry a backtrace after the first line.
std::string first_line(const char* what) {
  const std::string text(what);
  return text.substr(0, text.find('\n'));
}

EpochMetrics metrics_from_json(const nlohmann::json& j) {
  EpochMetrics m;
  m.epoch = j.at("epoch").get<int64_t>();
  m.train_loss = j.at("train_loss").get<double>();
  m.train_top1 = j.at("train_top1").get<double>();
  if (j.contains("valid_loss")) m.valid_loss = j.at("valid_loss").get<double>();
  if (j.contains("valid_top1")) m.valid_top1 = j.at("valid_top1").get<double>();
  m.learning_rate = j.at("learning_rate").get<double>();
  m.drop_path_prob = j.at("drop_path_prob").get<double>();
  m.seconds = j.at("seconds").get<double>();
  m.images_per_second = j.at("images_per_second").get<double>();
  return m;
}

// What must match between a checkpoint and the run that resumes from it for
// the continuation to be the same training.
std::string fingerprint(const TrainerOptions& o, int64_t train_examples) {
  return fmt::format(
      "epochs={} batch_size={} learning_rate={} min_learning_rate={} momentum={} nesterov={} "
      "weight_decay={} seed={} drop_path_prob={} train_examples={}",
      o.epochs(), o.batch_size(), o.learning_rate(), o.min_learning_rate(), o.momentum(),
      o.nesterov(), o.weight_decay(), o.seed(), o.drop_path_prob(), train_examples);
}

struct CheckpointState {
  int64_t epochs_done = 0;
  std::vector<EpochMetrics> history;
};

void save_checkpoint(const std::string& path, Network& network, torch::optim::SGD& optimizer,
                     const std::string& print, const std::vector<EpochMetrics>& history) {
  torch::serialize::OutputArchive archive;
  archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
  archive.write("fingerprint", c10::IValue(print));
  archive.write("epochs_done", c10::IValue(static_cast<int64_t>(history.size())));
  nlohmann::json h = nlohmann::json::array();
  for (const auto& m : history) h.push_back(nlohmann::json::parse(to_json_line(m)));
  archive.write("history", c10::IValue(h.dump()));
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    archive.write("torch_cpu_rng", generator.get_state());
  }
  torch::serialize::OutputArchive net_archive;
  network.save(net_archive);
  archive.write("network", net_archive);
  torch::serialize::OutputArchive opt_archive;
  optimizer.save(opt_archive);
  archive.write("optimizer", opt_archive);
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomic(path, bytes.str());
}

CheckpointState load_checkpoint(const std::string& path, Network& network,
                                torch::optim::SGD& optimizer, const std::string& print,
                                const torch::Device& device) {
  CheckpointState state;
  std::string stored_print;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    c10::IValue value;
    archive.read("format", value);
    if (!value.isString() || value.toStringRef() != kCheckpointFormat) {
      throw DataError(fmt::format("'{}' is not a nascpp trainer checkpoint", path));
    }
    archive.read("fingerprint", value);
    stored_print = value.toStringRef();
    archive.read("epochs_done", value);
    state.epochs_done = value.toInt();
    archive.read("history", value);
    for (const auto& j : nlohmann::json::parse(value.toStringRef())) {
      state.history.push_back(metrics_from_json(j));
    }
    if (stored_print == print) {
      torch::Tensor rng_state;
      archive.read("torch_cpu_rng", rng_state);
      torch::serialize::InputArchive net_archive;
      archive.read("network", net_archive);
      network.load(net_archive);
      torch::serialize::InputArchive opt_archive;
      archive.read("optimizer", opt_archive);
      optimizer.load(opt_archive);
      auto generator = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(generator.mutex());
      generator.set_state(rng_state);
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw DataError(fmt::format("checkpoint '{}' is corrupt or does not fit this network: {}", path,
                                first_line(e.what())));
  }
  if (stored_print != print) {
    throw ConfigError(fmt::format(
        "checkpoint '{}' was written by a different training (it has: {}; this run: {}); "
        "use another checkpoint path or the original settings",
        path, stored_print, print));
  }
  NASCPP_CHECK_DATA(state.epochs_done == static_cast<int64_t>(state.history.size()),
                    "checkpoint '{}' is inconsistent: {} epochs done but {} in its history", path,
                    state.epochs_done, state.history.size());
  return state;
}

// "" when the network's parameters and floating-point buffers (batch-norm
// statistics) are finite, else the first part that is not. One host sync: the
// double-precision sum of a tensor is finite exactly when its elements are
// (a float sum cannot overflow in double).
std::string non_finite_part(Network& network, const torch::Device& device) {
  auto sum_all = [&device](const std::vector<torch::Tensor>& tensors) {
    std::vector<torch::Tensor> sums;
    for (const auto& t : tensors) {
      if (t.defined() && t.is_floating_point()) sums.push_back(t.detach().sum(torch::kFloat64));
    }
    if (sums.empty()) return torch::zeros({}, torch::TensorOptions(torch::kFloat64).device(device));
    return torch::stack(sums).sum();
  };
  const torch::Tensor finite =
      torch::stack({sum_all(network.parameters()), sum_all(network.buffers())})
          .isfinite()
          .to(torch::kCPU);
  const bool* ok = finite.data_ptr<bool>();
  if (!ok[0]) return "weights";
  if (!ok[1]) return "batch-norm statistics";
  return "";
}

// What the last checkpoint keeps, for divergence messages.
std::string kept_checkpoint(const std::string& path, size_t epochs_done) {
  if (path.empty()) return "no checkpoint is configured";
  if (epochs_done == 0) return fmt::format("no checkpoint '{}' was written yet", path);
  return fmt::format("the checkpoint '{}' keeps epoch {}, the last finite one", path, epochs_done);
}

void rewrite_metrics_file(const std::string& path, const std::vector<EpochMetrics>& history) {
  std::string text;
  for (const auto& m : history) text += to_json_line(m) + "\n";
  write_file_atomic(path, text);
}

}  // namespace

std::vector<EpochMetrics> Trainer::fit(Network& network, const ImageSet& train,
                                       const ImageSet* valid,
                                       const std::function<void(const EpochMetrics&)>& on_epoch) {
  NASCPP_CHECK(train.size() > 0, "no training images");
  BatchLoader loader(train, mean_list_, stddev_list_,
                     LoaderOptions()
                         .batch_size(options_.batch_size())
                         .limit(options_.train_limit())
                         .prefetch(options_.prefetch())
                         .seed(options_.seed())
                         .augment(options_.augment())
                         .device(device_));
  const int64_t n = loader.examples_per_epoch();
  network.to(device_);
  torch::optim::SGD optimizer(network.parameters(),
                              torch::optim::SGDOptions(options_.learning_rate())
                                  .momentum(options_.momentum())
                                  .nesterov(options_.nesterov())
                                  .weight_decay(options_.weight_decay()));
  const int64_t steps_per_epoch = loader.batches_per_epoch();
  const int64_t total_steps = steps_per_epoch * options_.epochs();
  const std::string print = fingerprint(options_, n);

  std::vector<EpochMetrics> history;
  if (!options_.checkpoint().empty() && std::filesystem::exists(options_.checkpoint())) {
    NASCPP_CHECK_CONFIG(options_.resume(),
                        "checkpoint '{}' already exists; resume from it (train.resume: true) or "
                        "choose another path - it is not overwritten",
                        options_.checkpoint());
    history = load_checkpoint(options_.checkpoint(), network, optimizer, print, device_).history;
    // Trainings before divergence detection could checkpoint NaN weights.
    const std::string bad = non_finite_part(network, device_);
    NASCPP_CHECK_DATA(bad.empty(),
                      "checkpoint '{}' holds non-finite {} (written by a training that "
                      "diverged); remove it and train again",
                      options_.checkpoint(), bad);
    logger()->info("resuming from '{}' after epoch {}/{}", options_.checkpoint(), history.size(),
                   options_.epochs());
    // Lines of epochs after the checkpoint belong to the interrupted attempt.
    if (!options_.metrics_file().empty()) rewrite_metrics_file(options_.metrics_file(), history);
  } else if (!options_.metrics_file().empty()) {
    rewrite_metrics_file(options_.metrics_file(), {});
  }

  const bool use_aux = options_.auxiliary_weight() > 0 && network.has_auxiliary_head();
  const int64_t last_epoch = options_.stop_after_epochs() > 0
                                ? std::min(options_.stop_after_epochs(), options_.epochs())
                                : options_.epochs();
  for (int64_t epoch = static_cast<int64_t>(history.size()); epoch < last_epoch; ++epoch) {
    network.train();
    // DARTS ramps drop path linearly with the epoch: p * epoch / epochs.
    const double drop_path = options_.drop_path_prob() * static_cast<double>(epoch) /
                             static_cast<double>(options_.epochs());
    network.set_drop_path_prob(drop_path);
    const auto start = std::chrono::steady_clock::now();
    loader.start_epoch(epoch);
    double loss_sum = 0.0;
    int64_t correct = 0, seen = 0;
    double lr = options_.learning_rate();
    const std::string label = fmt::format("epoch {}/{}", epoch + 1, options_.epochs());
    for (int64_t step = 0; step < steps_per_epoch; ++step) {
      const int64_t global_step = epoch * steps_per_epoch + step;
      // Cosine schedule per step (Loshchilov & Hutter 2017, eq. 5 without restarts).
      const double progress = static_cast<double>(global_step) / static_cast<double>(total_steps);
      lr = options_.min_learning_rate() +
           0.5 * (options_.learning_rate() - options_.min_learning_rate()) *
               (1.0 + std::cos(M_PI * progress));
      for (auto& group : optimizer.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      }
      auto batch = loader.next();
      NASCPP_ASSERT(batch.has_value());
      const auto& x = batch->images;
      const auto& y = batch->labels;
      optimizer.zero_grad();
      const auto logits = network.forward(x);
      auto loss = torch::nn::functional::cross_entropy(logits, y);
      if (use_aux) {
        const auto aux = network.auxiliary_logits();
        if (aux.defined()) {
          loss = loss + options_.auxiliary_weight() * torch::nn::functional::cross_entropy(aux, y);
        }
      }
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value)) {
        throw DivergenceError(
            fmt::format("training diverged: the training loss became {} at epoch {}, step {} "
                        "(learning rate {}); lower the learning rate or check the data; {}",
                        std::abs(loss_value), epoch + 1, step + 1, lr,  // no "-nan"
                        kept_checkpoint(options_.checkpoint(), history.size())));
      }
      loss.backward();
      if (options_.grad_clip() > 0) {
        torch::nn::utils::clip_grad_norm_(network.parameters(), options_.grad_clip());
      }
      optimizer.step();
      const int64_t b = y.size(0);
      seen += b;
      loss_sum += loss_value * static_cast<double>(b);
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      Progress p{label,
                 step + 1,
                 steps_per_epoch,
                 elapsed,
                 elapsed > 0 ? static_cast<double>(seen) / elapsed : 0.0,
                 "img/s",
                 fmt::format("loss {:.4f} lr {:.5f}", loss_value, lr)};
      if (on_progress_) {
        on_progress_(p);
      } else if (options_.log_every() > 0 && (step + 1) % options_.log_every() == 0) {
        logger()->info("{}", format_progress_line(p));
      }
    }
    // Each step checked its loss; the last update (and any NaN gradient a
    // finite loss hid) shows in the weights: one check per epoch, before they
    // are evaluated or checkpointed.
    if (const std::string bad = non_finite_part(network, device_); !bad.empty()) {
      throw DivergenceError(
          fmt::format("training diverged: the network's {} are not finite after epoch {} "
                      "(learning rate {}); lower the learning rate or check the data; {}",
                      bad, epoch + 1, lr, kept_checkpoint(options_.checkpoint(), history.size())));
    }
    EpochMetrics m;
    m.epoch = epoch + 1;
    m.train_loss = loss_sum / static_cast<double>(n);
    m.train_top1 = 100.0 * static_cast<double>(correct) / static_cast<double>(n);
    m.learning_rate = lr;
    m.drop_path_prob = drop_path;
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.images_per_second = static_cast<double>(n) / m.seconds;
    if (valid != nullptr && valid->size() > 0) {
      const auto v = evaluate(network, *valid);
      m.valid_loss = v.loss;
      m.valid_top1 = v.top1;
    }
    logger()->info("epoch {}/{}: train loss {:.4f}, train top-1 {:.2f}%{}, {:.0f} img/s", m.epoch,
                   options_.epochs(), m.train_loss, m.train_top1,
                   std::isfinite(m.valid_top1) ? fmt::format(", valid top-1 {:.2f}%", m.valid_top1)
                                               : std::string(),
                   m.images_per_second);
    history.push_back(m);
    // Metrics line first: if a kill lands between the two writes, the resume
    // rewrites the file from the checkpoint's history.
    if (!options_.metrics_file().empty()) append_line(options_.metrics_file(), to_json_line(m));
    if (!options_.checkpoint().empty()) {
      save_checkpoint(options_.checkpoint(), network, optimizer, print, history);
    }
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
    const auto x = normalize(data.images.slice(0, start, end).to(device_), mean_, stddev_);
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
  // Accuracies of non-finite logits (argmax of NaN) would be meaningless.
  if (!std::isfinite(loss_sum)) {
    throw DivergenceError(
        fmt::format("evaluation on {} images: the loss is {}, the network's outputs are not "
                    "finite (its weights diverged)",
                    n, std::abs(loss_sum)));
  }
  m.images = n;
  m.loss = loss_sum / static_cast<double>(n);
  m.top1 = 100.0 * static_cast<double>(top1) / static_cast<double>(n);
  m.top5 = 100.0 * static_cast<double>(top5) / static_cast<double>(n);
  return m;
}

}  // namespace nascpp

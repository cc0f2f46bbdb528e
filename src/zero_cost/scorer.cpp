#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <utility>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/core/random.h"
#include "nascpp/data/augment.h"
#include "nascpp/ops/probe.h"
#include "nascpp/registries.h"
#include "nascpp/search_space.h"
#include "nascpp/zero_cost.h"

namespace nascpp {

namespace {

bool cifar10_present(const std::string& root) {
  if (root.empty()) return false;
  return std::filesystem::exists(std::filesystem::path(root) / "data_batch_1.bin");
}

/// `images` (float [N, C, H, W]) adapted to `channels` x `size`; appends to
/// `notes` what was done.
torch::Tensor adapt(torch::Tensor images, int64_t channels, int64_t size,
                    std::vector<std::string>& notes) {
  const int64_t c = images.size(1);
  if (c != channels) {
    if (c == 1) {
      images = images.expand({-1, channels, -1, -1}).contiguous();
      notes.push_back(fmt::format("gray replicated to {} channels", channels));
    } else if (channels == 1) {
      images = images.mean(1, /*keepdim=*/true);
      notes.push_back(fmt::format("{} channels averaged to 1", c));
    } else {
      throw ConfigError(fmt::format(
          "zero-cost: cannot adapt {}-channel images to in_channels = {} (valid: {}, 1, or 3 for "
          "gray images)",
          c, channels, c));
    }
  }
  const int64_t h = images.size(2);
  const int64_t w = images.size(3);
  if (h != size || w != size) {
    const int64_t top = (size - h) / 2;
    const int64_t left = (size - w) / 2;
    // Positive padding adds zeros of the normalised images (the dataset's
    // mean colour); negative padding crops the centre.
    images = torch::constant_pad_nd(images, {left, size - w - left, top, size - h - top}, 0.0);
    notes.push_back(fmt::format("{} {}x{} -> {}x{}", size > h ? "zero-padded" : "centre-cropped", h,
                                w, size, size));
  }
  return images;
}

}  // namespace

void ZeroCostOptions::validate() const {
  NASCPP_CHECK_CONFIG(batch_size_ >= 2, "zero-cost: batch_size must be at least 2, got {}",
                      batch_size_);
  NASCPP_CHECK_CONFIG(in_channels_ > 0, "zero-cost: in_channels must be positive, got {}",
                      in_channels_);
  NASCPP_CHECK_CONFIG(image_size_ > 0, "zero-cost: image_size must be positive, got {}",
                      image_size_);
  NASCPP_CHECK_CONFIG(num_classes_ >= 2, "zero-cost: num_classes must be at least 2, got {}",
                      num_classes_);
  if (data_ != "auto" && data_ != "random" && !dataset_registry().contains(data_)) {
    std::vector<std::string> valid = dataset_registry().names();
    valid.push_back("auto");
    valid.push_back("random");
    throw ConfigError(unknown_choice_message("zero-cost data", data_, valid));
  }
  parse_device(device_);
}

ZeroCostOptions ZeroCostOptions::from_config(ConfigNode& config) {
  ZeroCostOptions o;
  o.batch_size(config.get<int64_t>("batch_size", o.batch_size()));
  o.seed(config.get<uint64_t>("seed", o.seed()));
  o.data(config.get<std::string>("data", o.data()));
  o.data_root(config.get<std::string>("data_root", o.data_root()));
  o.in_channels(config.get<int64_t>("in_channels", o.in_channels()));
  o.image_size(config.get<int64_t>("image_size", o.image_size()));
  o.num_classes(config.get<int64_t>("num_classes", o.num_classes()));
  o.device(config.get<std::string>("device", o.device()));
  o.augment(config.get<bool>("augment", o.augment()));
  o.validate();
  return o;
}

ZeroCostScorer::ZeroCostScorer(std::shared_ptr<const SearchSpace> space, ZeroCostOptions options)
    : space_(std::move(space)), options_(std::move(options)), device_(torch::kCPU) {
  NASCPP_CHECK_CONFIG(space_ != nullptr, "zero-cost: no search space given");
  options_.validate();
  device_ = parse_device(options_.device());
  const int64_t b = options_.batch_size();
  Rng rng(options_.seed());
  std::string data = options_.data();
  std::string why;
  if (data == "auto") {
    if (cifar10_present(options_.data_root())) {
      data = "cifar10";
      why = "CIFAR-10 files found";
    } else {
      data = "fashion_mnist";
      why = options_.data_root().empty()
                ? "no CIFAR-10 folder given (data_root)"
                : fmt::format("no CIFAR-10 files (data_batch_1.bin) in '{}'", options_.data_root());
    }
  }
  if (data == "random") {
    seed_torch(rng.next_seed());
    batch_.images =
        torch::randn({b, options_.in_channels(), options_.image_size(), options_.image_size()});
    batch_.labels = torch::randint(options_.num_classes(), {b}, torch::kLong);
    batch_.num_classes = options_.num_classes();
    batch_.dataset = "random";
    batch_.description = fmt::format(
        "random: {} standard normal images, uniform labels over {} "
        "classes (seed {})",
        b, options_.num_classes(), options_.seed());
  } else {
    ConfigNode cfg;
    if (!options_.data_root().empty()) {
      cfg = ConfigNode::parse(fmt::format("root: '{}'", options_.data_root()), "zero-cost data");
    }
    auto dataset = dataset_registry().create(data, cfg);
    data_files_ = dataset->data_files();
    const ImageSet& train = dataset->train();
    const int64_t n = train.size();
    NASCPP_CHECK_CONFIG(n >= b, "zero-cost: batch_size {} exceeds the {} training images of '{}'",
                        b, n, data);
    // b distinct images, uniformly at random (a partial Fisher-Yates shuffle).
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    for (int64_t i = 0; i < b; ++i) {
      const auto j = static_cast<size_t>(i) + rng.index(static_cast<size_t>(n - i));
      std::swap(order[static_cast<size_t>(i)], order[j]);
    }
    order.resize(static_cast<size_t>(b));
    const torch::Tensor index = torch::tensor(order, torch::kLong);
    const auto [mean, stddev] = normalization_tensors(dataset->mean(), dataset->stddev());
    std::vector<std::string> notes;
    torch::Tensor images = train.images.index_select(0, index);
    if (options_.augment()) {
      // NASLib's batch comes from its training loader: random crop after
      // padding by 1/8 of the side (4 px on CIFAR) and horizontal flips.
      images = crop_and_flip(
          images, AugmentOptions().crop_padding(images.size(2) / 8).horizontal_flip(true), rng);
      notes.push_back(
          fmt::format("random crop (padding {}) and horizontal flip", images.size(2) / 8));
    }
    notes.push_back("normalised");
    batch_.images = adapt(normalize(images, mean, stddev), options_.in_channels(),
                          options_.image_size(), notes);
    batch_.labels = train.labels.index_select(0, index);
    batch_.num_classes = dataset->num_classes();
    batch_.dataset = data;
    std::string text =
        fmt::format("{}: {} training images drawn with seed {}", data, b, options_.seed());
    for (const auto& note : notes) text += ", " + note;
    if (!why.empty()) text += fmt::format(" (data: auto; {})", why);
    batch_.description = text;
  }
  spec_ = NetworkSpec()
              .in_channels(options_.in_channels())
              .image_size(options_.image_size())
              .num_classes(batch_.num_classes);
  spec_.validate();
  batch_.images = batch_.images.to(device_);
  batch_.labels = batch_.labels.to(device_);
}

std::vector<ProxyScore> ZeroCostScorer::score(const Architecture& arch,
                                              const std::vector<std::string>& proxies) const {
  space_->validate(arch);
  std::vector<const ZeroCostRegistry::Entry*> entries;
  for (const auto& name : proxies) entries.push_back(&zero_cost_registry().at(name));
  // Every proxy's network: torch's generator seeded the same way before the
  // build, so each proxy starts from the same weights (NASLib copies one
  // initialised network per measure).
  const uint64_t weight_seed = Rng(options_.seed()).next_seed();
  ProxyInput input{[&]() {
                     // Seeding and drawing the weights from torch's global
                     // generator is one step for concurrent evaluations.
                     static std::mutex generator;
                     std::shared_ptr<Network> net;
                     {
                       std::lock_guard<std::mutex> lock(generator);
                       seed_torch(weight_seed);
                       net = space_->build_network(arch, spec_);
                     }
                     net->to(device_);
                     net->train();
                     // An untrained network is scored whole: no drop path
                     // (DARTS' evaluation network starts with 0.2), as in
                     // NASLib, whose zero-cost networks have none.
                     net->set_drop_path_prob(0.0);
                     return net;
                   },
                   batch_, spec_, device_, options_.seed()};
  std::vector<ProxyScore> out;
  for (const auto* entry : entries) {
    const auto start = std::chrono::steady_clock::now();
    ProxyScore s;
    s.proxy = entry->name;
    s.score = entry->factory(input);
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.push_back(std::move(s));
  }
  return out;
}

double ZeroCostScorer::score_one(const Architecture& arch, const std::string& proxy) const {
  return score(arch, std::vector<std::string>{proxy}).front().score;
}

namespace {

/// Sum over the output bins of an adaptive pooling of `in` cells into `out`
/// of (end - start + 1), with start = floor(i * in / out) and end =
/// ceil((i + 1) * in / out): torchstat's count (its "+ 1" is kept, so a
/// global pooling of H x W counts (H + 1) * (W + 1) per channel).
double adaptive_bins(int64_t in, int64_t out) {
  double total = 0.0;
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = (i * in) / out;
    const int64_t end = ((i + 1) * in + out - 1) / out;
    total += static_cast<double>(end - start + 1);
  }
  return total;
}

}  // namespace

double count_flops_m(Network& network, const NetworkSpec& spec) {
  struct FlopProbe : LayerProbe {
    double flops = 0.0;
    torch::Tensor on_layer(const LayerCall& call) override {
      namespace nn = torch::nn;
      const auto& in = call.input;
      const auto& out = call.output;
      const auto numel = [](const torch::Tensor& t) { return static_cast<double>(t.numel()); };
      switch (call.kind) {
        case LayerKind::kConv2d: {
          const auto* conv = call.module->as<nn::Conv2dImpl>();
          const auto& o = conv->options;
          const double positions = static_cast<double>(out.size(0) * out.size(2) * out.size(3));
          const double per_position =
              static_cast<double>(o.kernel_size()->at(0) * o.kernel_size()->at(1) *
                                  o.in_channels() * (o.out_channels() / o.groups()));
          flops += per_position * positions;
          if (conv->bias.defined()) flops += static_cast<double>(o.out_channels()) * positions;
          break;
        }
        case LayerKind::kLinear: {
          const auto* linear = call.module->as<nn::LinearImpl>();
          flops += static_cast<double>(in.size(0) * linear->options.in_features() *
                                       linear->options.out_features());
          break;
        }
        case LayerKind::kBatchNorm: {
          const auto* bn =
              call.module == nullptr ? nullptr : call.module->as<nn::BatchNorm2dImpl>();
          flops += numel(in) * (bn != nullptr && bn->options.affine() ? 2.0 : 1.0);
          break;
        }
        case LayerKind::kReLU:
          flops += numel(in);
          break;
        case LayerKind::kAvgPool:
        case LayerKind::kMaxPool: {
          int64_t k = 2;  // the functional 2x2 pooling of NAS-Bench-101's network
          const auto* module = call.module;
          if (const auto* avg = module ? module->as<nn::AvgPool2dImpl>() : nullptr) {
            k = avg->options.kernel_size()->at(0) * avg->options.kernel_size()->at(1);
          } else if (const auto* max = module ? module->as<nn::MaxPool2dImpl>() : nullptr) {
            k = max->options.kernel_size()->at(0) * max->options.kernel_size()->at(1);
          } else if (module && module->as<nn::AdaptiveAvgPool2dImpl>()) {
            flops += static_cast<double>(in.size(0) * in.size(1)) *
                     adaptive_bins(in.size(2), out.size(2)) *
                     adaptive_bins(in.size(3), out.size(3));
            break;
          } else {
            k = 4;
          }
          flops += numel(out) * static_cast<double>(k);
          break;
        }
        case LayerKind::kGlobalAvgPool:
          flops += static_cast<double>(in.size(0) * in.size(1)) * adaptive_bins(in.size(2), 1) *
                   adaptive_bins(in.size(3), 1);
          break;
        case LayerKind::kOther:
          break;
      }
      return out;
    }
  } probe;
  const bool was_training = network.is_training();
  network.eval();
  {
    torch::NoGradGuard no_grad;
    ScopedLayerProbe scope(probe);
    const auto params = network.parameters();
    const auto device = params.empty() ? torch::Device(torch::kCPU) : params.front().device();
    const auto dtype = params.empty() ? torch::kFloat : params.front().scalar_type();
    network.forward(torch::zeros({1, spec.in_channels(), spec.image_size(), spec.image_size()},
                                 torch::TensorOptions().device(device).dtype(dtype)));
  }
  network.train(was_training);
  return probe.flops / 1e6;
}

}  // namespace nascpp

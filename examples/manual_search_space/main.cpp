// Adding a search space by implementing nascpp::SearchSpace by hand, for a
// space that is not a choice of operations in a cell (a cell space needs no
// class at all: examples/custom_search_space). Here a "plain CNN" space (three
// conv layers, each with a width and a kernel size to choose), registered in
// the search-space registry and searched by the built-in random search with
// the built-in training evaluator on Fashion-MNIST.
//
//   build/examples/manual_search_space [queries]
//
// Steps: (1) implement nascpp::SearchSpace (text form, validation, sampling,
// mutation, neighbours, an encoding, and a LibTorch network); (2) add it to
// search_space_registry() under a name; (3) every optimizer, evaluator and
// `run_experiment` can now use it by that name.
#include <torch/torch.h>

#include <iostream>

#include "nascpp/core/config.h"
#include "nascpp/core/device.h"
#include "nascpp/core/error.h"
#include "nascpp/registries.h"
#include "nascpp/search.h"

namespace {

using namespace nascpp;

constexpr int kLayers = 3;
const std::vector<int32_t> kWidths = {8, 16, 32};
const std::vector<int32_t> kKernels = {3, 5};

// The network: conv-BN-ReLU layers (stride 2 after the first), global
// average pooling, a linear classifier.
class PlainCnn : public Network {
 public:
  PlainCnn(const std::vector<int32_t>& code, const NetworkSpec& spec) {
    int64_t in = spec.in_channels();
    for (int l = 0; l < kLayers; ++l) {
      const int64_t out = kWidths[code[2 * l]];
      const int64_t k = kKernels[code[2 * l + 1]];
      layers_->push_back(torch::nn::Conv2d(
          torch::nn::Conv2dOptions(in, out, k).stride(l == 0 ? 1 : 2).padding(k / 2).bias(false)));
      layers_->push_back(torch::nn::BatchNorm2d(out));
      layers_->push_back(torch::nn::ReLU());
      in = out;
    }
    classifier_ = torch::nn::Linear(in, spec.num_classes());
    register_module("layers", layers_);
    register_module("classifier", classifier_);
  }
  torch::Tensor forward(torch::Tensor x) override {
    x = layers_->forward(x);
    return classifier_->forward(x.mean({2, 3}));
  }

 private:
  torch::nn::Sequential layers_;
  torch::nn::Linear classifier_{nullptr};
};

// Architectures: 6 integers (width index, kernel index per layer); text form
// "16x3-32x5-32x3".
class PlainCnnSpace : public SearchSpace {
 public:
  std::string name() const override { return "plain_cnn"; }

  Architecture parse(const std::string& text) const override {
    std::vector<int32_t> code;
    size_t start = 0;
    for (int l = 0; l < kLayers; ++l) {
      const size_t end = l + 1 < kLayers ? text.find('-', start) : text.size();
      NASCPP_CHECK_CONFIG(end != std::string::npos,
                          "plain_cnn architecture '{}': expected {} layers 'WxK' joined by '-'",
                          text, kLayers);
      const std::string layer = text.substr(start, end - start);
      const size_t x = layer.find('x');
      NASCPP_CHECK_CONFIG(x != std::string::npos, "plain_cnn layer '{}' is not 'WIDTHxKERNEL'",
                          layer);
      code.push_back(index_of(kWidths, layer.substr(0, x), "width"));
      code.push_back(index_of(kKernels, layer.substr(x + 1), "kernel"));
      start = end + 1;
    }
    return Architecture(name(), code);
  }

  std::string format(const Architecture& arch) const override {
    std::string out;
    for (int l = 0; l < kLayers; ++l) {
      out += (l ? "-" : "") + std::to_string(kWidths[arch.encoding()[2 * l]]) + "x" +
             std::to_string(kKernels[arch.encoding()[2 * l + 1]]);
    }
    return out;
  }

  void validate(const Architecture& arch) const override {
    NASCPP_CHECK_CONFIG(arch.space() == name() && arch.encoding().size() == 2 * kLayers,
                        "not a plain_cnn architecture");
    for (int l = 0; l < kLayers; ++l) {
      NASCPP_CHECK_CONFIG(arch.encoding()[2 * l] >= 0 && arch.encoding()[2 * l] < 3 &&
                              arch.encoding()[2 * l + 1] >= 0 && arch.encoding()[2 * l + 1] < 2,
                          "plain_cnn code out of range");
    }
  }

  Architecture sample(Rng& rng) const override {
    std::vector<int32_t> code;
    for (int l = 0; l < kLayers; ++l) {
      code.push_back(static_cast<int32_t>(rng.index(kWidths.size())));
      code.push_back(static_cast<int32_t>(rng.index(kKernels.size())));
    }
    return Architecture(name(), code);
  }

  // One random position changed to a different value.
  Architecture mutate(const Architecture& arch, Rng& rng) const override {
    const auto all = neighbours(arch);
    return all[rng.index(all.size())];
  }

  std::vector<Architecture> neighbours(const Architecture& arch) const override {
    std::vector<Architecture> out;
    for (size_t p = 0; p < arch.encoding().size(); ++p) {
      const int32_t choices = p % 2 == 0 ? 3 : 2;
      for (int32_t v = 0; v < choices; ++v) {
        if (v == arch.encoding()[p]) continue;
        auto code = arch.encoding();
        code[p] = v;
        out.emplace_back(name(), code);
      }
    }
    return out;
  }

  std::optional<uint64_t> size() const override { return 216; }
  std::vector<std::string> encodings() const override { return {"onehot"}; }
  std::vector<float> encode(const Architecture& arch, const std::string& encoding) const override {
    NASCPP_CHECK_CONFIG(encoding == "onehot", "plain_cnn encodings: onehot (not '{}')", encoding);
    std::vector<float> out;
    for (size_t p = 0; p < arch.encoding().size(); ++p) {
      for (int32_t v = 0; v < (p % 2 == 0 ? 3 : 2); ++v) out.push_back(arch.encoding()[p] == v);
    }
    return out;
  }
  std::shared_ptr<Network> build_network(const Architecture& arch,
                                         const NetworkSpec& spec) const override {
    validate(arch);
    return std::make_shared<PlainCnn>(arch.encoding(), spec);
  }

 private:
  static int32_t index_of(const std::vector<int32_t>& values, const std::string& text,
                          const char* what) {
    for (size_t i = 0; i < values.size(); ++i) {
      if (std::to_string(values[i]) == text) return static_cast<int32_t>(i);
    }
    throw ConfigError(
        fmt::format("plain_cnn {} '{}' is not one of 8, 16, 32 (width) or 3, 5 "
                    "(kernel)",
                    what, text));
  }
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const int queries = argc > 1 ? std::stoi(argv[1]) : 4;
    set_num_threads(0);
    // (2) Register the space by name; the config below refers to it.
    search_space_registry().add("plain_cnn", "three conv layers: width and kernel per layer",
                                [](ConfigNode&) -> std::shared_ptr<const SearchSpace> {
                                  return std::make_shared<PlainCnnSpace>();
                                });
    // (3) Built-in parts by name, as in a YAML configuration.
    auto cfg = ConfigNode::parse(R"(
      search_space: {name: plain_cnn}
      optimizer: {name: random_search}
      evaluator:
        name: training
        dataset: fashion_mnist
        validation_fraction: 0.02
        train: {epochs: 1, batch_size: 64, train_limit: 1024, log_every: 0}
    )");
    auto space_cfg = cfg.section("search_space");
    auto space = search_space_registry().create(space_cfg.require<std::string>("name"), space_cfg);
    auto opt_cfg = cfg.section("optimizer");
    auto optimizer = optimizer_registry().create(opt_cfg.require<std::string>("name"), opt_cfg);
    auto eval_cfg = cfg.section("evaluator");
    auto evaluator =
        evaluator_registry().create(eval_cfg.require<std::string>("name"), eval_cfg, space);
    cfg.finish();
    Rng rng(0);
    auto& bb = dynamic_cast<BlackBoxOptimizer&>(*optimizer);
    bb.attach(space, &rng);
    const auto result =
        run_black_box(bb, *evaluator, rng, SearchOptions().budget(Budget().max_queries(queries)));
    for (const auto& e : result.evaluations) {
      std::cout << space->format(e.trial.arch) << "  valid_acc " << e.result.objective << "\n";
    }
    std::cout << "best: " << space->format(result.incumbent()->trial.arch) << " ("
              << result.incumbent()->result.objective << "% validation accuracy)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "manual_search_space: " << e.what() << "\n";
    return 1;
  }
}

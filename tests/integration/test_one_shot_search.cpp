// Whole one-shot searches: the per-epoch records, the benchmark trajectory,
// checkpoints after every epoch and a resumed search that is bit-identical
// to an uninterrupted one.

#include "nascpp/one_shot_search.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>

#include "benchmarks/nasbench201/nasbench201_benchmark.h"
#include "nascpp/core/io.h"
#include "nascpp/core/random.h"
#include "nascpp/registries.h"
#include "optimizers/darts/darts.h"
#include "optimizers/gdas/gdas.h"
#include "search_spaces/nasbench201/nasbench201.h"
#include "support/log_capture.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

// A small random image set (labels uniform), enough to run a few epochs.
class RandomImages : public Dataset {
 public:
  RandomImages(int64_t n, int64_t channels, int64_t size, int64_t classes, uint64_t seed)
      : classes_(classes), channels_(channels) {
    auto gen = at::detail::createCPUGenerator(seed);
    train_.images = torch::randint(0, 256, {n, channels, size, size}, gen,
                                   torch::TensorOptions().dtype(torch::kUInt8));
    train_.labels =
        torch::randint(0, classes, {n}, gen, torch::TensorOptions().dtype(torch::kInt64));
    test_ = train_;
  }
  std::string name() const override { return "random_images"; }
  const ImageSet& train() const override { return train_; }
  const ImageSet& test() const override { return test_; }
  int64_t num_classes() const override { return classes_; }
  std::vector<double> mean() const override { return std::vector<double>(channels_, 0.5); }
  std::vector<double> stddev() const override { return std::vector<double>(channels_, 0.25); }

 private:
  ImageSet train_;
  ImageSet test_;
  int64_t classes_;
  int64_t channels_;
};

NasBench201Space tiny_space() {
  return NasBench201Space(NasBench201NetworkOptions().channels(4).cells_per_stage(1));
}

OneShotOptions tiny_common(int64_t epochs) {
  return OneShotOptions().epochs(epochs).batch_size(16).arch_learning_rate(0.01);
}

std::unique_ptr<OneShotOptimizer> make(const std::string& method, int64_t epochs) {
  if (method == "gdas") {
    return std::make_unique<GdasOptimizer>(GdasOptions().common(tiny_common(epochs)));
  }
  return std::make_unique<DartsOptimizer>(DartsOptions().common(tiny_common(epochs)));
}

void expect_same_state(const Supernet& a, const Supernet& b) {
  const auto pb = b.named_parameters();
  for (const auto& p : a.named_parameters()) {
    EXPECT_TRUE(torch::equal(p.value(), pb[p.key()])) << p.key();
  }
  const auto bb = b.named_buffers();
  for (const auto& p : a.named_buffers()) {
    EXPECT_TRUE(torch::equal(p.value(), bb[p.key()])) << p.key();
  }
}

class OneShotResume : public ::testing::TestWithParam<std::string> {};

TEST_P(OneShotResume, ResumedSearchIsBitIdenticalToAnUninterruptedOne) {
  const std::string method = GetParam();
  const RandomImages data(96, 3, 12, 5, 11);
  const auto space = tiny_space();
  test::TempDir dir;
  const auto options = OneShotSearchOptions().seed(3);

  auto straight = make(method, 3);
  std::vector<OneShotEpochRecord> straight_records;
  const auto full =
      run_one_shot_search(space, *straight, data, options, nullptr,
                          [&](const OneShotEpochRecord& r) { straight_records.push_back(r); });
  ASSERT_EQ(full.epochs.size(), 3u);
  EXPECT_EQ(full.completed_epochs, 3);

  const std::string ckpt = dir.file("search.ckpt");
  auto first = make(method, 3);
  const auto part = run_one_shot_search(
      space, *first, data,
      OneShotSearchOptions(options).checkpoint_path(ckpt).resume(true).max_epochs_per_call(2));
  EXPECT_EQ(part.completed_epochs, 2);
  ASSERT_TRUE(std::filesystem::exists(ckpt));

  auto second = make(method, 3);  // a new process would start like this
  const auto rest = run_one_shot_search(
      space, *second, data, OneShotSearchOptions(options).checkpoint_path(ckpt).resume(true));
  ASSERT_EQ(rest.epochs.size(), 1u);
  EXPECT_EQ(rest.epochs[0].epoch, 2);
  EXPECT_EQ(rest.completed_epochs, 3);

  expect_same_state(straight->supernet(), second->supernet());
  const auto ma = straight->momentum_buffers();
  const auto mb = second->momentum_buffers();
  for (size_t i = 0; i < ma.size(); ++i) EXPECT_TRUE(torch::equal(ma[i], mb[i]));
  EXPECT_EQ(rest.epochs[0].train_loss, straight_records[2].train_loss);
  EXPECT_EQ(rest.epochs[0].valid_loss, straight_records[2].valid_loss);
  EXPECT_EQ(rest.epochs[0].alpha_softmax, straight_records[2].alpha_softmax);
  EXPECT_EQ(rest.architecture, full.architecture);
  // The first part's records match the uninterrupted run's too.
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(part.epochs[e].alpha_softmax, straight_records[e].alpha_softmax);
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, OneShotResume, ::testing::Values("darts", "gdas"));

// A search that turns an architecture parameter into NaN during the second
// step of epoch `poison_epoch` (0-based), as a divergence in a later epoch would.
OneShotSearchOptions poisoning(OneShotSearchOptions options, OneShotOptimizer& optimizer,
                               int64_t poison_epoch, int64_t epochs) {
  const std::string label = fmt::format("search epoch {}/{}", poison_epoch + 1, epochs);
  return options.on_progress([&optimizer, label](const Progress& p) {
    if (p.label == label && p.done == 1) {
      torch::NoGradGuard no_grad;
      optimizer.supernet().arch_parameters()[0][1][2].fill_(
          std::numeric_limits<float>::quiet_NaN());
    }
  });
}

class OneShotDiverged : public ::testing::TestWithParam<std::string> {};

TEST_P(OneShotDiverged, NanInALaterEpochStopsTheSearchAndKeepsTheLastFiniteCheckpoint) {
  const std::string method = GetParam();
  const RandomImages data(96, 1, 8, 4, 21);
  const auto space = tiny_space();
  test::TempDir dir;
  const std::string ckpt = dir.file("search.ckpt");
  const auto options = OneShotSearchOptions().seed(5).checkpoint_path(ckpt);

  auto straight = make(method, 3);
  const auto full = run_one_shot_search(space, *straight, data,
                                        OneShotSearchOptions(options).checkpoint_path(""));

  auto poisoned = make(method, 3);
  std::vector<OneShotEpochRecord> records;
  test::LogCapture log;
  const auto result =
      run_one_shot_search(space, *poisoned, data, poisoning(options, *poisoned, 1, 3), nullptr,
                          [&](const OneShotEpochRecord& r) { records.push_back(r); });
  ASSERT_TRUE(result.diverged());
  const auto& d = *result.divergence;
  EXPECT_EQ(d.epoch, 1);
  EXPECT_EQ(d.step, 2);
  // DARTS' softmax makes the validation loss NaN; GDAS' sampler refuses
  // NaN parameters first.
  EXPECT_NE(d.message.find("optimizer '" + method + "' diverged at epoch 2, step 2: " +
                           (method == "darts" ? "the validation loss is nan"
                                              : "the Gumbel-softmax probabilities are not finite: "
                                                "the architecture parameters hold NaN")),
            std::string::npos)
      << d.message;
  // The diverged epoch is neither recorded nor checkpointed; the result is
  // the first epoch's architecture.
  ASSERT_EQ(records.size(), 1u);
  ASSERT_EQ(result.epochs.size(), 1u);
  EXPECT_EQ(result.completed_epochs, 1);
  EXPECT_EQ(result.architecture, records[0].architecture);
  EXPECT_FALSE(result.architecture.empty());
  EXPECT_EQ(
      log.count("one-shot search stopped: optimizer '" + method + "' diverged at epoch 2, step 2"),
      1)
      << log.text();
  EXPECT_EQ(log.count("checkpoint '" + ckpt + "' keeps the state after epoch 1"), 1) << log.text();

  // The checkpoint is epoch 1's: resuming without the poison ends exactly as
  // the uninterrupted search.
  auto resumed = make(method, 3);
  const auto rest =
      run_one_shot_search(space, *resumed, data, OneShotSearchOptions(options).resume(true));
  EXPECT_FALSE(rest.diverged());
  ASSERT_EQ(rest.epochs.size(), 2u);
  EXPECT_EQ(rest.epochs[0].epoch, 1);
  EXPECT_EQ(rest.architecture, full.architecture);
  expect_same_state(straight->supernet(), resumed->supernet());
}

TEST_P(OneShotDiverged, DivergingInTheFirstEpochLeavesNoCheckpointAndNoArchitecture) {
  const std::string method = GetParam();
  const RandomImages data(96, 1, 8, 4, 22);
  const auto space = tiny_space();
  test::TempDir dir;
  const std::string ckpt = dir.file("search.ckpt");
  auto optimizer = make(method, 3);
  test::LogCapture log;
  const auto result = run_one_shot_search(
      space, *optimizer, data,
      poisoning(OneShotSearchOptions().seed(6).checkpoint_path(ckpt), *optimizer, 0, 3));
  ASSERT_TRUE(result.diverged());
  EXPECT_EQ(result.divergence->epoch, 0);
  EXPECT_EQ(result.completed_epochs, 0);
  EXPECT_TRUE(result.epochs.empty());
  EXPECT_TRUE(result.architecture.empty());
  EXPECT_FALSE(std::filesystem::exists(ckpt));
  EXPECT_EQ(log.count("no checkpoint was written"), 1) << log.text();
  EXPECT_EQ(log.count("the result is no architecture"), 1) << log.text();
}

TEST_P(OneShotDiverged, HugeLearningRateStopsTheSearchInsteadOfReportingNanAlphas) {
  const std::string method = GetParam();
  const RandomImages data(96, 1, 8, 4, 23);
  const auto space = tiny_space();
  auto common = tiny_common(3).learning_rate(1e30).min_learning_rate(1e29);
  std::unique_ptr<OneShotOptimizer> optimizer;
  if (method == "gdas") {
    optimizer = std::make_unique<GdasOptimizer>(GdasOptions().common(common));
  } else {
    optimizer = std::make_unique<DartsOptimizer>(DartsOptions().common(common));
  }
  std::vector<OneShotEpochRecord> records;
  const auto result =
      run_one_shot_search(space, *optimizer, data, OneShotSearchOptions().seed(7), nullptr,
                          [&](const OneShotEpochRecord& r) { records.push_back(r); });
  ASSERT_TRUE(result.diverged());
  EXPECT_LT(result.completed_epochs, 3);
  EXPECT_EQ(records.size(), static_cast<size_t>(result.completed_epochs));
  for (const auto& r : records) {
    for (const auto& rows : r.alpha_softmax) {
      for (const auto& row : rows) {
        for (double p : row) EXPECT_TRUE(std::isfinite(p));
      }
    }
  }
}

TEST_P(OneShotDiverged, ResumingFromACheckpointWithNonFiniteStateIsADataError) {
  // Searches before divergence detection checkpointed NaN state; here a
  // callback poisons the state just before the checkpoint is written.
  const std::string method = GetParam();
  const RandomImages data(64, 1, 8, 4, 24);
  const auto space = tiny_space();
  test::TempDir dir;
  const std::string ckpt = dir.file("search.ckpt");
  auto first = make(method, 2);
  run_one_shot_search(
      space, *first, data,
      OneShotSearchOptions().seed(8).checkpoint_path(ckpt).max_epochs_per_call(1), nullptr,
      [&](const OneShotEpochRecord&) {
        torch::NoGradGuard no_grad;
        first->supernet().arch_parameters()[0].fill_(std::numeric_limits<float>::infinity());
      });
  ASSERT_TRUE(std::filesystem::exists(ckpt));
  auto second = make(method, 2);
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *second, data,
                          OneShotSearchOptions().seed(8).checkpoint_path(ckpt).resume(true)),
      DataError, "checkpoint '" + ckpt + "' holds non-finite architecture parameters");
}

INSTANTIATE_TEST_SUITE_P(Methods, OneShotDiverged, ::testing::Values("darts", "gdas"));

TEST(OneShotSearch, RecordsEveryEpochWithItsDerivedArchitecture) {
  const RandomImages data(64, 1, 8, 4, 12);
  const auto space = tiny_space();
  auto darts = make("darts", 2);
  std::vector<OneShotEpochRecord> records;
  const auto result =
      run_one_shot_search(space, *darts, data, OneShotSearchOptions().seed(1), nullptr,
                          [&](const OneShotEpochRecord& r) { records.push_back(r); });
  ASSERT_EQ(records.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(records[e].epoch, static_cast<int64_t>(e));
    EXPECT_GT(records[e].train_loss, 0.0);
    EXPECT_EQ(records[e].architecture_text, space.format(records[e].architecture));
    ASSERT_EQ(records[e].alpha_softmax.size(), 1u);
    ASSERT_EQ(records[e].alpha_softmax[0].size(), 6u);
    double sum = 0.0;
    for (double p : records[e].alpha_softmax[0][0]) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-9);
    EXPECT_FALSE(records[e].benchmark_value.has_value());
  }
  EXPECT_DOUBLE_EQ(records[0].learning_rate, 0.025);
  EXPECT_EQ(result.architecture, records[1].architecture);
  EXPECT_EQ(result.architecture, darts->supernet().derive());
}

TEST(OneShotSearch, LooksUpEachEpochsArchitectureInTheBenchmark) {
  NASCPP_REQUIRE_DATA_DIR();
  const auto bench = NasBench201Benchmark::load_shared(test::data_dir());
  const RandomImages data(64, 3, 8, 10, 13);
  const auto space = tiny_space();
  auto gdas = make("gdas", 2);
  const auto result =
      run_one_shot_search(space, *gdas, data, OneShotSearchOptions().seed(2), bench.get());
  ASSERT_EQ(result.epochs.size(), 2u);
  for (const auto& r : result.epochs) {
    const auto expected = bench->query(r.architecture, "valid_acc", "cifar10-valid");
    ASSERT_TRUE(r.benchmark_value.has_value());
    ASSERT_TRUE(expected.has_value());
    EXPECT_DOUBLE_EQ(*r.benchmark_value, *expected);
  }
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *gdas, data,
                          OneShotSearchOptions().benchmark_metric("valid_accuracy"), bench.get()),
      ConfigError, "valid_accuracy");
}

TEST(OneShotSearch, CorruptOrForeignCheckpointsAreErrorsNamingTheFile) {
  const RandomImages data(48, 1, 8, 3, 14);
  const auto space = tiny_space();
  test::TempDir dir;
  const std::string ckpt = dir.file("search.ckpt");
  write_file_atomic(ckpt, "this is not a checkpoint");
  auto darts = make("darts", 2);
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *darts, data,
                          OneShotSearchOptions().checkpoint_path(ckpt).resume(true)),
      DataError, "checkpoint '" + ckpt + "'");

  // A valid checkpoint of another seed, and one of another method.
  auto first = make("darts", 2);
  run_one_shot_search(space, *first, data,
                      OneShotSearchOptions().seed(1).checkpoint_path(ckpt).max_epochs_per_call(1));
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *darts, data,
                          OneShotSearchOptions().seed(2).checkpoint_path(ckpt).resume(true)),
      DataError, "seed 1, this one has seed 2");
  auto gdas = make("gdas", 2);
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *gdas, data,
                          OneShotSearchOptions().seed(1).checkpoint_path(ckpt).resume(true)),
      DataError, "written by optimizer 'darts', not 'gdas'");

  // A truncated file.
  const std::string bytes = read_file(ckpt);
  write_file_atomic(ckpt, bytes.substr(0, bytes.size() / 2));
  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *darts, data,
                          OneShotSearchOptions().seed(1).checkpoint_path(ckpt).resume(true)),
      DataError, "checkpoint '" + ckpt + "'");

  NASCPP_EXPECT_THROW_WITH(
      run_one_shot_search(space, *darts, data, OneShotSearchOptions().resume(true)), ConfigError,
      "resume needs a checkpoint_path");
}

}  // namespace
}  // namespace nascpp

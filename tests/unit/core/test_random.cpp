#include "nascpp/core/random.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <thread>

#include "nascpp/core/device.h"
#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Random, SameSeedSameDraws) {
  Rng a(42), b(42), c(43);
  std::vector<int64_t> da, db, dc;
  for (int i = 0; i < 100; ++i) {
    da.push_back(a.uniform_int(0, 1000));
    db.push_back(b.uniform_int(0, 1000));
    dc.push_back(c.uniform_int(0, 1000));
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
}

TEST(Random, StateRoundTrip) {
  Rng a(7);
  for (int i = 0; i < 10; ++i) a.uniform();
  const std::string state = a.state();
  Rng b(0);
  b.set_state(state);
  EXPECT_EQ(b.seed(), 7u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.uniform_int(0, 1 << 30), b.uniform_int(0, 1 << 30));
  NASCPP_EXPECT_THROW_WITH(b.set_state("garbage"), DataError, "malformed random generator state");
}

TEST(Random, RangesAreChecked) {
  Rng rng(1);
  NASCPP_EXPECT_THROW_WITH(rng.uniform_int(3, 2), Error, "empty integer range [3, 2]");
  for (int i = 0; i < 1000; ++i) {
    const auto v = rng.uniform_int(-2, 2);
    EXPECT_GE(v, -2);
    EXPECT_LE(v, 2);
  }
}

TEST(Random, TorchSeedGivesBitIdenticalTensors) {
  seed_torch(123);
  auto a = torch::randn({64});
  seed_torch(123);
  auto b = torch::randn({64});
  EXPECT_TRUE(torch::equal(a, b));
}

TEST(Device, CpuAndAutoParse) {
  EXPECT_EQ(parse_device("cpu"), torch::Device(torch::kCPU));
  const auto d = parse_device("auto");
  EXPECT_EQ(d.is_cuda(), torch::cuda::is_available());
  NASCPP_EXPECT_THROW_WITH(parse_device("gpu"), ConfigError,
                           "unknown device 'gpu'; did you mean 'cpu'?; known: auto, cpu, cuda");
  NASCPP_EXPECT_THROW_WITH(parse_device("cuda:x"), ConfigError, "invalid device 'cuda:x'");
  if (!torch::cuda::is_available()) {
    NASCPP_EXPECT_THROW_WITH(parse_device("cuda"), ConfigError, "CUDA is not available");
  }
}

TEST(Device, ThreadCountIsSetDeliberately) {
  const int before = torch::get_num_threads();
  EXPECT_EQ(set_num_threads(1), 1);
  EXPECT_EQ(torch::get_num_threads(), 1);
  EXPECT_GE(set_num_threads(0), 1);
  NASCPP_EXPECT_THROW_WITH(set_num_threads(-1), ConfigError, "invalid thread count -1");
  torch::set_num_threads(before);
}

TEST(Device, ThreadCountResolvesWithoutSettingIt) {
  const int before = torch::get_num_threads();
  EXPECT_EQ(resolve_num_threads(3), 3);
  EXPECT_EQ(resolve_num_threads(0),
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(torch::get_num_threads(), before);
  NASCPP_EXPECT_THROW_WITH(resolve_num_threads(kMaxThreads + 1), ConfigError,
                           "invalid thread count 1025");
}

}  // namespace
}  // namespace nascpp

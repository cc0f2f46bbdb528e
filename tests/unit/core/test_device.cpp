#include "nascpp/core/device.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Device, DeviceNamesAreCheckedBeforeTheyAreRead) {
  EXPECT_EQ(parse_device("cpu"), torch::Device(torch::kCPU));
  // std::stoi threw std::out_of_range for an index of more than 9 digits.
  NASCPP_EXPECT_THROW_WITH(parse_device("cuda:99999999999"), ConfigError,
                           "invalid device 'cuda:99999999999'; valid: cpu, cuda, cuda:N, auto");
  // "cuda:" named no device and was read as "cuda".
  NASCPP_EXPECT_THROW_WITH(parse_device("cuda:"), ConfigError, "invalid device 'cuda:'");
  NASCPP_EXPECT_THROW_WITH(parse_device("cuda:x1"), ConfigError, "invalid device 'cuda:x1'");
  NASCPP_EXPECT_THROW_WITH(parse_device("tpu"), ConfigError, "unknown device 'tpu'");
}

TEST(Device, ThreadCountsOutsideTheRangeAreErrors) {
  NASCPP_EXPECT_THROW_WITH(set_num_threads(-1), ConfigError,
                           "invalid thread count -1; use 0 for all cores or a number up to 1024");
  NASCPP_EXPECT_THROW_WITH(set_num_threads(kMaxThreads + 1), ConfigError,
                           "invalid thread count 1025");
  const int before = torch::get_num_threads();
  EXPECT_EQ(set_num_threads(1), 1);
  set_num_threads(before);
}

}  // namespace
}  // namespace nascpp

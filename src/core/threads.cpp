#include <algorithm>
#include <thread>

#include "nascpp/core/device.h"
#include "nascpp/core/error.h"

namespace nascpp {

int resolve_num_threads(int threads) {
  NASCPP_CHECK_CONFIG(threads >= 0 && threads <= kMaxThreads,
                      "invalid thread count {}; use 0 for all cores or a number up to {}", threads,
                      kMaxThreads);
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace nascpp

#include "nascpp/core/memory.h"

#include <algorithm>
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "nascpp/core/error.h"
#include "nascpp/core/log.h"

namespace nascpp {

void AllocatorOptions::validate() const {
  NASCPP_CHECK_CONFIG(mmap_threshold_mb() >= 0 && mmap_threshold_mb() <= 32,
                      "mmap_threshold_mb must be in [0, 32] (glibc's maximum), got {}",
                      mmap_threshold_mb());
  NASCPP_CHECK_CONFIG(trim_threshold_mb() >= 0, "trim_threshold_mb must be >= 0, got {}",
                      trim_threshold_mb());
  NASCPP_CHECK_CONFIG(top_pad_mb() >= 0, "top_pad_mb must be >= 0, got {}", top_pad_mb());
}

bool tune_allocator(const AllocatorOptions& options) {
  options.validate();
#if defined(__GLIBC__)
  constexpr int64_t kMiB = 1024 * 1024;
  const auto set = [](const char* env, int param, int64_t bytes, const char* name) {
    if (std::getenv(env) != nullptr) return;  // the user's setting wins
    // mallopt takes an int: clamp (a 2 GiB - 1 trim threshold is as good as more).
    const int value = static_cast<int>(std::min<int64_t>(bytes, 0x7fffffff));
    if (mallopt(param, value) != 1) {
      logger()->warn("mallopt({}, {}) was refused; the allocator keeps its default", name, value);
    }
  };
  // Setting any of these also switches off glibc's dynamic mmap threshold.
  set("MALLOC_MMAP_THRESHOLD_", M_MMAP_THRESHOLD, options.mmap_threshold_mb() * kMiB,
      "M_MMAP_THRESHOLD");
  set("MALLOC_TRIM_THRESHOLD_", M_TRIM_THRESHOLD, options.trim_threshold_mb() * kMiB,
      "M_TRIM_THRESHOLD");
  set("MALLOC_TOP_PAD_", M_TOP_PAD, options.top_pad_mb() * kMiB, "M_TOP_PAD");
  return true;
#else
  return false;
#endif
}

}  // namespace nascpp

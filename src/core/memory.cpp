#include "nascpp/core/memory.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

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

namespace {

// The address space mapped now (/proc/self/statm: size in pages); 0 if unknown.
uint64_t mapped_bytes() {
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0;
  if (!(in >> pages)) return 0;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

MemoryBudget memory_budget() {
  MemoryBudget out;
  const auto consider = [&out](uint64_t bytes, const char* source) {
    if (out.source.empty() || bytes < out.bytes) out = {bytes, source};
  };
  const long pages = sysconf(_SC_PHYS_PAGES);
  if (pages > 0) {
    consider(static_cast<uint64_t>(pages) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)),
             "physical memory");
  }
  // cgroup v2 (containers): "max" or a number of bytes.
  std::ifstream cgroup("/sys/fs/cgroup/memory.max");
  uint64_t cgroup_max = 0;
  if (cgroup >> cgroup_max) consider(cgroup_max, "the cgroup memory limit");
  const uint64_t mapped = mapped_bytes();
  const auto left = [mapped](uint64_t limit) { return limit > mapped ? limit - mapped : 0; };
  struct rlimit limit {};
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    consider(left(limit.rlim_cur), "what the virtual-memory limit (ulimit -v) leaves");
  }
  if (out.source.empty()) out = {UINT64_MAX, "no known limit"};
  return out;
}

}  // namespace nascpp

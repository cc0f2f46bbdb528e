#include "nascpp/core/memory.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "support/test_support.h"

namespace nascpp {
namespace {

TEST(Allocator, OptionsAreValidated) {
  NASCPP_EXPECT_THROW_WITH(tune_allocator(AllocatorOptions().mmap_threshold_mb(64)), ConfigError,
                           "mmap_threshold_mb must be in [0, 32] (glibc's maximum), got 64");
  NASCPP_EXPECT_THROW_WITH(tune_allocator(AllocatorOptions().top_pad_mb(-1)), ConfigError,
                           "top_pad_mb must be >= 0, got -1");
}

TEST(Allocator, LargeBlocksComeFromTheHeapAfterTuning) {
#if !defined(__GLIBC__) || defined(NASCPP_TEST_ASAN)
  GTEST_SKIP() << "glibc's allocator only (AddressSanitizer replaces it)";
#else
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) {
    GTEST_SKIP() << "MALLOC_MMAP_THRESHOLD_ is set: the environment wins";
  }
  ASSERT_TRUE(tune_allocator());
  // A 16 MiB block is above glibc's default mmap threshold (128 KiB, growing
  // to at most 32 MiB only after such blocks are freed): tuned, it is carved
  // from the heap and no mapping is made for it.
  const size_t mapped_before = mallinfo2().hblkhd;
  void* block = std::malloc(16 << 20);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, 16 << 20);
  EXPECT_EQ(mallinfo2().hblkhd, mapped_before);
  std::free(block);

  // 128 MiB freed at the heap top stays in the process (glibc's dynamic trim
  // threshold is at most 64 MiB: untuned, it would be handed back).
  std::vector<void*> blocks;
  for (int i = 0; i < 128; ++i) {
    blocks.push_back(std::malloc(1 << 20));
    std::memset(blocks.back(), 1, 1 << 20);
  }
  const size_t peak_arena = mallinfo2().arena;
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) std::free(*it);
  EXPECT_GE(mallinfo2().arena, peak_arena);
#endif
}

TEST(MemoryBudget, TheLeastOfPhysicalMemoryAndTheLimits) {
  const MemoryBudget unlimited = memory_budget();
  EXPECT_GT(unlimited.bytes, 0u);
  const auto physical =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  EXPECT_LE(unlimited.bytes, physical);
  // A virtual-memory limit 256 MiB above what is mapped now leaves at most that.
  struct rlimit saved {};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &saved), 0);
  uint64_t pages = 0;
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  ASSERT_NE(statm, nullptr);
  ASSERT_EQ(std::fscanf(statm, "%lu", &pages), 1);
  std::fclose(statm);
  const uint64_t mapped = pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t room = uint64_t{256} << 20;
  struct rlimit lowered = saved;
  lowered.rlim_cur = mapped + room;
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < lowered.rlim_cur) {
    GTEST_SKIP() << "the hard limit is lower";
  }
  ASSERT_EQ(setrlimit(RLIMIT_AS, &lowered), 0);
  const MemoryBudget limited = memory_budget();
  ASSERT_EQ(setrlimit(RLIMIT_AS, &saved), 0);
  EXPECT_LE(limited.bytes, room);
  EXPECT_EQ(limited.source, "what the virtual-memory limit (ulimit -v) leaves");
}

}  // namespace
}  // namespace nascpp

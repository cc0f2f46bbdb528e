#include "nascpp/core/memory.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "support/test_support.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NASCPP_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NASCPP_TEST_ASAN 1
#endif

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

}  // namespace
}  // namespace nascpp

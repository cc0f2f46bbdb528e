#pragma once
/// The C allocator's settings for training loops.
///
/// A search or training step allocates and frees tensors of tens of
/// megabytes. With glibc's defaults, blocks above the (dynamic) mmap
/// threshold are mapped fresh for every allocation and unmapped when freed,
/// and the heap top is trimmed back to the system: every step then pays the
/// page faults of touching new memory again (20-25% system time in the
/// one-shot search step on a virtual machine; docs/performance.md).
/// `tune_allocator` keeps freed memory in the process instead; the peak
/// resident memory is the same, the memory just is not handed back between
/// steps. The nascpp program and the bench programs call it at start-up;
/// library users decide for their own process.
///
///     nascpp::tune_allocator();                       // the defaults below
///     nascpp::tune_allocator(nascpp::AllocatorOptions().trim_threshold_mb(4096));

#include <cstdint>
#include <string>

#include "nascpp/core/options.h"

namespace nascpp {

struct AllocatorOptions {
  /// ConfigError for negative sizes or an mmap threshold above 32 MiB.
  void validate() const;

  /// Blocks up to this size come from the heap, not from their own mapping
  /// (glibc's M_MMAP_THRESHOLD; its maximum is 32 MiB on 64-bit systems).
  NASCPP_ARG(int64_t, mmap_threshold_mb) = 32;
  /// Free memory at the heap top that is kept rather than returned to the
  /// system (M_TRIM_THRESHOLD).
  NASCPP_ARG(int64_t, trim_threshold_mb) = 1024;
  /// Extra memory requested whenever the heap grows (M_TOP_PAD).
  NASCPP_ARG(int64_t, top_pad_mb) = 256;
};

/// Applies `options` with glibc's mallopt. The environment wins: a setting
/// that MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or MALLOC_TOP_PAD_
/// already gives is left alone. Returns false where the C library is not
/// glibc (nothing is changed).
bool tune_allocator(const AllocatorOptions& options = AllocatorOptions());

/// The memory this process can still allocate at most, in bytes: the least
/// of physical memory, the cgroup (v2) memory limit and what the
/// virtual-memory limit (ulimit -v) leaves, with the name of the one that
/// binds ("physical memory", ...). An upper bound: other processes may use
/// some of it.
struct MemoryBudget {
  uint64_t bytes = 0;
  std::string source;
};
MemoryBudget memory_budget();

}  // namespace nascpp

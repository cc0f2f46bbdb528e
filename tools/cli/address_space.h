#pragma once
// The nascpp program under a virtual-memory limit (RLIMIT_AS, `ulimit -v`);
// see address_space.cpp. Start-up is checked before any library initialises
// (an ELF pre-initialiser in that file): nothing to call for that.

#include <cstdint>

namespace nascpp::cli {

/// The soft RLIMIT_AS and the address space mapped now, in bytes; limit 0
/// when there is no limit.
struct AddressSpace {
  uint64_t limit = 0;
  uint64_t used = 0;
};
AddressSpace address_space();

/// Under a limit, and where LibTorch's BLAS is OpenBLAS: has OpenBLAS map the
/// buffers that BLAS calls on `threads` threads use, now, so that no later
/// call retries a failed mapping forever. Throws nascpp::Error naming the
/// limit when they do not fit. Without a limit it does nothing.
void reserve_blas_buffers(int threads);

}  // namespace nascpp::cli

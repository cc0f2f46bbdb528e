// Start-up under a virtual-memory limit (RLIMIT_AS, `ulimit -v`).
//
// OpenBLAS (Debian's libopenblas0-openmp 0.3.21, which LibTorch calls for
// BLAS) maps a 128 MiB buffer per thread in its library initialiser, before
// main(), and blas_memory_alloc retries a failed mapping forever: under a
// tight limit the program spun at 100% CPU before it could print anything.
// Slightly higher limits failed elsewhere before main (LibTorch's operator
// registration throwing std::bad_alloc: an abort) or hung in main (LibTorch's
// thread pool waiting for threads that could not be created). The check below
// runs from the executable's .preinit_array, which the dynamic loader calls
// before the initialiser of any shared library: it estimates what start-up
// needs and exits with a message when the limit is lower. Later, the commands
// that compute (evaluate, describe, run) have OpenBLAS map every buffer they
// can use up front (reserve_blas_buffers), so that no BLAS call can spin on a
// failed mapping mid-run: a later shortage is an ordinary allocation error.
// docs/robustness.md has the measurements.
#include <dlfcn.h>
#include <link.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "address_space.h"
#include "nascpp/core/error.h"

namespace nascpp::cli {

namespace {

constexpr uint64_t kMiB = 1024 * 1024;
// One OpenBLAS buffer: BUFFER_SIZE (128 MiB on x86-64) plus a guard page
// (seen with strace: mmap(NULL, 134217728, ...) per thread).
constexpr uint64_t kBlasBuffer = 128 * kMiB + 8192;
// What LibTorch's initialisers and main() take besides the OpenBLAS
// buffers and the thread stacks (measured: `nascpp list` starts from about
// 52 MiB above the mapped libraries plus those), with room to spare.
constexpr uint64_t kStartupReserve = 96 * kMiB;
// Room left for a command's own work after the OpenBLAS buffers are mapped.
constexpr uint64_t kWorkReserve = 64 * kMiB;

bool openblas_found = false;

int find_openblas(struct dl_phdr_info* info, size_t, void*) {
  if (info->dlpi_name != nullptr && std::strstr(info->dlpi_name, "libopenblas") != nullptr) {
    openblas_found = true;
  }
  return 0;
}

uint64_t parse_count(const char* text) {
  if (text == nullptr) return 0;
  char* end = nullptr;
  const unsigned long long n = std::strtoull(text, &end, 10);
  return end == text ? 0 : n;
}

uint64_t cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<uint64_t>(n);
  }
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<uint64_t>(n) : 1;
}

uint64_t thread_stack_bytes() {
  struct rlimit stack {};
  if (getrlimit(RLIMIT_STACK, &stack) != 0 || stack.rlim_cur == RLIM_INFINITY) return 8 * kMiB;
  return stack.rlim_cur;
}

// Threads OpenBLAS's OpenMP build starts with: OMP_NUM_THREADS, at most the
// CPUs (OPENBLAS_NUM_THREADS does not change its start-up buffers).
uint64_t openblas_threads() {
  const uint64_t cpus = cpu_count();
  const uint64_t env = parse_count(std::getenv("OMP_NUM_THREADS"));
  return env > 0 && env < cpus ? env : cpus;
}

// The LibTorch threads main() sets: --threads N before the command, 0 or
// absent for all cores.
uint64_t libtorch_threads(int argc, char** argv) {
  uint64_t n = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc) n = parse_count(argv[i + 1]);
    if (std::strncmp(argv[i], "--threads=", 10) == 0) n = parse_count(argv[i] + 10);
    if (argv[i][0] != '-' && (i == 1 || std::strcmp(argv[i - 1], "--threads") != 0)) break;
  }
  return n > 0 ? n : cpu_count();
}

void check_address_space_at_startup(int argc, char** argv, char**) {
  const AddressSpace space = address_space();
  if (space.limit == 0) return;
  dl_iterate_phdr(find_openblas, nullptr);
  const uint64_t blas = openblas_found ? openblas_threads() * kBlasBuffer : 0;
  const uint64_t need =
      space.used + blas + libtorch_threads(argc, argv) * thread_stack_bytes() + kStartupReserve;
  if (space.limit >= need) return;
  char message[1024];
  const int n = std::snprintf(
      message, sizeof(message),
      "nascpp: error: the virtual-memory limit (ulimit -v %llu KiB) is too small to start: "
      "about %llu KiB are needed (%llu KiB of mapped libraries, %llu KiB of OpenBLAS "
      "buffers, 128 MiB per OpenMP thread; below that OpenBLAS retries its allocation "
      "forever). Raise the limit (ulimit -v unlimited, or at least %llu; training needs "
      "more) or set OMP_NUM_THREADS=1\n",
      static_cast<unsigned long long>(space.limit / 1024),
      static_cast<unsigned long long>(need / 1024),
      static_cast<unsigned long long>(space.used / 1024),
      static_cast<unsigned long long>(blas / 1024), static_cast<unsigned long long>(need / 1024));
  if (n > 0) {
    const ssize_t ignored = write(2, message, static_cast<size_t>(n));
    (void)ignored;
  }
  _exit(1);
}

}  // namespace

AddressSpace address_space() {
  AddressSpace out;
  struct rlimit limit {};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return out;
  out.limit = limit.rlim_cur;
  // /proc/self/statm: the first field is the mapped size in pages.
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long long pages = 0;
    if (std::fscanf(f, "%llu", &pages) == 1) {
      out.used = pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    }
    std::fclose(f);
  }
  return out;
}

void reserve_blas_buffers(int threads) {
  const AddressSpace space = address_space();
  if (space.limit == 0) return;  // no limit: nothing can make the mapping fail
  using Alloc = void* (*)(int);
  using Free = void (*)(void*);
  using SetThreads = void (*)(int);
  const auto alloc = reinterpret_cast<Alloc>(dlsym(RTLD_DEFAULT, "blas_memory_alloc"));
  const auto release = reinterpret_cast<Free>(dlsym(RTLD_DEFAULT, "blas_memory_free"));
  const auto set_threads =
      reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "goto_set_num_threads"));
  if (alloc == nullptr || release == nullptr || set_threads == nullptr) return;  // not OpenBLAS
  const auto n = static_cast<uint64_t>(threads > 0 ? threads : 1);
  // Per-thread buffers for `threads` workers (OpenBLAS grows them on the
  // first call with more threads) and one buffer per concurrent caller.
  const uint64_t started = openblas_threads();
  const uint64_t need = ((n > started ? n - started : 0) + n) * kBlasBuffer + kWorkReserve;
  const uint64_t left = space.limit > space.used ? space.limit - space.used : 0;
  NASCPP_CHECK(left >= need,
               "the virtual-memory limit (ulimit -v {} KiB) leaves {} KiB, and OpenBLAS needs "
               "about {} KiB for {} thread(s) (128 MiB per thread; it would retry forever "
               "without them): raise the limit or use fewer threads (--threads 1, "
               "OMP_NUM_THREADS=1)",
               space.limit / 1024, left / 1024, need / 1024, n);
  set_threads(static_cast<int>(n));
  // Taken and given back: the buffers stay mapped in OpenBLAS's pool.
  void* buffers[1024];
  const uint64_t count = n < 1024 ? n : 1024;
  for (uint64_t i = 0; i < count; ++i) buffers[i] = alloc(0);
  for (uint64_t i = 0; i < count; ++i) release(buffers[i]);
}

// Called by the dynamic loader before any shared library's initialiser
// (ELF .preinit_array; executables only).
__attribute__((section(".preinit_array"),
               used)) void (*preinit_check)(int, char**, char**) = &check_address_space_at_startup;

}  // namespace nascpp::cli

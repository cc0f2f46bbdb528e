#!/usr/bin/env bash
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer:
# builds nascpp, its tests and the fuzz programs with clang into
# ${NASCPP_SANITIZE_BUILD:-build-sanitize} (-O1, line tables, every report
# fatal) and runs ctest there. Arguments go to ctest (e.g. -R shard0);
# `--build TARGET` only builds TARGET there (scripts/fuzz.sh: fuzzers).
# Takes about 35 minutes to build on 2 cores the first time; docs/robustness.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_only=()
if [ "${1:-}" = "--build" ]; then
  build_only=(--target "$2")
  shift 2
fi
"$root/scripts/setup.sh" clang libclang-rt-dev
export NASCPP_BUILD_DIR="${NASCPP_SANITIZE_BUILD:-$root/build-sanitize}"
"$root/scripts/build.sh" -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS_RELEASE="-O1 -gline-tables-only -DNDEBUG" \
  -DNASCPP_SANITIZE=address,undefined -DNASCPP_BUILD_FUZZERS=ON \
  -DNASCPP_BUILD_TESTS=ON -DNASCPP_BUILD_EXAMPLES=ON -DNASCPP_BUILD_BENCH=OFF \
  -DNASCPP_WARNINGS_AS_ERRORS=ON "${build_only[@]}"
[ ${#build_only[@]} -gt 0 ] && exit 0
if [ -z "${NASCPP_DATA:-}" ] && [ -d "$root/../shared/data" ]; then
  export NASCPP_DATA="$(cd "$root/../shared/data" && pwd)"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:abort_on_error=1:suppressions=$root/tests/sanitizers/asan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/sanitizers/ubsan.supp}"
cd "$NASCPP_BUILD_DIR"
ctest --output-on-failure -j "${NASCPP_JOBS:-$(nproc)}" "$@"

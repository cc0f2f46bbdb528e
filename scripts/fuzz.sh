#!/usr/bin/env bash
# Fuzzes every parser of untrusted input (tests/fuzz/fuzz_targets.h) with
# libFuzzer for a bounded time per target, under ASan and UBSan.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, all)
#
# Builds the fuzz programs in the sanitizer build (scripts/sanitize.sh).
# The corpus grows in BUILD/fuzz-corpus/<target> (seeded from the target's
# seed inputs and tests/fuzz/regressions/<target>); an input that crashes,
# leaks, trips a sanitizer, throws anything but a nascpp::Error or breaks a
# round trip lands in BUILD/fuzz-findings/<target>/ and the script exits 1.
# Fix the bug, then keep the input as a regression test:
#   cp BUILD/fuzz-findings/<target>/crash-... tests/fuzz/regressions/<target>/
# (the GoogleTest suite runs every file there). docs/robustness.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
[ $# -gt 0 ] && shift
case "$seconds" in
  ''|*[!0-9]*) echo "fuzz.sh: SECONDS_PER_TARGET must be a whole number of seconds, not '$seconds'" >&2; exit 2 ;;
esac
build="${NASCPP_SANITIZE_BUILD:-$root/build-sanitize}"
all=(nb201_arch nb101_arch darts_genotype graph_space graph_arch seed_list experiment_config csv nb201_tables nb101_tables)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  if [[ ! " ${all[*]} " == *" $t "* ]]; then
    echo "fuzz.sh: unknown target '$t'; valid choices: ${all[*]}" >&2
    exit 2
  fi
done

NASCPP_SANITIZE_BUILD="$build" "$root/scripts/sanitize.sh" --build fuzzers
if [ -z "${NASCPP_DATA:-}" ] && [ -d "$root/../shared/data" ]; then
  export NASCPP_DATA="$(cd "$root/../shared/data" && pwd)"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_stack_use_after_return=1:suppressions=$root/tests/sanitizers/asan.supp}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/sanitizers/ubsan.supp}"

failed=()
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  findings="$build/fuzz-findings/$t"
  regressions="$root/tests/fuzz/regressions/$t"
  mkdir -p "$corpus" "$findings" "$regressions"
  NASCPP_FUZZ_WRITE_SEEDS="$corpus" "$build/tests/fuzz_$t" >/dev/null
  echo "== fuzz_$t: ${seconds} s"
  # Inputs up to 64 KiB (the table seeds are a few KiB); 30 s per input at
  # most; the table targets read real benchmark files beside the input.
  if "$build/tests/fuzz_$t" "$corpus" "$regressions" -max_total_time="$seconds" \
      -max_len=65536 -timeout=30 -rss_limit_mb=8192 -print_final_stats=1 \
      -artifact_prefix="$findings/" > "$build/fuzz-$t.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build/fuzz-$t.log" | tr '\n' ' '
    echo "(corpus: $(ls "$corpus" | wc -l) inputs)"
  else
    echo "fuzz_$t FOUND A BUG: $(ls "$findings")" >&2
    grep -E "ERROR|==ERROR|terminate|what\(\)|SUMMARY" "$build/fuzz-$t.log" | head -5 >&2 || true
    echo "log: $build/fuzz-$t.log" >&2
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found bugs in: ${failed[*]} (inputs under $build/fuzz-findings)" >&2
  exit 1
fi
echo "no findings in ${#targets[@]} targets x ${seconds} s"

#!/usr/bin/env bash
# The checks a GPU machine is lent for (docs/gpu.md), in one run: build against
# the CUDA LibTorch of the installed PyTorch 2.x into ${NASCPP_BUILD_DIR:-build-cuda},
# run the CUDA tests (Cuda.*), the one-shot step benchmark on CUDA, then the
# whole suite. Logs go to ${OUT:-gpu-check}/. Benchmark data: $NASCPP_DATA, else
# .data/ in the tree (copy ../shared/data there: the device run carries only
# the tree), else ../shared/data.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${OUT:-$root/gpu-check}"
mkdir -p "$out"
prefix="$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')"
export NASCPP_BUILD_DIR="${NASCPP_BUILD_DIR:-$root/build-cuda}"
export NASCPP_JOBS="${NASCPP_JOBS:-$(nproc)}"
if [ -z "${NASCPP_DATA:-}" ]; then
  for d in "$root/.data" "$root/../shared/data"; do
    if [ -d "$d" ]; then export NASCPP_DATA="$(cd "$d" && pwd)"; break; fi
  done
fi
{
  nvidia-smi || true
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
} > "$out/machine.txt" 2>&1
"$root/scripts/build.sh" -DCMAKE_PREFIX_PATH="$prefix" -DNASCPP_BUILD_BENCH=ON \
  -DNASCPP_WARNINGS_AS_ERRORS=ON > "$out/build.log" 2>&1 || { tail -40 "$out/build.log"; exit 1; }
status=0
"$NASCPP_BUILD_DIR/tests/nascpp_tests" --gtest_filter='Cuda.*' > "$out/cuda_tests.log" 2>&1 || status=1
tail -5 "$out/cuda_tests.log"
for method in darts gdas; do
  "$NASCPP_BUILD_DIR/bench/bench_one_shot" --method "$method" --device cuda --steps 20 \
    >> "$out/bench_one_shot_cuda.txt" 2>&1 || status=1
done
cat "$out/bench_one_shot_cuda.txt"
(cd "$NASCPP_BUILD_DIR" && ctest -j "$NASCPP_JOBS" --output-on-failure) > "$out/ctest.log" 2>&1 || status=1
tail -15 "$out/ctest.log"
exit $status

#!/usr/bin/env bash
# Configures and builds nascpp into ${NASCPP_BUILD_DIR:-build} (Release).
# Arguments: cmake configure options (-D...), then optionally `--target NAME`.
# Re-running only rebuilds what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${NASCPP_BUILD_DIR:-$root/build}"
jobs="${NASCPP_JOBS:-$(nproc)}"
configure=()
target=()
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target=(--target "$2"); shift 2 ;;
    *) configure+=("$1"); shift ;;
  esac
done
if [ ! -f "$build/CMakeCache.txt" ] || [ ${#configure[@]} -gt 0 ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${configure[@]}" >/dev/null
fi
cmake --build "$build" -j "$jobs" "${target[@]}"

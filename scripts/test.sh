#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as
# errors, runs every test (unit, integration, package consumer). Exits non-zero
# on any failure. Benchmark data: $NASCPP_DATA, else ../shared/data.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
export NASCPP_BUILD_DIR="${NASCPP_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DNASCPP_WARNINGS_AS_ERRORS=ON -DNASCPP_BUILD_TESTS=ON
if [ -z "${NASCPP_DATA:-}" ] && [ -d "$root/../shared/data" ]; then
  export NASCPP_DATA="$(cd "$root/../shared/data" && pwd)"
fi
cd "$NASCPP_BUILD_DIR"
ctest --output-on-failure -j "${NASCPP_JOBS:-$(nproc)}" "$@"

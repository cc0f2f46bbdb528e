#!/usr/bin/env bash
# The main job: installs what is missing, builds the nascpp program, and runs
# the default experiment, examples/configs/main.yaml:
#   1. a GDAS search in the NAS-Bench-201 space on Fashion-MNIST (from the
#      Debian package), with each epoch's cell looked up in the NAS-Bench-201
#      table when the data is there ($NASCPP_DATA, else ../shared/data);
#   2. the found cell trained from scratch on Fashion-MNIST and tested;
#   3. a summary: the cell, its test accuracy, its NAS-Bench-201 accuracies.
# The run directory (results, manifest, checkpoints, log) is runs/main-<time>.
# Extra arguments go to `nascpp run` (e.g. --set final.train.epochs=1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
export NASCPP_BUILD_DIR="${NASCPP_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DNASCPP_WARNINGS_AS_ERRORS=ON -DNASCPP_BUILD_TESTS=ON --target nascpp_cli

if [ -z "${NASCPP_DATA:-}" ] && [ -d "$root/../shared/data" ]; then
  export NASCPP_DATA="$(cd "$root/../shared/data" && pwd)"
fi
if [ -z "${NASCPP_DATA:-}" ]; then
  echo "== no NAS-Bench-201 data (set NASCPP_DATA): the benchmark look-ups are skipped"
fi
out="$root/runs/main-$(date +%Y%m%d-%H%M%S)"
cd "$root"
"$NASCPP_BUILD_DIR/nascpp" run examples/configs/main.yaml --out "$out" "$@"

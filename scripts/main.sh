#!/usr/bin/env bash
# The main job: installs what is missing, builds the nascpp program, and runs
# the default experiment:
#   1. with the NAS-Bench-201 data ($NASCPP_DATA, else ../shared/data), look up
#      the best of the 15,625 cells by CIFAR-10 validation accuracy;
#   2. train that cell's network from scratch on Fashion-MNIST and report its
#      test accuracy (examples/configs/evaluate_nb201_fashion_mnist.yaml).
# Extra arguments go to `nascpp evaluate` (e.g. --set train.epochs=1).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
export NASCPP_BUILD_DIR="${NASCPP_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh" -DNASCPP_WARNINGS_AS_ERRORS=ON -DNASCPP_BUILD_TESTS=ON --target nascpp_cli
nascpp="$NASCPP_BUILD_DIR/nascpp"
config="$root/examples/configs/evaluate_nb201_fashion_mnist.yaml"

if [ -z "${NASCPP_DATA:-}" ] && [ -d "$root/../shared/data" ]; then
  export NASCPP_DATA="$(cd "$root/../shared/data" && pwd)"
fi

arch_args=()
if [ -n "${NASCPP_DATA:-}" ]; then
  echo "== NAS-Bench-201: best cell by CIFAR-10 validation accuracy (data: $NASCPP_DATA)"
  best="$("$nascpp" query nasbench201 --best --dataset cifar10-valid --metric valid_acc)"
  echo "$best"
  arch="$(printf '%s\n' "$best" | sed -n 's/^architecture: //p')"
  echo "== its CIFAR-10 test accuracy in the benchmark (train+valid model, 200 epochs)"
  "$nascpp" query nasbench201 --arch "$arch" --dataset cifar10 --metric test_acc
  arch_args=(--arch "$arch")
else
  echo "== no NAS-Bench-201 data (set NASCPP_DATA): training the cell named in $config"
fi

echo "== training it from scratch on Fashion-MNIST"
"$nascpp" evaluate "$config" "${arch_args[@]}" "$@"

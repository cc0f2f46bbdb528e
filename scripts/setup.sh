#!/usr/bin/env bash
# Installs the Debian 12 packages nascpp needs, only those that are missing
# (quick when everything is there). Runs apt-get non-interactively; uses sudo
# when not root. Arguments: extra packages (scripts/sanitize.sh adds clang).
set -euo pipefail

packages=(
  build-essential cmake ninja-build git pkg-config
  clang                 # the default compiler of scripts/build.sh (~2.5x faster builds than g++)
  libtorch-dev          # LibTorch 1.13.1 (CPU)
  libopenblas0-openmp   # takes over libblas.so.3: ~20x faster sgemm than reference BLAS
  libeigen3-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev zlib1g-dev
  libssl-dev libprotobuf-dev protobuf-compiler  # NAS-Bench-101: MD5 hash, tfrecord metrics
  libxgboost-dev        # the xgb predictor (gradient-boosted trees, C API)
  dataset-fashion-mnist # the embedded default dataset (gzipped IDX)
  python3 python3-numpy python3-pandas  # scripts/convert_nb201_data.py
  gnuplot-nox           # `nascpp report`: anytime-curve and Pareto-front plots (SVG)
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "nascpp setup: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

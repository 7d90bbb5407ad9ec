#!/usr/bin/env bash
# Two builds of bench/ on the chapter workloads, alternated in one run (base, main, main, base, ...): a before/after of
# two commits at one time (issue 18's speed bar). Build the other commit in a worktree first (dotnet build bench -c Release).
# WORK="mnist-train catsdogs-step" picks workloads. Prints each workload's GFLOP/s per round and the medians.
# Usage: tools/bench-ab.sh BASE_BENCH_DLL MAIN_BENCH_DLL ROUNDS OUT  (env passes through, e.g. DOTNET_EnableAVX512=0)
set -u
base=$1 main=$2 rounds=$3 out=$4
work=${WORK:-"mnist-train catsdogs-step mnist-infer vgg16-infer resnet18-finetune"}
: > "$out"
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then order="base main"; else order="main base"; fi
  for which in $order; do
    dll=$base; [ "$which" = main ] && dll=$main
    for w in $work; do
      line=$(dotnet "$dll" "$w" 2>&1 | grep -E "^(mnist train|mnist inference|catsdogs train step|vgg16 base inference|resnet18 fine-tune step) " | head -1)
      echo "$which r$r $line" | tee -a "$out"
    done
  done
done
python3 "$(dirname "$0")/bench-ab-summary.py" "$out"

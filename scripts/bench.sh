#!/usr/bin/env bash
# Builds and runs the micro-benchmarks; the figures go into docs/PERFORMANCE.md.
# Not part of ./test.sh: benchmarks need a quiet machine, tests do not.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
./scripts/build.sh
out=${1:-build/bench-results}
mkdir -p "$out"
for bench in seal_bench shard_bench; do
  echo "== $bench"
  "./build/bench/$bench" --benchmark_min_time=1 --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true | tee "$out/$bench.txt"
done

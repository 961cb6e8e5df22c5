#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) in
# build-fuzz/ and runs each for the given time, one after the other.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]   (default 60 s, every target)
#
# Each target starts from its seed corpus (tests/fuzz/corpus/<name>) and
# dictionary (tests/fuzz/dict/<name>.dict); what it learns goes to
# build-fuzz/fuzz-work/<name>/, never into the checked-in corpus. A crash,
# a sanitizer report or a violated property stops that target, its input is
# saved as build-fuzz/fuzz-crashes/<name>-crash-*, and the script exits 1
# after the table. Long runs: scripts/fuzz.sh 3600 mime (docs/FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
[ $# -gt 0 ] && shift
case "$seconds" in ''|*[!0-9]*) echo "usage: $0 [seconds-per-target] [target...]" >&2; exit 2 ;; esac

build=${MAILVAULT_FUZZ_BUILD:-build-fuzz}
started=$(date +%s)

./scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMAILVAULT_FUZZ=ON -DMAILVAULT_BENCH=OFF >/dev/null

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < "$build/tests/fuzz/fuzz_targets.txt"
fi
build_targets=()
for t in "${targets[@]}"; do
  [ -n "$t" ] && build_targets+=("${t}_fuzz")
done
cmake --build "$build" -j2 --target "${build_targets[@]}"
built=$(date +%s)

work="$build/fuzz-work"
crashes="$build/fuzz-crashes"
mkdir -p "$work" "$crashes"
failed=0
rows=()
for t in "${targets[@]}"; do
  [ -n "$t" ] || continue
  corpus="$work/$t"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/$t-" "$corpus" "tests/fuzz/corpus/$t")
  [ -f "tests/fuzz/dict/$t.dict" ] && args=(-dict="tests/fuzz/dict/$t.dict" "${args[@]}")
  log="$work/$t.log"
  echo "fuzz: $t for ${seconds}s"
  status=0
  "$build/tests/fuzz/${t}_fuzz" "${args[@]}" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  result=ok
  if [ "$status" -ne 0 ]; then
    result="FAILED ($status)"
    failed=1
    echo "fuzz: $t failed; the end of its log ($log):" >&2
    grep -E 'violated|ERROR|SUMMARY|Test unit written' "$log" | head -20 >&2 || tail -20 "$log" >&2
  fi
  rows+=("$(printf '%-16s %12s %10s %8s  %s' "$t" "${execs:-?}" "${per_second:-?}" "${coverage:-?}" "$result")")
done

finished=$(date +%s)
echo
printf '%-16s %12s %10s %8s  %s\n' target executions exec/s coverage result
for row in "${rows[@]}"; do echo "$row"; done
echo "build $((built - started)) s, fuzzing $((finished - built)) s, total $((finished - started)) s"
if [ "$failed" -ne 0 ]; then
  echo "fuzz: crashing inputs are in $crashes/" >&2
  exit 1
fi

#!/usr/bin/env bash
# Builds everything with AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer into build-asan/ and runs the whole ctest suite
# there: unit tests, and the integration tests with their mailvaultd, CLI and
# bridge processes, which are instrumented too. Exits non-zero when a test
# fails or when any process reported anything.
#
# How a report becomes a failure, for every process the tests start:
# - ASan and LSan write to $reports/report.<pid> (log_path) and abort.
# - GCC's UBSan runtime writes to stderr whatever log_path says (it is a
#   separate library from ASan's); it aborts (halt_on_error, abort_on_error)
#   and ASan, which handles SIGABRT (handle_abort), writes the stack of that
#   abort, with the __ubsan_handle_* frame and the faulting line, to
#   $reports too.
# - The integration harness stops every mailvaultd with SIGTERM instead of
#   SIGKILL when MAILVAULT_SANITIZER_REPORTS is set, so that LeakSanitizer
#   runs at its exit, and fails the test when its server left a report.
# - Whatever ctest says, a file in $reports fails this script.
#
#   scripts/sanitize.sh [ctest-regex]   (default: every test)
set -euo pipefail
cd "$(dirname "$0")/.."
only=()
[ $# -gt 0 ] && only=(-R "$1")

./scripts/install-deps.sh

build=build-asan
cmake -S . -B "$build" -G Ninja -DMAILVAULT_SANITIZE=address,undefined -DMAILVAULT_BENCH=OFF \
  >/dev/null
cmake --build "$build" -j2

reports="$PWD/$build/sanitizer-reports"
rm -rf "$reports"
mkdir -p "$reports"
suppressions="$PWD/tests/sanitizers"
common="log_path=$reports/report:abort_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="$common:halt_on_error=1:detect_leaks=1:handle_abort=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=0"
export LSAN_OPTIONS="suppressions=$suppressions/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="$common:halt_on_error=1:suppressions=$suppressions/ubsan.supp"
export MAILVAULT_SANITIZER_REPORTS="$reports"
# Tests whose bounds (latency, RSS) do not hold under ASan relax them.
export MAILVAULT_SANITIZED=1
# For servers started under a wrapper that preloads libraries (fiu-run):
# ASan's runtime must come first in LD_PRELOAD.
MAILVAULT_ASAN_RUNTIME="$(g++ -print-file-name=libasan.so)"
export MAILVAULT_ASAN_RUNTIME

status=0
(cd "$build" && ctest --output-on-failure -j2 --timeout 900 "${only[@]}") || status=$?

shopt -s nullglob
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
  echo "sanitize: ${#found[@]} sanitizer report(s) in $reports:" >&2
  for f in "${found[@]}"; do
    echo "--- $f" >&2
    cat "$f" >&2
  done
  status=1
fi
what="the whole suite"
[ $# -gt 0 ] && what="the tests matching '$1'"
[ "$status" -eq 0 ] && echo "sanitize: $what passed under ASan, LSan and UBSan, no report"
exit "$status"

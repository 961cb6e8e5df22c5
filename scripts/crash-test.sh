#!/usr/bin/env bash
# The crash test of issue 13 at length: a real mailvaultd under LMTP, IMAP and
# key-rotation load is killed with SIGKILL at a random moment (50 ms to 3 s),
# restarted and checked, CYCLES times (default 100). CI runs 10 of them
# (ctest -R integration.crash_test). See tests/integration/crash_test.py for
# what each check requires, and docs/STORAGE.md for the guarantee.
#
#   scripts/crash-test.sh [cycles]        MAILVAULT_CRASH_SEED=N repeats a run
#   BUILD_DIR=path scripts/crash-test.sh  a build other than ./build
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cycles="${1:-100}"
if [ ! -x "$build/server/mailvaultd" ] || [ ! -x "$build/tools/mailvault-admin" ]; then
  echo "crash-test: no mailvaultd in $build; build first (scripts/build.sh)" >&2
  exit 1
fi
cd "$build"
MAILVAULT_BIN_DIR="$build" PYTHONPATH="$root/tests/integration" MAILVAULT_CRASH_CYCLES="$cycles" \
  exec /usr/bin/python3 "$root/tests/integration/crash_test.py" -v

#!/usr/bin/env bash
# Installs what is missing, builds, and runs mailvaultd in the foreground
# with its embedded default configuration: 127.0.0.1 only, IMAPS on 9993,
# LMTP on 2424, a self-signed certificate and all data under ./var.
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh
./scripts/build.sh
exec ./build/server/mailvaultd

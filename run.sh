#!/usr/bin/env bash
# Installs what is missing, builds, and runs mailvault with its embedded
# default configuration (data under ./var).
set -euo pipefail
cd "$(dirname "$0")"

./scripts/install-deps.sh
./scripts/build.sh
mkdir -p var
exec ./build/tools/vault_demo var/demo-shard

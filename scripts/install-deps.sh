#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing mailvault need,
# and only when one of them is missing, so that a second run costs nothing.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config git
  # ASan (with LSan) and UBSan runtimes for scripts/sanitize.sh (g++ pulls them in too)
  libasan8 libubsan1
  # libraries (see README.md, "Dependencies")
  libsodium-dev librocksdb-dev libboost-dev libssl-dev
  libtomlplusplus-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libgmime-3.0-dev
  libgtest-dev libbenchmark-dev
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer, ASan and UBSan
  clang-14 libclang-rt-14-dev
  # test peers
  python3 python3-nacl openssl curl isync mutt tmux rocksdb-tools etcd-server fiu-utils
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root or install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

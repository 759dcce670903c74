#!/usr/bin/env bash
# Installs exactly the Debian 12 packages mbl needs, only those missing. Idempotent; needs root
# (or sudo). Nothing is downloaded from anywhere but Debian's package archive.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache git
  librocksdb-dev libsodium-dev libboost-dev libprotobuf-dev protobuf-compiler
  nlohmann-json3-dev libgtest-dev curl procps
  chromium  # the verification page's browser tests (tests/browser/)
  clang-14 libclang-rt-14-dev  # the libFuzzer targets (scripts/fuzz.sh, tests/fuzz/)
)
# Node.js for the browser tests: Debian's, unless a node is already installed.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

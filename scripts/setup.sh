#!/usr/bin/env bash
# Installs the Debian packages Reclaim needs to build, test and run. Idempotent: when every
# package is already installed it returns in well under a second without touching apt.
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build ccache pkg-config
  libgeos-dev libproj-dev proj-data libgeographiclib-dev libgdal-dev gdal-bin
  libsqlite3-dev sqlite3 libpq-dev
  nlohmann-json3-dev libfmt-dev libcli11-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15
  libboost-dev libsodium-dev libprotozero-dev coinor-libclp-dev
  zip unzip time python3 jq curl wrk nginx-light
  clang libclang-rt-14-dev llvm   # the asan preset, libFuzzer (scripts/ci_sanitize.sh, fuzz/)
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

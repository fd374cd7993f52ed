#!/usr/bin/env bash
# Installs the Debian packages the service, its tests and its benchmarks need; idempotent.
set -euo pipefail
PKGS="build-essential pkg-config clang libclang-rt-14-dev cppcheck clang-tidy
libfcgi-dev libfcgi-bin libcurl4-openssl-dev libcjson-dev libmariadb-dev
mariadb-server mariadb-client libqrencode-dev qrencode libssl-dev libpng-dev zlib1g-dev
nginx libinih-dev libcmocka-dev python3-pytest python3-requests wrk zbar-tools curl openssl tzdata python3-pil python3-cryptography faketime"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ -z "$missing" ]; then
  exit 0
fi
echo "installing:$missing" >&2
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null

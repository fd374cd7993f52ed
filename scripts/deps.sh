#!/usr/bin/env bash
# Installs the Debian packages the service, its tests and its benchmarks need; idempotent.
set -euo pipefail
PKGS="build-essential pkg-config clang libclang-rt-14-dev cppcheck clang-tidy
libfcgi-dev libfcgi-bin libcurl4-openssl-dev libcjson-dev libmariadb-dev
mariadb-server mariadb-client libqrencode-dev qrencode libssl-dev libpng-dev zlib1g-dev
nginx libinih-dev libcmocka-dev python3-pytest python3-requests wrk zbar-tools curl openssl tzdata python3-pil python3-cryptography faketime
python3-jsonschema
nodejs chromium
galera-4 mariadb-backup socat systemd logrotate prometheus"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
# Another apt-get (an unattended upgrade, a second checkout) may hold the lock: wait for it.
APT="apt-get -o DPkg::Lock::Timeout=600"
if [ -n "$missing" ]; then
  echo "installing:$missing" >&2
  $SUDO $APT update -q >/dev/null
  # shellcheck disable=SC2086
  $SUDO $APT install -y -q --no-install-recommends $missing >/dev/null
fi
# Debian's nodejs leaves npm to its own package; some builds of nodejs carry it.
if ! command -v npm >/dev/null; then
  $SUDO $APT install -y -q --no-install-recommends npm >/dev/null
fi
# The browser suite's one npm dependency (playwright-core, driving Debian's chromium), as locked.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ROOT/tests/browser/node_modules/playwright-core/package.json" ] ||
   [ "$ROOT/tests/browser/package-lock.json" -nt "$ROOT/tests/browser/node_modules/.package-lock.json" ]; then
  (cd "$ROOT/tests/browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# The contract's linter and reference-page builder (@redocly/cli), as tests/contract's lock pins it.
if [ ! -f "$ROOT/tests/contract/node_modules/@redocly/cli/package.json" ] ||
   [ "$ROOT/tests/contract/package-lock.json" -nt "$ROOT/tests/contract/node_modules/.package-lock.json" ]; then
  (cd "$ROOT/tests/contract" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

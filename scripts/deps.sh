#!/usr/bin/env bash
# Installs the Debian packages the service, its tests and its benchmarks need; idempotent.
set -euo pipefail
PKGS="build-essential pkg-config clang libclang-rt-14-dev cppcheck clang-tidy clang-format
libfcgi-dev libfcgi-bin libcurl4-openssl-dev libcjson-dev libmariadb-dev
mariadb-server mariadb-client libqrencode-dev qrencode libssl-dev libpng-dev zlib1g-dev
nginx libinih-dev libcmocka-dev python3-pytest python3-requests wrk zbar-tools curl openssl tzdata python3-pil python3-cryptography faketime
python3-jsonschema
nodejs chromium
fonts-noto-cjk poppler-utils gnuplot-nox
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
# npm dependencies, each folder as its package-lock.json pins them: the browser suite's
# (playwright-core driving Debian's chromium, axe-core), the pages' (the scanner's QR decoder,
# copied into nginx/html/vendor/ by the build) and the contract's (@redocly/cli: the linter of
# openapi.json and the builder of the reference page).
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for dir in tests/browser nginx/client tests/contract; do
  if [ ! -f "$ROOT/$dir/node_modules/.package-lock.json" ] ||
     [ "$ROOT/$dir/package-lock.json" -nt "$ROOT/$dir/node_modules/.package-lock.json" ]; then
    (cd "$ROOT/$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done

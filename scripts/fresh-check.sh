#!/usr/bin/env bash
# fresh-check.sh: a newcomer's first two commands on a machine that has none of the packages.
#   scripts/fresh-check.sh [DIR]      (as root; DIR defaults to build/fresh-check)
# Builds a minimal Debian 12 root with debootstrap from the mirror this machine's apt sources
# name, copies the working tree in (what git tracks plus new files it does not ignore), and in a
# chroot with /proc, /sys and /dev mounted runs `make run` until /healthz answers, stops it with
# SIGINT, then runs `make test`. Prints each step's time; exits non-zero on the first failure.
# Everything it mounted is unmounted at the end, also on failure or Ctrl-C. Too slow for every
# CI run (README, "A fresh machine"): run it by hand before changing how things install or build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/build/fresh-check}
SUITE=bookworm
PORT=8080
[ "$(id -u)" = 0 ] || { echo "fresh-check: run as root (debootstrap, mount, chroot)" >&2; exit 2; }
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CH="$DIR/root"
LOG="$DIR/log"
EXTRA_ENV=""

step_start=0
step() { step_start=$SECONDS; printf '%-44s' "$1" >&2; }
done_step() { printf 'ok   %4d s\n' $((SECONDS - step_start)) >&2; }
fail() { printf 'FAILED after %d s: %s (log: %s)\n' $((SECONDS - step_start)) "$1" "$LOG" >&2; exit 1; }

# The mirror of this machine's apt sources (deb822 first, then the one-line format).
mirror() {
  local m=""
  m=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [ -n "$m" ] || m=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\/debian\)\/*[[:space:]].*/\2/p' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
  [ -n "$m" ] || { echo "fresh-check: no Debian mirror in this machine's apt sources" >&2; exit 2; }
  echo "$m"
}

MOUNTS=(proc sys dev dev/pts dev/shm)
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    if mountpoint -q "$CH/${MOUNTS[$i]}" 2>/dev/null; then
      umount "$CH/${MOUNTS[$i]}" 2>/dev/null || umount -l "$CH/${MOUNTS[$i]}"
    fi
  done
}
RUN_PID=""
cleanup() {
  if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then
    kill -INT -- "-$RUN_PID" 2>/dev/null || true
    sleep 5
    kill -KILL -- "-$RUN_PID" 2>/dev/null || true
  fi
  # Whatever the chroot's processes left running (a stack of a failed test) holds its mounts.
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$CH" ] && kill -KILL "${p#/proc/}" 2>/dev/null || true
  done
  sleep 0.5
  unmount_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_root() { # runs a command in the chroot, in the project, with a clean environment
  # shellcheck disable=SC2086
  chroot "$CH" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb $EXTRA_ENV /bin/bash -c "cd /project && $1"
}

total=$SECONDS
: >"$LOG"
echo "fresh-check: $(date -u +%Y-%m-%dT%H:%MZ), root in $CH" >&2

step "install debootstrap on this machine"
if ! command -v debootstrap >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q debootstrap >>"$LOG" 2>&1 \
    || fail "apt-get install debootstrap"
fi
done_step

step "debootstrap a minimal Debian 12 root"
# A root left mounted by a killed earlier run is unmounted before it is removed. The pristine
# debootstrap output is kept as base.tar (FRESH_REBUILD=1 makes it anew): each run starts from it.
unmount_all
rm -rf --one-file-system "$CH"
if [ "${FRESH_REBUILD:-0}" = 1 ] || [ ! -s "$DIR/base.tar" ]; then
  rm -f "$DIR/base.tar"
  debootstrap --variant=minbase "$SUITE" "$CH" "$(mirror)" >>"$LOG" 2>&1 || fail "debootstrap"
  tar -C "$CH" -cf "$DIR/base.tar.part" . && mv "$DIR/base.tar.part" "$DIR/base.tar"
else
  mkdir -p "$CH" && tar -C "$CH" -xf "$DIR/base.tar" || fail "unpacking base.tar"
fi
# The same apt sources (and security updates) as this machine; name resolution; npm's settings.
rm -f "$CH/etc/apt/sources.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  mkdir -p "$CH$(dirname "$f")"
  cp "$f" "$CH$f"
done
cp /etc/resolv.conf "$CH/etc/resolv.conf"
# What Debian's installer writes and debootstrap does not: the host's own names.
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
  "$(hostname)" >"$CH/etc/hosts"
hostname >"$CH/etc/hostname"
[ -f /root/.npmrc ] && cp /root/.npmrc "$CH/root/.npmrc"
# This machine's own trust anchors (a network's TLS proxy, say) are the network's, not the
# project's: the root gets them too, and Node.js is pointed at the system bundle as here.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$CH/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$CH/usr/local/share/ca-certificates/"
fi
EXTRA_ENV=""
[ -n "${NODE_EXTRA_CA_CERTS:-}" ] && EXTRA_ENV="NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"
done_step

step "mount /proc, /sys, /dev"
mount -t proc proc "$CH/proc"
mount -t sysfs sysfs "$CH/sys"
mount --bind /dev "$CH/dev"
mount --bind /dev/pts "$CH/dev/pts"
mkdir -p "$CH/dev/shm"
mount -t tmpfs -o mode=1777 shm "$CH/dev/shm"
done_step

step "copy the working tree in"
mkdir -p "$CH/project"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f -) \
  | tar -x -C "$CH/project" || fail "copying the working tree"
# The unit tests read ../shared/vectors beside the project's root, as they do in a checkout.
[ -d "$ROOT/../shared/vectors" ] && mkdir -p "$CH/shared" && cp -R "$ROOT/../shared/vectors" "$CH/shared/"
# make and its first dependencies: what a newcomer types before anything else.
in_root "apt-get -o DPkg::Lock::Timeout=600 update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends make ca-certificates" \
  >>"$LOG" 2>&1 || fail "apt-get install make"
done_step

step "make run, until /healthz answers"
# Job control on for this one job: its own process group (so SIGINT reaches all of it), and
# SIGINT not ignored as it is for a plain background job of a script.
set -m
# shellcheck disable=SC2086
chroot "$CH" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 TERM=dumb HQR_PORT=$PORT $EXTRA_ENV /bin/bash -c "cd /project && exec make run" \
  >>"$LOG" 2>&1 </dev/null &
RUN_PID=$!
set +m
limit=$((SECONDS + 3600))
until [ "$(in_root "exec 3<>/dev/tcp/127.0.0.1/$PORT && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 && head -n1 <&3" 2>/dev/null | tr -d '\r')" = "HTTP/1.1 200 OK" ]; do
  kill -0 "$RUN_PID" 2>/dev/null || fail "make run exited before /healthz answered"
  [ $SECONDS -lt $limit ] || fail "/healthz did not answer within an hour"
  sleep 2
done
done_step

step "stop make run with SIGINT"
kill -INT -- "-$RUN_PID"
for _ in $(seq 1 120); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 0.5; done
if kill -0 "$RUN_PID" 2>/dev/null; then fail "make run still running 60 s after SIGINT"; fi
wait "$RUN_PID" || true
RUN_PID=""
# run.sh's own Ctrl-C handling stops the stack after make has gone: wait for the last process.
in_chroot() { for p in /proc/[0-9]*; do [ "$(readlink "$p/root" 2>/dev/null)" = "$CH" ] && return 0; done; return 1; }
for _ in $(seq 1 120); do in_chroot || break; sleep 0.5; done
if in_chroot; then fail "processes of make run still running 60 s after SIGINT"; fi
done_step

step "make test"
in_root "make test" >>"$LOG" 2>&1 || fail "make test"
done_step

echo "fresh-check: passed in $((SECONDS - total)) s" >&2

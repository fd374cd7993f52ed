#!/usr/bin/env bash
# run.sh: `make run`: the whole service on the embedded default under var/, in the foreground;
# Ctrl-C (SIGINT) or SIGTERM stops everything it started. A second run reuses var/; a second run
# while one runs on the same var/ says so and exits 1. A master that dies (kill -9, a crash) is
# started again, as the systemd unit's Restart= does. HQR_VAR (tests) moves var/ elsewhere.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export HQR_BUILD=${1:-build}
PORT=${HQR_PORT:-8080}
VAR=${HQR_VAR:-$ROOT/var}

# One `make run` per var/: a second one says where the first runs and stops.
mkdir -p "$VAR"
exec 9>"$VAR/run.lock"
if ! flock -n 9; then
  pid=$(cat "$VAR/run.pid" 2>/dev/null || echo "?")
  port=$(sed -n 's/^HTTP_PORT=//p' "$VAR/stack.env" 2>/dev/null | tr -d "'\"")
  echo "make run: the service already runs on $VAR (pid $pid, http://127.0.0.1:${port:-$PORT}/);" \
    "stop it first (Ctrl-C where it runs, or kill -INT $pid)" >&2
  exit 1
fi
echo $$ >"$VAR/run.pid"

stopping=0
cleanup() {
  [ $stopping = 1 ] && return; stopping=1
  echo; echo "stopping..."
  scripts/stack.sh stop "$VAR" 9>&- || true
  rm -f "$VAR/run.pid"
  echo "stopped."
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# The daemons must not inherit the lock: it is this script's, held while it runs.
scripts/stack.sh start "$VAR" "$PORT" 9>&-
# shellcheck disable=SC1091
. "$VAR/stack.env"
DEMO=$("$HQR_BUILD/hqrctl" -c "$VAR/hqr.conf" seed-demo)
if [ "$DEMO" != "demo already seeded" ]; then
  (umask 077; echo "$DEMO" > "$VAR/demo-tokens.txt")
elif [ -f "$VAR/demo-tokens.txt" ]; then
  DEMO=$(cat "$VAR/demo-tokens.txt")
fi
cat <<MSG

The health QR code service is running:
  web client     http://127.0.0.1:$HTTP_PORT/   (residents: log in, apply, show the code, report)
  scanner page   http://127.0.0.1:$HTTP_PORT/scan.html   (checkpoint staff: a demo device token below)
  place codes    http://127.0.0.1:$HTTP_PORT/place-display.html   (a door screen; hqrctl place-code, README)
  API            http://127.0.0.1:$HTTP_PORT/api/v1/   reference: /docs/   contract: /api/v1/openapi.json
  health         http://127.0.0.1:$HTTP_PORT/healthz   ready: /readyz   metrics: /metrics
  application    hqr-fcgi, config $VAR/hqr.conf, log $VAR/log/app.log
  database       MariaDB on 127.0.0.1:$DB_PORT, data in $VAR/db (socket $VAR/db/mysqld.sock)
  nginx          $VAR/nginx/nginx.conf, access log $VAR/nginx/access.log
  platform sim   http://127.0.0.1:$SIM_PORT/ (stands in for the chat platform; log $VAR/log/sim.log)
  operator       $HQR_BUILD/hqrctl (reads var/hqr.conf)

Demo (made on the first run; tokens are shown only then, kept in var/demo-tokens.txt):
$(echo "$DEMO" | sed 's/^/  /')
Press Ctrl-C to stop.
MSG
# Stay in the foreground while the application runs; as a service manager does (the systemd unit's
# Restart=on-failure, RestartSec=2s), a master that dies is started again after 2 s, at most 5
# times in 60 s (a crash loop stops here, with its log).
# Running, not merely not yet reaped: a master that exited is a zombie until init reaps it.
master_runs() {
  local pid st
  pid=$(cat "$VAR/run/hqr.pid" 2>/dev/null || true)
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}
restarts=()
while :; do
  while master_runs; do
    sleep 1 &
    wait $! || true
  done
  now=$SECONDS recent=()
  for t in "${restarts[@]}"; do [ $((now - t)) -lt 60 ] && recent+=("$t"); done
  restarts=("${recent[@]}")
  if [ ${#restarts[@]} -ge 5 ]; then
    echo "hqr-fcgi exited 5 times within 60 s; not restarting it; see $VAR/log/app.log" >&2
    exit 1
  fi
  echo "hqr-fcgi exited; restarting it in 2 s (see $VAR/log/app.log)" >&2
  sleep 2 &
  wait $! || true
  restarts+=("$SECONDS")
  scripts/stack.sh app-start "$VAR" 9>&- || echo "hqr-fcgi did not start again; retrying" >&2
done

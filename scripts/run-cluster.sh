#!/usr/bin/env bash
# run-cluster.sh: `make run-cluster`: the service beyond one machine (scripts/cluster.sh) under
# var/cluster/, in the foreground: three Galera nodes, two application hosts, nginx, the
# simulator. Ctrl-C (SIGINT) or SIGTERM stops everything it started; a second run reuses the data.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export HQR_BUILD=${1:-build}
PORT=${HQR_PORT:-8080}
DIR="$ROOT/var/cluster"

stopping=0
cleanup() {
  [ $stopping = 1 ] && return; stopping=1
  echo; echo "stopping..."
  scripts/cluster.sh stop "$DIR" || true
  echo "stopped."
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "starting three Galera nodes (the first bootstrapped, the others by state transfer), two hosts..."
scripts/cluster.sh start "$DIR" "$PORT"
# shellcheck disable=SC1091
. "$DIR/stack.env"
DEMO=$("$HQR_BUILD/hqrctl" -c "$DIR/hqr.conf" seed-demo)
if [ "$DEMO" != "demo already seeded" ]; then
  (umask 077; echo "$DEMO" > "$DIR/demo-tokens.txt")
elif [ -f "$DIR/demo-tokens.txt" ]; then
  DEMO=$(cat "$DIR/demo-tokens.txt")
fi
cat <<MSG

The health QR code service is running on a cluster:
  web client     http://127.0.0.1:$HTTP_PORT/   scanner page: /scan.html
  nginx          $DIR/nginx/nginx.conf (both hosts in the upstream), access log $DIR/nginx/access.log
  host 1         config $DIR/hqr.conf, log $DIR/log/app.log (runs migrations, partitions, jobs)
  host 2         config $DIR/host2/hqr.conf, log $DIR/host2/log/app.log
  Galera nodes   127.0.0.1:$DB_PORT_1 $DB_PORT_2 $DB_PORT_3 (data in $DIR/db1..db3)
  platform sim   http://127.0.0.1:$SIM_PORT/
  state          scripts/cluster.sh status $DIR

Demo (made on the first run; tokens are shown only then, kept in $DIR/demo-tokens.txt):
$(echo "$DEMO" | sed 's/^/  /')
Press Ctrl-C to stop.
MSG
# Stay in the foreground while nginx serves.
while kill -0 "$(cat "$DIR/nginx/nginx.pid" 2>/dev/null || echo 0)" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
echo "nginx exited; see $DIR/nginx/nginx-error.log" >&2
exit 1

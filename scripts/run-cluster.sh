#!/usr/bin/env bash
# run-cluster.sh: `make run-cluster`: the service beyond one machine (scripts/cluster.sh) under
# var/cluster/, in the foreground: three Galera nodes, two application hosts, nginx, the
# simulator. Ctrl-C (SIGINT) or SIGTERM stops everything it started; a second run reuses the data;
# a second run while one runs on the same var/cluster/ says so and exits 1. As `make run` does for
# its master, a part that dies (kill -9, a crash) is started again, as the service managers of
# production do: a host's master, or a Galera node (it rejoins by IST). A part stopped on purpose
# (cluster.sh host-stop, node-stop) stays stopped.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export HQR_BUILD=${1:-build}
PORT=${HQR_PORT:-8080}
DIR=${HQR_CLUSTER_DIR:-$ROOT/var/cluster}  # HQR_CLUSTER_DIR (tests) moves it elsewhere
CL=scripts/cluster.sh

# One `make run-cluster` per var/cluster/: a second one says where the first runs and stops (it
# would otherwise adopt the first one's processes and stop them at its own Ctrl-C).
mkdir -p "$DIR"
exec 9>"$DIR/run.lock"
if ! flock -n 9; then
  pid=$(cat "$DIR/run.pid" 2>/dev/null || echo "?")
  port=$(sed -n 's/^HTTP_PORT=//p' "$DIR/stack.env" 2>/dev/null)
  echo "make run-cluster: the cluster already runs on $DIR (pid $pid, http://127.0.0.1:${port:-$PORT}/);" \
    "stop it first (Ctrl-C where it runs, or kill -INT $pid)" >&2
  exit 1
fi
echo $$ >"$DIR/run.pid"

jobs_running=()
stopping=0
cleanup() {
  [ $stopping = 1 ] && return; stopping=1
  echo; echo "stopping..."
  local j
  for j in "${jobs_running[@]}"; do kill "$j" 2>/dev/null || true; wait "$j" 2>/dev/null || true; done
  $CL stop "$DIR" 9>&- || true
  rm -f "$DIR/run.pid"
  echo "stopped."
}
trap cleanup EXIT
trap 'exit 0' INT TERM

echo "starting three Galera nodes (the first bootstrapped, the others by state transfer), two hosts..."
# The daemons must not inherit the lock: it is this script's, held while it runs.
$CL start "$DIR" "$PORT" 9>&-
# shellcheck disable=SC1091
. "$DIR/stack.env"
DEMO=$("$HQR_BUILD/hqrctl" -c "$DIR/hqr.conf" seed-demo)
if [ "$DEMO" != "demo already seeded" ]; then
  (umask 077; echo "$DEMO" > "$DIR/demo-tokens.txt")
elif [ -f "$DIR/demo-tokens.txt" ]; then
  DEMO=$(cat "$DIR/demo-tokens.txt")
fi
REL=${DIR#"$ROOT"/}
cat <<MSG

The health QR code service is running on a cluster:
  web client     http://127.0.0.1:$HTTP_PORT/   (residents: log in, apply, show the code, report)
  scanner page   http://127.0.0.1:$HTTP_PORT/scan.html   (checkpoint staff: a demo device token below)
  API            http://127.0.0.1:$HTTP_PORT/api/v1/   health: /healthz   ready: /readyz (asks the database)
  nginx          $DIR/nginx/nginx.conf (both hosts in the upstream), access log $DIR/nginx/access.log
                 (its "upstream" names the host that served each request)
  host 1         config $DIR/hqr.conf, log $DIR/log/app.log (runs migrations, partitions, jobs)
  host 2         config $DIR/host2/hqr.conf, log $DIR/host2/log/app.log
  Galera nodes   127.0.0.1:$DB_PORT_1 $DB_PORT_2 $DB_PORT_3 (data in $DIR/db1..db3)
  platform sim   http://127.0.0.1:$SIM_PORT/
  operator       $HQR_BUILD/hqrctl -c $REL/hqr.conf VERB   (host 1's config)
  state          $CL status $REL

Try a failure (the service keeps serving through the other parts):
  $CL node-kill $REL 2     kill -9 Galera node 2: started again here in 2 s, it rejoins by IST
  $CL host-kill $REL 1     kill -9 host 1's master: nginx sends all to host 2; started again in 2 s
  $CL host-stop $REL 1     stopped on purpose, a part stays stopped until host-start (node-stop, node-start)

Demo (made on the first run; tokens are shown only then, kept in $DIR/demo-tokens.txt):
$(echo "$DEMO" | sed 's/^/  /')
Press Ctrl-C to stop.
MSG

# Running, not merely not yet reaped: a process that exited is a zombie until init reaps it.
runs() {
  local pid st
  pid=$(cat "$1" 2>/dev/null || true)
  case $pid in '' | *[!0-9]*) return 1 ;; esac
  st=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}
# A part died when its pid file is still there and its process is gone: a stop on purpose
# (cluster.sh host-stop, node-stop, a node's clean shutdown) removes the pid file.
died() { [ -f "$1" ] && ! runs "$1"; }

# Each part: its pid file, the cluster.sh command that starts it again, its name.
PARTS=("$DIR/run/hqr.pid|host-start 1|host 1's master" "$DIR/host2/run/hqr.pid|host-start 2|host 2's master"
       "$DIR/db1/mysqld.pid|node-start 1|Galera node 1" "$DIR/db2/mysqld.pid|node-start 2|Galera node 2"
       "$DIR/db3/mysqld.pid|node-start 3|Galera node 3")
declare -A job since restarts gave_up
# Stay in the foreground while nginx serves; as a service manager does (hqr-fcgi's unit
# Restart=on-failure, RestartSec=2s; mariadb's Restart=on-abort), a part that died is started
# again after 2 s, at most 5 times in 60 s each (a crash loop stops there, with its log). A node
# restarting takes its state transfer's time; the others are watched meanwhile.
while runs "$DIR/nginx/nginx.pid"; do
  for p in "${PARTS[@]}"; do
    IFS='|' read -r pidf cmd name <<<"$p"
    j=${job[$name]:-}
    if [ -n "$j" ]; then
      kill -0 "$j" 2>/dev/null && continue
      if wait "$j"; then
        echo "$name runs again ($((SECONDS - ${since[$name]})) s after it was found dead)"
      else
        echo "$name did not start again; see $CL status $REL and its log" >&2
      fi
      job[$name]=""
      jobs_running=()
      for q in "${job[@]}"; do [ -n "$q" ] && jobs_running+=("$q"); done
      continue
    fi
    if ! died "$pidf"; then gave_up[$name]=""; continue; fi  # runs (again, by hand), or stopped
    [ -n "${gave_up[$name]:-}" ] && continue
    now=$SECONDS recent="" count=0
    for t in ${restarts[$name]:-}; do
      if [ $((now - t)) -lt 60 ]; then recent="$recent $t"; count=$((count + 1)); fi
    done
    if [ $count -ge 5 ]; then
      echo "$name died 5 times within 60 s; not starting it again (see its log)" >&2
      gave_up[$name]=1
      continue
    fi
    restarts[$name]="$recent $now"
    since[$name]=$now
    echo "$name died; starting it again in 2 s ($CL ${cmd% *} $REL ${cmd#* })"
    (sleep 2; exec $CL "${cmd% *}" "$DIR" "${cmd#* }" 9>&- >/dev/null) &
    job[$name]=$!
    jobs_running+=("$!")
  done
  sleep 1 &
  wait $! || true
done
echo "nginx exited; see $DIR/nginx/nginx-error.log" >&2
exit 1

#!/usr/bin/env bash
# bench.sh: `make bench`: throughput of the service's endpoints as ratios to ceilings measured in
# the same run (wrk on loopback, everything on this machine's cores). Not a pass/fail test.
# Starts its own stack in a throwaway directory; never touches var/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export HQR_BUILD=${1:-build}
DUR=${BENCH_SECONDS:-8}
CONN=${BENCH_CONNECTIONS:-64}
DIR=$(mktemp -d /tmp/hqr-bench.XXXXXX)
chmod 755 "$DIR"
# The front door's rate and connection limits lifted: wrk is one address with many connections.
export HQR_RATE=1000000 HQR_BURST=1000000 HQR_WORKERS=2 HQR_THREADS=16
export HQR_PROBE_RATE=1000000 HQR_PROBE_BURST=1000000 HQR_PLATFORM_RATE=1000000 HQR_PLATFORM_BURST=1000000
export HQR_CONN_PER_ADDR=65535 HQR_UPLOADS_PER_ADDR=65535 HQR_UPLOADS=65535 HQR_WORKER_CONNECTIONS=${HQR_WORKER_CONNECTIONS:-4096}
# The trace benchmark seeds 10 M scans: a buffer pool that holds them keeps seeding off the disk.
export HQR_DB_BUFFER_POOL=${HQR_DB_BUFFER_POOL:-3G} HQR_DB_LOG_FILE=${HQR_DB_LOG_FILE:-1G}
cleanup() { scripts/stack.sh stop "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

scripts/stack.sh start "$DIR" >/dev/null
# shellcheck disable=SC1091
. "$DIR/stack.env"
BENCH_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$DIR/nginx/extra/bench.conf" <<CONF
    # The ceiling: nginx answering by itself.
    server {
        listen 127.0.0.1:$BENCH_PORT;
        access_log off;
        location / { return 200 "ok"; }
    }
CONF
kill -HUP "$(cat "$DIR/nginx/nginx.pid")"
sleep 0.5

# wrk_run URL [wrk args...]: served (2xx) requests per second, p99 latency and the non-2xx count.
wrk_run() {
  local url=$1; shift
  wrk -t2 -c"$CONN" -d"${DUR}s" --latency "$@" "$url" > "$DIR/wrk.out" 2>&1 || true
  local rps p99 non2xx
  # The served rate: wrk's Requests/sec less its share of non-2xx answers (refusals are not served).
  rps=$(awk '/ requests in / {t=$1} /Non-2xx/ {b=$NF} /Requests\/sec/ {r=$2}
    END { if (t > 0) printf "%.2f", r * (t - b) / t; else print r }' "$DIR/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$DIR/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$DIR/wrk.out")
  echo "${rps:-0} ${p99:-?} ${non2xx:-0}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

workers() { pgrep -P "$(cat "$DIR/run/hqr.pid")" | tr '\n' ' '; }

echo "hqr bench: wrk -t2 -c$CONN -d${DUR}s on 127.0.0.1, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
read -r ceil ceil_p99 _ < <(wrk_run "http://127.0.0.1:$BENCH_PORT/")
printf "%-34s %10s req/s  p99 %8s\n" "nginx return 200 (ceiling)" "$ceil" "$ceil_p99"
read -r fcgi fcgi_p99 fcgi_bad < <(wrk_run "http://127.0.0.1:$HTTP_PORT/healthz")
printf "%-34s %10s req/s  p99 %8s  ratio to nginx %s  non-2xx %s\n" "nginx -> hqr-fcgi /healthz" "$fcgi" \
  "$fcgi_p99" "$(ratio "$fcgi" "$ceil")" "$fcgi_bad"
for pid in $(workers); do
  printf "  worker %-8s peak RSS %s\n" "$pid" "$(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
done
read -r ready ready_p99 ready_bad < <(wrk_run "http://127.0.0.1:$HTTP_PORT/readyz")
printf "%-34s %10s req/s  p99 %8s  ratio to FastCGI %s  non-2xx %s\n" "/readyz (one prepared SELECT)" "$ready" \
  "$ready_p99" "$(ratio "$ready" "$fcgi")" "$ready_bad"
# BENCH_ONLY=WORD runs only the scripts whose name holds WORD (BENCH_ONLY=places: the check-ins).
for f in tests/bench/*.sh; do
  [ -e "$f" ] || continue
  case "$f" in *"${BENCH_ONLY:-}"*) ;; *) continue ;; esac
  FCGI_RPS=$fcgi DIR=$DIR HTTP_PORT=$HTTP_PORT SIM_PORT=$SIM_PORT CONN=$CONN DUR=$DUR bash "$f"
done

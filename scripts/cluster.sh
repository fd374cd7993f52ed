#!/usr/bin/env bash
# cluster.sh: the service beyond one machine, on loopback: three MariaDB Galera nodes, two
# application hosts behind one nginx upstream, the platform simulator; migrations run once.
#   cluster.sh start DIR [HTTP_PORT]   first run: the nodes (the first bootstrapped, the others
#                                      joined by mariadb-backup SST), config, keys and secrets
#   cluster.sh init DIR [HTTP_PORT]    only the configuration and secrets, no data: a cluster to
#                                      restore a backup into (hqrctl restore, on host 1), then start
#   cluster.sh stop DIR                everything DIR's cluster still runs
#   cluster.sh status DIR              each node's Galera state, each host, nginx; 0 when all well
#   cluster.sh node-start|node-stop|node-kill DIR N   one Galera node (1-3; kill is kill -9)
#   cluster.sh host-start|host-stop|host-kill DIR N   one application host (1-2; kill is kill -9
#                                                     of its master)
#   cluster.sh keys-sync DIR                          host 1's keys to host 2, then both reload
#   cluster.sh db-start|db-stop|app-start|app-stop|sim-start|sim-stop|nginx-start|nginx-stop|pids DIR
# Host 1 keeps stack.sh's layout at DIR's top (hqr.conf, run/, log/, keys/, secrets/) and runs the
# operator's commands (migrations, partitions, jobs); host 2 has its own under DIR/host2/. Both
# hosts read the same keys and secrets (copied from host 1, as a deployment distributes them) and
# the same config but for their own paths and the order of the nodes they connect to. Both write
# and read photos in one directory (DIR/data), standing in for the shared storage every host
# mounts. DIR/stack.env records the ports; its first keys are stack.sh's, so that the integration
# suite runs against the cluster unchanged.
set -euo pipefail

# shellcheck source=scripts/stack.sh
. "$(dirname "$0")/stack.sh"

NODES=3
HOSTS=2
GALERA=${HQR_GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

node_dir() { echo "$DIR/db$1"; }
host_dir() { if [ "$1" = 1 ]; then echo "$DIR"; else echo "$DIR/host$1"; fi; }
port_of() { local v="$1_$2"; echo "${!v}"; } # port_of DB_PORT 2

node_cnf() {
  local n=$1 d addrs="" i
  d=$(node_dir "$n")
  for i in $(seq 1 $NODES); do addrs="$addrs${addrs:+,}127.0.0.1:$(port_of GCOMM_PORT "$i")"; done
  mkdir -p "$d/tmp"
  cat > "$d/my.cnf" <<CNF
[mariadbd]
datadir=$d/data
socket=$d/mysqld.sock
pid-file=$d/mysqld.pid
log-error=$d/error.log
tmpdir=$d/tmp
port=$(port_of DB_PORT "$n")
bind-address=127.0.0.1
skip-networking=0
user=root
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_flush_log_at_trx_commit=1
innodb_buffer_pool_size=${HQR_DB_BUFFER_POOL:-128M}
innodb_log_file_size=${HQR_DB_LOG_FILE:-96M}
max_connections=1000
default-time-zone=+00:00
# Galera: every node takes writes; a write set is certified cluster-wide at commit.
binlog_format=ROW
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$GALERA
wsrep_cluster_name=hqr
wsrep_node_name=node$n
wsrep_cluster_address=gcomm://$addrs
wsrep_node_address=127.0.0.1:$(port_of GCOMM_PORT "$n")
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$(port_of GCOMM_PORT "$n");ist.recv_addr=127.0.0.1:$(port_of IST_PORT "$n");gcache.size=256M"
wsrep_sst_method=mariabackup
wsrep_sst_auth=root:
wsrep_sst_receive_address=127.0.0.1:$(port_of SST_PORT "$n")
wsrep_slave_threads=2
# A read waits until this node has applied what the cluster committed before it: a scan on one
# host sees the code an officer turned red through another host a moment earlier.
wsrep_sync_wait=1

[client]
socket=$d/mysqld.sock
CNF
}

node_pid() { local f; f="$(node_dir "$1")/mysqld.pid"; [ -f "$f" ] && cat "$f"; }
node_alive() { local p; p=$(node_pid "$1" || true); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
node_status() { # node_status N VARIABLE
  mariadb --defaults-file="$(node_dir "$1")/my.cnf" -uroot -N -B --connect-timeout=1 \
    -e "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | awk '{print $2}'
}
node_synced() { [ "$(node_status "$1" wsrep_local_state_comment)" = Synced ] && [ "$(node_status "$1" wsrep_ready)" = ON ]; }

# node_start N [bootstrap]: starts node N (a new cluster when bootstrap) and waits until synced;
# a node with an empty data directory joins by state transfer (SST), one with data by IST.
node_launch() {
  local n=$1 d extra=""
  d=$(node_dir "$n")
  node_alive "$n" && return 0
  [ "${2:-}" = bootstrap ] && extra=--wsrep-new-cluster
  rm -f "$d/mysqld.pid"
  mkdir -p "$d/data"
  # shellcheck disable=SC2086
  setsid /usr/sbin/mariadbd --defaults-file="$d/my.cnf" $extra </dev/null >>"$d/stdout.log" 2>&1 &
  # The server writes the same pid itself once it has read its options; written here at once, a
  # stop that comes while the node still starts (a state transfer takes a while) finds it.
  echo $! > "$d/mysqld.pid"
}
node_wait() {
  wait_for "${HQR_NODE_WAIT:-300}" node_synced "$1" \
    || { tail -n 30 "$(node_dir "$1")/error.log" >&2; die "Galera node $1 did not reach Synced"; }
}
node_start() { node_launch "$@"; node_wait "$1"; }

node_stop() {
  local n=$1 d pid
  d=$(node_dir "$n")
  node_alive "$n" || return 0
  pid=$(node_pid "$n")
  # Asked again every 3 s: a node still joining (its state transfer) takes neither the client's
  # shutdown (no socket yet) nor, measured here, a SIGTERM sent then; once it serves it takes them.
  local end=$((SECONDS + 60)) next=0
  while alive "$pid" && [ $SECONDS -lt $end ]; do
    if [ $SECONDS -ge $next ]; then
      mariadb-admin --defaults-file="$d/my.cnf" --connect-timeout=2 shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      next=$((SECONDS + 3))
    fi
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
}

node_kill() { local p; p=$(node_pid "$1" || true); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; }

# The node a cluster that is wholly down starts from: one whose data was just restored from a
# backup (hqrctl restore: a database, no Galera state yet; the others then take it by SST, their
# old state being another cluster's); else the one Galera marked safe to bootstrap (the last to
# leave cleanly); else the one with the highest committed seqno.
bootstrap_node() {
  local n best=1 seq top=-2 d
  for n in $(seq 1 $NODES); do
    d="$(node_dir "$n")/data"
    if [ -d "$d/mysql" ] && [ ! -f "$d/grastate.dat" ]; then echo "$n"; return; fi
  done
  for n in $(seq 1 $NODES); do
    if grep -q '^safe_to_bootstrap: 1' "$(node_dir "$n")/data/grastate.dat" 2>/dev/null; then echo "$n"; return; fi
  done
  for n in $(seq 1 $NODES); do
    seq=$(awk '/^seqno:/ {print $2}' "$(node_dir "$n")/data/grastate.dat" 2>/dev/null || echo -1)
    [ "${seq:--1}" -gt $top ] && { top=${seq:--1}; best=$n; }
  done
  sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$(node_dir "$best")/data/grastate.dat" 2>/dev/null || true
  echo "$best"
}

cluster_db_start() {
  local n any=0 first
  for n in $(seq 1 $NODES); do node_alive "$n" && any=1; done
  if [ $any = 0 ]; then
    first=$(bootstrap_node)
    node_start "$first" bootstrap
  fi
  # The others join at once (each by IST, or SST from a donor the cluster picks).
  for n in $(seq 1 $NODES); do node_launch "$n"; done
  for n in $(seq 1 $NODES); do node_wait "$n"; done
}

# The last node to stop is node 1, so that a whole restart bootstraps from it.
cluster_db_stop() {
  local n
  for n in $(seq $NODES -1 1); do node_stop "$n"; done
}

provision() {
  local pw cnf
  cnf="$(node_dir 1)/my.cnf"
  mkdir -p "$DIR/secrets"; chmod 700 "$DIR/secrets"
  [ -s "$DIR/secrets/db_password" ] || (umask 077; openssl rand -hex 24 > "$DIR/secrets/db_password")
  pw=$(cat "$DIR/secrets/db_password")
  mariadb --defaults-file="$cnf" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS hqr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'hqr'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'hqr'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON hqr.* TO 'hqr'@'localhost';
GRANT ALL PRIVILEGES ON hqr.* TO 'hqr'@'127.0.0.1';
SQL
}

# Host N's database order: its own node first, then the others (nodes 1..3 round the ring).
node_order() {
  local first=$(( ($1 - 1) % NODES + 1 )) i n out=""
  for i in $(seq 0 $((NODES - 1))); do
    n=$(( (first - 1 + i) % NODES + 1 ))
    out="$out${out:+,}127.0.0.1:$(port_of DB_PORT "$n")"
  done
  echo "$out"
}

photo_store() { echo "$DIR/data"; }

# Host 1's config comes from stack.sh's write_conf; host 2's is host 1's with its own paths. The
# keys and secrets are copied as they are (mode 0600): what a deployment ships to every host.
host_conf() {
  local n=$1 h order
  h=$(host_dir "$n")
  order=$(node_order "$n")
  if [ "$n" = 1 ]; then
    write_conf
    set_ini "$DIR/hqr.conf" database socket ""
    # Backups (hqrctl backup, restore) are host 1's, of node 1 (mariadb-backup on a Galera node).
    set_ini "$DIR/hqr.conf" backup mariadb_cnf "$(node_dir 1)/my.cnf"
  else
    mkdir -p "$h/run" "$h/log"
    rm -rf "$h/keys" "$h/secrets"
    cp -a "$DIR/keys" "$h/keys"
    cp -a "$DIR/secrets" "$h/secrets"
    (umask 077; sed -e "s|$DIR/run/|$h/run/|" -e "s|$DIR/keys|$h/keys|" -e "s|$DIR/secrets/|$h/secrets/|" \
      "$DIR/hqr.conf" > "$h/hqr.conf")
  fi
  # One photo store for every host (photos are files, not rows): DIR/data here, where production
  # mounts one shared file system at the same path on every host.
  set_ini "$h/hqr.conf" app data_dir "$(photo_store)"
  set_ini "$h/hqr.conf" database host 127.0.0.1
  set_ini "$h/hqr.conf" database port "$(echo "${order%%,*}" | cut -d: -f2)"
  set_ini "$h/hqr.conf" database fallback "${order#*,}"
}

# Both hosts must serve the same service: the same keys and secrets byte for byte, and the same
# config once each host's own paths and node order are set aside.
hosts_identical() {
  local h2; h2=$(host_dir 2)
  diff -r "$DIR/keys" "$h2/keys" >/dev/null && diff -r "$DIR/secrets" "$h2/secrets" >/dev/null &&
    diff <(grep -vE '^(port|fallback) *=' "$DIR/hqr.conf") \
         <(sed -e "s|$h2/|$DIR/|g" "$h2/hqr.conf" | grep -vE '^(port|fallback) *=') >/dev/null
}

# keys-sync: host 1's keys to every other host (what a deployment's configuration management does
# after `hqrctl keys rotate` on the operator's host), then every host reloads them (SIGHUP) and
# this waits until each master's workers are the new ones and serve.
keys_sync() {
  local n h pid old left end
  for n in $(seq 2 $HOSTS); do
    h=$(host_dir "$n")
    rm -rf "$h/keys.new"; cp -a "$DIR/keys" "$h/keys.new"
    rm -rf "$h/keys"; mv "$h/keys.new" "$h/keys"
  done
  for n in $(seq 1 $HOSTS); do
    pid=$(cat "$(host_dir "$n")/run/hqr.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || continue
    old=$(pgrep -P "$pid" | tr '\n' ' ' || true)
    kill -HUP "$pid"
    end=$((SECONDS + 40))
    while [ $SECONDS -lt $end ]; do
      left=0
      for w in $old; do kill -0 "$w" 2>/dev/null && [ "$(ps -o ppid= -p "$w" | tr -d ' ')" = "$pid" ] && left=1; done
      [ $left = 0 ] && break
      sleep 0.05
    done
    # The next host reloads once this one serves again: never both away at once.
    wait_for 60 host_serving "$n" || die "host $n does not serve after its reload"
  done
}

host_start() { local n=$1; DIR=$(host_dir "$n") app_start; }

# Whether host N's workers accept: its own metrics port (nginx straight to that host's socket)
# answers. A master's socket exists before its workers hold their database connections and
# accept; until then nginx's requests to that host wait in its socket's backlog while the other
# host serves, and two requests sent one after the other are served in the other order.
host_serving() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$(port_of METRICS_PORT "$1")/metrics"; }
hosts_serving() {
  local n
  for n in $(seq 1 $HOSTS); do
    wait_for 60 host_serving "$n" || die "host $n does not serve (see $(host_dir "$n")/log/app.log)"
  done
}
host_stop() { local n=$1; DIR=$(host_dir "$n") app_stop; }

# host-kill: kill -9 of host N's master (its workers drain and follow it), as a crash would.
host_kill() { local p; p=$(cat "$(host_dir "$1")/run/hqr.pid" 2>/dev/null || true); [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; }

cluster_app_start() { local n; for n in $(seq 1 $HOSTS); do host_start "$n"; done; }
cluster_app_stop() { local n; for n in $(seq $HOSTS -1 1); do host_stop "$n"; done; }

# nginx: stack.sh's configuration with both hosts in the upstream. A host that refuses a
# connection (its master gone) is skipped for fail_timeout, and the request goes to the other.
cluster_nginx_conf() {
  APP_HOSTS=$HOSTS nginx_conf
  local ups="" n
  for n in $(seq 1 $HOSTS); do
    ups="$ups server unix:$(host_dir "$n")/run/hqr.sock max_fails=1 fail_timeout=${HQR_FAIL_TIMEOUT:-5s};"
  done
  sed -i "s|server unix:$DIR/run/hqr.sock;|$ups|" "$DIR/nginx/nginx.conf"
  # Each host's own /metrics on its own loopback port, as a scraper reads every host apart.
  sed '/fastcgi_pass/d' "$ROOT/nginx/fastcgi.conf" > "$DIR/nginx/fastcgi-host.conf"
  : > "$DIR/nginx/extra/hosts.conf"
  for n in $(seq 1 $HOSTS); do
    cat >> "$DIR/nginx/extra/hosts.conf" <<CONF
    server {  # host $n's metrics
        listen 127.0.0.1:$(port_of METRICS_PORT "$n");
        access_log off;
        location = /metrics {
            fastcgi_pass unix:$(host_dir "$n")/run/hqr.sock;
            include $DIR/nginx/fastcgi-host.conf;
        }
        location / { return 404; }
    }
CONF
  done
  grep -q "$(host_dir 2)/run/hqr.sock" "$DIR/nginx/nginx.conf" || die "the upstream of nginx.conf.in was not found"
  nginx -t -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e stderr >/dev/null 2>"$DIR/nginx/test.log" \
    || { cat "$DIR/nginx/test.log" >&2; die "nginx configuration is invalid"; }
}

write_env() {
  {
    echo "DB_PORT=$DB_PORT_1"
    echo "HTTP_PORT=$HTTP_PORT"
    echo "SIM_PORT=$SIM_PORT"
    echo "HQR_CONF=$DIR/hqr.conf"
    echo "DB_CNF=$(node_dir 1)/my.cnf"
    echo "APP_LOG=$DIR/log/app.log"
    echo "CLUSTER=1"
    local n kind
    for kind in DB_PORT GCOMM_PORT IST_PORT SST_PORT; do
      for n in $(seq 1 $NODES); do echo "${kind}_$n=$(port_of "$kind" "$n")"; done
    done
    for n in $(seq 1 $HOSTS); do echo "METRICS_PORT_$n=$(port_of METRICS_PORT "$n")"; done
    echo "HOST2_DIR=$(host_dir 2)"
  } > "$DIR/stack.env"
}

cluster_ports() {
  local want_http=${1:-0} n kind
  mkdir -p "$DIR"; chmod 755 "$DIR"
  if [ -f "$DIR/stack.env" ]; then
    load_env
  else
    for kind in DB_PORT GCOMM_PORT IST_PORT SST_PORT; do
      for n in $(seq 1 $NODES); do printf -v "${kind}_$n" '%s' "$(free_port)"; done
    done
    for n in $(seq 1 $HOSTS); do printf -v "METRICS_PORT_$n" '%s' "$(free_port)"; done
    SIM_PORT=$(free_port)
    HTTP_PORT=$want_http
  fi
  [ "$want_http" != 0 ] && HTTP_PORT=$want_http
  [ "$HTTP_PORT" = 0 ] && HTTP_PORT=$(free_port)
  DB_PORT=$DB_PORT_1
  write_env
  for n in $(seq 1 $NODES); do node_cnf "$n"; done
}

# init: the configuration and secrets of a cluster, no data (stack.sh init's counterpart).
cluster_init() {
  [ -f "$DIR/stack.env" ] && die "$DIR is an instance already"
  cluster_ports "${1:-0}"
  mkdir -p "$DIR/secrets"; chmod 700 "$DIR/secrets"
  [ -s "$DIR/secrets/db_password" ] || (umask 077; openssl rand -hex 24 > "$DIR/secrets/db_password")
  platform_secrets
  host_conf 1
}

# The ports of 127.0.0.1 among those given that another program holds (a bind fails).
busy_ports() {
  /usr/bin/python3 - "$@" <<'PY'
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(p)))
    except OSError:
        print(p)
    finally:
        s.close()
PY
}

# Before starting: every port of a part that does not run yet must be free. A port another
# program holds would otherwise fail far from its cause: nginx cannot bind the HTTP port, and the
# wait for its /healthz meets the other program (another `make run` on 8080 answers it) or hangs.
check_ports() {
  local n want=() what=() p w busy msg=""
  if ! { [ -f "$DIR/nginx/nginx.pid" ] && alive "$(cat "$DIR/nginx/nginx.pid")"; }; then
    want+=("$HTTP_PORT"); what+=("the HTTP port, nginx's (HQR_PORT, or cluster.sh start DIR PORT, sets it)")
    for n in $(seq 1 $HOSTS); do want+=("$(port_of METRICS_PORT "$n")"); what+=("host $n's metrics port, nginx's"); done
  fi
  if ! { [ -f "$DIR/run/sim.pid" ] && alive "$(cat "$DIR/run/sim.pid")"; }; then
    want+=("$SIM_PORT"); what+=("the platform simulator's port")
  fi
  for n in $(seq 1 $NODES); do
    node_alive "$n" && continue
    for p in DB_PORT GCOMM_PORT IST_PORT SST_PORT; do
      want+=("$(port_of "$p" "$n")"); what+=("Galera node $n's ${p%_PORT} port")
    done
  done
  [ ${#want[@]} -gt 0 ] || return 0
  busy=$(busy_ports "${want[@]}")
  [ -z "$busy" ] && return 0
  for n in "${!want[@]}"; do
    for w in $busy; do
      [ "${want[$n]}" = "$w" ] && msg="$msg
  127.0.0.1:$w, ${what[$n]}"
    done
  done
  die "ports of this cluster are in use by another program (another make run or make run-cluster?):$msg
Stop that program or give this cluster other ports: the HTTP port with HQR_PORT=N make run-cluster
(make run takes 8080 too); the others by removing $DIR/stack.env (the next start takes new free ports;
the data stays)."
}

cluster_start() {
  local n
  cluster_ports "${1:-0}"
  check_ports
  if [ ! -d "$(node_dir 1)/data/mysql" ]; then
    local d; d=$(node_dir 1)
    mariadb-install-db --defaults-file="$d/my.cnf" --user=root --auth-root-authentication-method=normal \
      --skip-test-db >"$d/install.log" 2>&1 || { cat "$d/install.log" >&2; die "mariadb-install-db failed"; }
    node_start 1 bootstrap
    provision
  fi
  cluster_db_start
  platform_secrets
  # Keys and migrations once, from host 1; host 2 receives copies of the keys.
  host_conf 1
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" keys init >/dev/null
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" migrate >"$DIR/migrate.log" 2>&1 \
    || { cat "$DIR/migrate.log" >&2; die "migrations failed"; }
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" partitions >>"$DIR/migrate.log" 2>&1 \
    || { cat "$DIR/migrate.log" >&2; die "partitions failed"; }
  for n in $(seq 2 $HOSTS); do host_conf "$n"; done
  hosts_identical || die "the two hosts' keys or config differ"
  cluster_nginx_conf
  sim_start
  cluster_app_start
  nginx_start
  hosts_serving
}

cluster_stop() {
  nginx_stop
  cluster_app_stop
  sim_stop
  cluster_db_stop
}

# One line per part; exit status 0 when every node is synced in a cluster of three, every host's
# master lives and answers, and nginx answers.
cluster_status() {
  local ok=0 n size state h pid
  for n in $(seq 1 $NODES); do
    if node_alive "$n"; then
      size=$(node_status "$n" wsrep_cluster_size); state=$(node_status "$n" wsrep_local_state_comment)
      echo "node $n  127.0.0.1:$(port_of DB_PORT "$n")  pid $(node_pid "$n")  ${state:-unknown}, cluster size ${size:-?}"
      [ "$state" = Synced ] && [ "$size" = $NODES ] || ok=1
    else
      echo "node $n  127.0.0.1:$(port_of DB_PORT "$n")  down"; ok=1
    fi
  done
  for n in $(seq 1 $HOSTS); do
    h=$(host_dir "$n")
    pid=$(cat "$h/run/hqr.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      echo "host $n  master $pid  socket $h/run/hqr.sock  config $h/hqr.conf  log $h/log/app.log"
    else
      echo "host $n  down"; ok=1
    fi
  done
  if hosts_identical; then echo "keys and config: the same on both hosts"; else echo "keys or config differ between the hosts"; ok=1; fi
  echo "photos   $(photo_store) (one store, every host)"
  if curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$HTTP_PORT/readyz"; then
    echo "nginx    http://127.0.0.1:$HTTP_PORT/  ready"
  else
    echo "nginx    http://127.0.0.1:$HTTP_PORT/  not ready"; ok=1
  fi
  return $ok
}

# Every process of the cluster (for a harness that must leave nothing behind).
cluster_pids() {
  local n f
  for n in $(seq 1 $NODES); do node_pid "$n" || true; done
  for f in "$DIR/run/hqr.pid" "$(host_dir 2)/run/hqr.pid" "$DIR/run/sim.pid" "$DIR/nginx/nginx.pid"; do
    [ -f "$f" ] && cat "$f"
  done
  for n in $(seq 1 $HOSTS); do
    f="$(host_dir "$n")/run/hqr.pid"
    [ -f "$f" ] && pgrep -P "$(cat "$f")" || true
  done
}

cmd=${1:-}; DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || { sed -n '2,13p' "$0" >&2; exit 2; }
DIR=$(abspath "$DIR")
num() { [[ "${1:-}" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$2" ] || die "give a number from 1 to $2"; }
case "$cmd" in
  start) cluster_start "${3:-0}" ;;
  init) cluster_init "${3:-0}" ;;
  stop) [ -f "$DIR/stack.env" ] && load_env; cluster_stop ;;
  status) load_env; cluster_status ;;
  node-start) load_env; num "${3:-}" $NODES; node_start "$3" ;;
  node-stop) load_env; num "${3:-}" $NODES; node_stop "$3" ;;
  node-kill) load_env; num "${3:-}" $NODES; node_kill "$3" ;;
  host-start) load_env; num "${3:-}" $HOSTS; host_start "$3"
              if [ -f "$DIR/nginx/nginx.pid" ]; then wait_for 60 host_serving "$3" || die "host $3 does not serve"; fi ;;
  host-stop) load_env; num "${3:-}" $HOSTS; host_stop "$3" ;;
  host-kill) load_env; num "${3:-}" $HOSTS; host_kill "$3" ;;
  db-start) load_env; cluster_db_start ;;
  db-stop) load_env; cluster_db_stop ;;
  app-start) load_env; cluster_app_start ;;
  app-stop) load_env; cluster_app_stop ;;
  sim-start) load_env; sim_start ;;
  sim-stop) load_env; sim_stop ;;
  nginx-start) load_env; nginx_start ;;
  nginx-stop) load_env; nginx_stop ;;
  pids) load_env; cluster_pids ;;
  keys-sync) load_env; keys_sync ;;
  *) die "unknown command $cmd" ;;
esac

#!/usr/bin/env bash
# stack.sh: starts and stops the service's processes (MariaDB, hqr-fcgi, nginx) in one directory.
#   stack.sh start DIR [HTTP_PORT]   first run: creates the database, config and secrets in DIR
#   stack.sh stop DIR                stops whatever DIR's processes are still running
#   stack.sh init DIR [HTTP_PORT]    only the configuration and secrets, no data: an instance to
#                                    restore a backup into (hqrctl restore), then start
#   stack.sh db-start|db-stop|app-start|app-stop|sim-start|sim-stop|nginx-start|nginx-stop DIR
# HTTP_PORT 0 (the default) picks a free loopback port. DIR/stack.env records ports and paths.
# The binaries come from $HQR_BUILD (default build/); run it from the repository root.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HQR_BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac

die() { echo "stack: $*" >&2; exit 1; }
# alive PID: the process runs. kill -0 also succeeds for one that has exited and waits to be reaped
# (a zombie): what was started with setsid belongs to init once its starter exits, and an init
# that reaps late (a container's) would make every stop below wait its whole limit.
alive() {
  local st
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "${st%% *}" != Z ]
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

abspath() { mkdir -p "$1"; (cd "$1" && pwd); }

# Reads DIR/stack.env into the environment.
load_env() {
  [ -f "$DIR/stack.env" ] || die "$DIR/stack.env is missing: run 'stack.sh start $DIR' first"
  # shellcheck disable=SC1091
  . "$DIR/stack.env"
}

wait_for() { # wait_for SECONDS COMMAND...
  local limit=$1; shift
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || return 1
    sleep 0.05
  done
}

db_cnf() {
  local db="$DIR/db"
  mkdir -p "$db/tmp"
  cat > "$db/my.cnf" <<CNF
[mariadbd]
datadir=$db/data
socket=$db/mysqld.sock
pid-file=$db/mysqld.pid
log-error=$db/error.log
tmpdir=$db/tmp
port=$DB_PORT
bind-address=127.0.0.1
skip-networking=0
user=root
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb_flush_log_at_trx_commit=1
innodb_buffer_pool_size=${HQR_DB_BUFFER_POOL:-256M}
innodb_log_file_size=${HQR_DB_LOG_FILE:-96M}
max_connections=1000
default-time-zone=+00:00

[client]
socket=$db/mysqld.sock
CNF
}

db_init() {
  local db="$DIR/db"
  db_cnf
  mkdir -p "$db/data"
  mariadb-install-db --defaults-file="$db/my.cnf" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$db/install.log" 2>&1 \
    || { cat "$db/install.log" >&2; die "mariadb-install-db failed"; }
}

db_start() {
  local db="$DIR/db"
  if [ -f "$db/mysqld.pid" ] && alive "$(cat "$db/mysqld.pid")"; then return 0; fi
  setsid /usr/sbin/mariadbd --defaults-file="$db/my.cnf" </dev/null >>"$db/stdout.log" 2>&1 &
  wait_for 60 mariadb-admin --defaults-file="$db/my.cnf" --connect-timeout=1 ping \
    || { tail -n 30 "$db/error.log" >&2; die "MariaDB did not start"; }
}

db_stop() {
  local db="$DIR/db"
  [ -f "$db/my.cnf" ] || return 0
  if [ -f "$db/mysqld.pid" ] && alive "$(cat "$db/mysqld.pid")"; then
    local pid; pid=$(cat "$db/mysqld.pid")
    mariadb-admin --defaults-file="$db/my.cnf" --connect-timeout=2 shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local end=$((SECONDS + 30))
    while alive "$pid" && [ $SECONDS -lt $end ]; do sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# Creates the application's database and user with a generated password (first run only).
db_password() {
  mkdir -p "$DIR/secrets"; chmod 700 "$DIR/secrets"
  if [ ! -s "$DIR/secrets/db_password" ]; then
    (umask 077; openssl rand -hex 24 > "$DIR/secrets/db_password")
  fi
}

db_provision() {
  local pw
  db_password
  pw=$(cat "$DIR/secrets/db_password")
  mariadb --defaults-file="$DIR/db/my.cnf" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS hqr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'hqr'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'hqr'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON hqr.* TO 'hqr'@'localhost';
GRANT ALL PRIVILEGES ON hqr.* TO 'hqr'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
}

# set_ini FILE SECTION KEY VALUE: replaces KEY's value inside [SECTION].
set_ini() {
  local f=$1 sec=$2 key=$3 val=$4 tmp
  tmp=$(mktemp)
  awk -v sec="[$sec]" -v key="$key" -v val="$val" '
    /^\[/ { cur=$0 }
    cur==sec && $0 ~ "^"key"[ \t]*=" { print key " = " val; next }
    { print }' "$f" > "$tmp"
  cat "$tmp" > "$f"; rm -f "$tmp"
}

# get_ini FILE SECTION KEY DEFAULT: KEY's value inside [SECTION], or DEFAULT.
get_ini() {
  local v
  v=$(awk -v sec="[$2]" -v key="$3" '
    /^\[/ { cur=$0 }
    cur==sec && $0 ~ "^"key"[ \t]*=" { sub("^[^=]*=[ \t]*", ""); sub("[ \t]*(;.*)?$", ""); print; exit }' "$1")
  echo "${v:-$4}"
}

# The platform's credentials, shared by the simulator and the service's config (first run only).
platform_secrets() {
  mkdir -p "$DIR/secrets"; chmod 700 "$DIR/secrets"
  (umask 077
   [ -s "$DIR/secrets/appid" ] || echo "wx$(openssl rand -hex 8)" > "$DIR/secrets/appid"
   [ -s "$DIR/secrets/platform_secret" ] || openssl rand -hex 16 > "$DIR/secrets/platform_secret"
   [ -s "$DIR/secrets/push_token" ] || openssl rand -hex 16 > "$DIR/secrets/push_token"
   [ -s "$DIR/secrets/aes_key" ] || openssl rand -base64 96 | tr -dc 'A-Za-z0-9' | head -c 43 > "$DIR/secrets/aes_key")
}

write_conf() {
  local f="$DIR/hqr.conf"
  [ -f "$f" ] && return 0
  (umask 077; cp "$ROOT/conf/hqr.conf.example" "$f")
  set_ini "$f" server socket "$DIR/run/hqr.sock"
  set_ini "$f" server workers "${HQR_WORKERS:-2}"
  set_ini "$f" server threads "${HQR_THREADS:-16}"
  set_ini "$f" database socket "$DIR/db/mysqld.sock"
  set_ini "$f" database port "$DB_PORT"
  set_ini "$f" database password "file:$DIR/secrets/db_password"
  set_ini "$f" app data_dir "$DIR/data"
  set_ini "$f" app keys_dir "$DIR/keys"
  set_ini "$f" app migrations_dir "$ROOT/sql"
  set_ini "$f" app local_http true
  set_ini "$f" app user ""
  set_ini "$f" backup mariadb_cnf "$DIR/db/my.cnf"
  set_ini "$f" app public_url "http://127.0.0.1:$HTTP_PORT"
  set_ini "$f" platform authorize_base "http://127.0.0.1:$SIM_PORT"
  set_ini "$f" platform api_base "http://127.0.0.1:$SIM_PORT"
  set_ini "$f" platform appid "$(cat "$DIR/secrets/appid")"
  set_ini "$f" platform secret "file:$DIR/secrets/platform_secret"
  set_ini "$f" platform push_token "file:$DIR/secrets/push_token"
  set_ini "$f" platform aes_key "file:$DIR/secrets/aes_key"
  mkdir -p "$DIR/data" "$DIR/keys"; chmod 700 "$DIR/data" "$DIR/keys"
}

nginx_conf() {
  local user=""
  # As root, nginx's workers would run as nobody, which cannot enter a private checkout.
  [ "$(id -u)" = 0 ] && user="user root root;"
  mkdir -p "$DIR/nginx/nginx-tmp"
  # The application's capacity at the door: each worker's [server] threads, on each of APP_HOSTS
  # hosts (cluster.sh's); nginx refuses past it itself (HQR_APP_CONNS sets it, as a test may). A
  # request refused at the door waits less than one queued behind busy threads (README, "Past
  # capacity"): the queue is left to what the door does not count (uploads, batches, admin paths).
  local f="$DIR/hqr.conf" cap
  cap=$(( ${APP_HOSTS:-1} * $(get_ini "$f" server workers 2) * $(get_ini "$f" server threads 16) ))
  cap=${HQR_APP_CONNS:-$cap}
  # Refusals answered at once per address and in all, a second; faster ones are held (HQR_HOLD_RATE,
  # HQR_HOLD_ALL_RATE).
  local hold=${HQR_HOLD_RATE:-1000} hold_all=${HQR_HOLD_ALL_RATE:-2000}
  sed -e "s|@USER@|$user|" -e "s|@RUN@|$DIR/nginx|g" -e "s|@LISTEN@|127.0.0.1:$HTTP_PORT|" \
      -e "s|@SOCKET@|$DIR/run/hqr.sock|" -e "s|@HTML@|$ROOT/nginx/html|" -e "s|@DOCS@|$BUILD/docs|" -e "s|@CONF@|$ROOT/nginx|g" \
      -e "s|@RATE@|${HQR_RATE:-200}|" -e "s|@BURST@|${HQR_BURST:-400}|" \
      -e "s|@PROBE_RATE@|${HQR_PROBE_RATE:-20}|" -e "s|@PROBE_BURST@|${HQR_PROBE_BURST:-100}|" \
      -e "s|@PLATFORM_RATE@|${HQR_PLATFORM_RATE:-100}|" -e "s|@PLATFORM_BURST@|${HQR_PLATFORM_BURST:-400}|" \
      -e "s|@CONN_PER_ADDR@|${HQR_CONN_PER_ADDR:-64}|" -e "s|@UPLOADS_PER_ADDR@|${HQR_UPLOADS_PER_ADDR:-8}|" \
      -e "s|@UPLOADS@|${HQR_UPLOADS:-64}|" -e "s|@WORKER_CONNECTIONS@|${HQR_WORKER_CONNECTIONS:-2048}|" \
      -e "s|@WORKER_NOFILE@|$(( ${HQR_WORKER_CONNECTIONS:-2048} * 2 ))|" \
      -e "s|@APP_CONNS@|$cap|" -e "s|@HOLD_RATE@|$hold|g" -e "s|@HOLD_ALL_RATE@|$hold_all|g" \
      -e "s|@HOLD_BURST@|$(( hold_all + 2 * ${HQR_WORKER_CONNECTIONS:-2048} ))|g" \
      -e "s|@ADMIN_ALLOW@|allow 127.0.0.1; allow ::1;|g" \
      "$ROOT/nginx/nginx.conf.in" > "$DIR/nginx/nginx.conf"
  mkdir -p "$DIR/nginx/extra"
  if [ -x "$BUILD/hqr-platform-sim" ]; then
    cat > "$DIR/nginx/extra/sim.conf" <<CONF
    # The platform simulator (development and tests only).
    server {
        listen 127.0.0.1:$SIM_PORT;
        access_log $DIR/nginx/sim-access.log hqr_json;
        location / {
            fastcgi_pass unix:$DIR/run/sim.sock;
            include $ROOT/nginx/fastcgi_sim.conf;
        }
    }
CONF
  else
    rm -f "$DIR/nginx/extra/sim.conf"
  fi
  # nginx's connection counts (stub_status) on a unix socket of this run's own directory, never
  # on a port: the tests wait on them (connections nginx holds, headers it has read) instead of
  # sleeping. Development and tests only, as the simulator's server.
  cat > "$DIR/nginx/extra/status.conf" <<CONF
    # nginx's own counts (development and tests only): reachable only through this socket file.
    server {
        listen unix:$DIR/nginx/status.sock;
        access_log off;
        location = /status {
            stub_status;
        }
        location / {
            return 404;
        }
    }
CONF
  nginx -t -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e stderr >/dev/null 2>"$DIR/nginx/test.log" \
    || { cat "$DIR/nginx/test.log" >&2; die "nginx configuration is invalid"; }
}

sim_start() {
  [ -x "$BUILD/hqr-platform-sim" ] || return 0
  mkdir -p "$DIR/run" "$DIR/log"
  if [ -f "$DIR/run/sim.pid" ] && alive "$(cat "$DIR/run/sim.pid")"; then return 0; fi
  rm -f "$DIR/run/sim.sock"
  # The authorization domain is the public URL's host and port (the stack's own port unless a
  # test serves the service elsewhere, over TLS for one).
  local domain
  domain=$(awk '/^\[/ { app = ($0 == "[app]") } app && /^public_url[ \t]*=/ { sub(/^[^=]*=[ \t]*/, ""); print }' \
    "$DIR/hqr.conf" 2>/dev/null | sed -E 's|^https?://||; s|/.*||') || domain=""
  [ -n "$domain" ] || domain="127.0.0.1:$HTTP_PORT"
  setsid "$BUILD/hqr-platform-sim" serve -s "$DIR/run/sim.sock" -a "$(cat "$DIR/secrets/appid")" \
    -k "$(cat "$DIR/secrets/platform_secret")" -t "$(cat "$DIR/secrets/push_token")" \
    -e "$(cat "$DIR/secrets/aes_key")" -d "$domain" \
    -u "http://127.0.0.1:$HTTP_PORT/platform/callback" </dev/null >>"$DIR/log/sim.log" 2>&1 &
  echo $! > "$DIR/run/sim.pid"
  wait_for 10 test -S "$DIR/run/sim.sock" || { tail -n 20 "$DIR/log/sim.log" >&2; die "the platform simulator did not start"; }
}

sim_stop() { stop_pidfile "$DIR/run/sim.pid" TERM 10; }

app_start() {
  mkdir -p "$DIR/run" "$DIR/log"
  if [ -f "$DIR/run/hqr.pid" ] && alive "$(cat "$DIR/run/hqr.pid")"; then return 0; fi
  setsid "$BUILD/hqr-fcgi" -c "$DIR/hqr.conf" </dev/null >>"$DIR/log/app.log" 2>&1 &
  echo $! > "$DIR/run/hqr.pid"
  wait_for 10 test -S "$DIR/run/hqr.sock" || { tail -n 20 "$DIR/log/app.log" >&2; die "hqr-fcgi did not start"; }
}

stop_pidfile() { # stop_pidfile FILE SIGNAL SECONDS
  local f=$1 sig=$2 limit=$3 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f")
  if alive "$pid"; then
    kill "-$sig" "$pid" 2>/dev/null || true
    local end=$((SECONDS + limit))
    while alive "$pid" && [ $SECONDS -lt $end ]; do sleep 0.05; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

app_stop() { stop_pidfile "$DIR/run/hqr.pid" TERM 35; }

nginx_start() {
  if [ -f "$DIR/nginx/nginx.pid" ] && alive "$(cat "$DIR/nginx/nginx.pid")"; then return 0; fi
  rm -f "$DIR/nginx/status.sock"  # left by an nginx that was killed: it would refuse to bind
  setsid nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/nginx-error.log" </dev/null >>"$DIR/nginx/stdout.log" 2>&1 &
  wait_for 10 curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$HTTP_PORT/healthz" \
    || { tail -n 20 "$DIR/nginx/nginx-error.log" >&2; die "nginx did not answer on port $HTTP_PORT"; }
}

nginx_stop() { stop_pidfile "$DIR/nginx/nginx.pid" QUIT 10; }

write_env() {
  cat > "$DIR/stack.env" <<ENV
DB_PORT=$DB_PORT
HTTP_PORT=$HTTP_PORT
SIM_PORT=$SIM_PORT
HQR_CONF=$DIR/hqr.conf
DB_CNF=$DIR/db/my.cnf
APP_LOG=$DIR/log/app.log
ENV
}

init() {
  local want_http=${1:-0}
  [ -f "$DIR/stack.env" ] && die "$DIR is an instance already"
  mkdir -p "$DIR"; chmod 755 "$DIR"
  DB_PORT=$(free_port)
  SIM_PORT=$(free_port)
  HTTP_PORT=$want_http
  [ "$HTTP_PORT" = 0 ] && HTTP_PORT=$(free_port)
  write_env
  db_cnf
  db_password
  platform_secrets
  write_conf
}

start() {
  local want_http=${1:-0}
  mkdir -p "$DIR"; chmod 755 "$DIR"
  if [ -f "$DIR/stack.env" ]; then
    load_env
    SIM_PORT=${SIM_PORT:-$(free_port)}
  else
    DB_PORT=$(free_port)
    SIM_PORT=$(free_port)
    HTTP_PORT=$want_http
  fi
  [ "$want_http" != 0 ] && HTTP_PORT=$want_http
  [ "$HTTP_PORT" = 0 ] && HTTP_PORT=$(free_port)
  write_env
  if [ ! -d "$DIR/db/data/mysql" ]; then
    db_init
    db_start
    db_provision
  else
    db_start
  fi
  platform_secrets
  write_conf
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" keys init >/dev/null
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" migrate >"$DIR/migrate.log" 2>&1 \
    || { cat "$DIR/migrate.log" >&2; die "migrations failed"; }
  "$BUILD/hqrctl" -c "$DIR/hqr.conf" partitions >>"$DIR/migrate.log" 2>&1 \
    || { cat "$DIR/migrate.log" >&2; die "partitions failed"; }
  nginx_conf
  sim_start
  app_start
  nginx_start
}

stop() {
  nginx_stop
  app_stop
  sim_stop
  db_stop
}

# Sourced (scripts/cluster.sh reuses these functions), it stops here.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

cmd=${1:-}; DIR=${2:-}
[ -n "$cmd" ] && [ -n "$DIR" ] || { sed -n '2,9p' "$0" >&2; exit 2; }
DIR=$(abspath "$DIR")
case "$cmd" in
  start) start "${3:-0}" ;;
  init) init "${3:-0}" ;;
  stop) stop ;;
  db-start) load_env; db_start ;;
  db-stop) load_env; db_stop ;;
  app-start) load_env; app_start ;;
  sim-start) load_env; sim_start ;;
  sim-stop) load_env; sim_stop ;;
  app-stop) load_env; app_stop ;;
  nginx-start) load_env; nginx_start ;;
  nginx-stop) load_env; nginx_stop ;;
  *) die "unknown command $cmd" ;;
esac

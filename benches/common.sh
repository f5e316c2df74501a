# Shared by the benchmark scripts: tool checks, a scratch directory, cleanup by PID, free ports, and the responders behind one nginx.
#
# Source it after `set -euo pipefail`; call `bench_init NAME TOOL...` first. The caller then
# fills the arrays APPS (names) and CMD[name] (command lines) and calls `start_fleet`, which
# runs each responder as `spawn-fcgi -n -- multiwatch -f $PROCS -- CMD` (PROCS=2 unless set)
# on a unix socket in $WORK and one nginx (1 worker, keep_conn off) with a server per
# responder on PORT[name].

bench_init() { # NAME TOOL...
    local name=$1 tool
    shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null ||
            { echo "$name: $tool is missing" >&2; exit 1; }
    done
    NGINX=$(PATH=$PATH:/usr/sbin command -v nginx)
    MULTIWATCH=$(command -v multiwatch)
    WORK=$(mktemp -d "/tmp/$name.XXXXXX")
    PIDS=()
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

# Stops what we started: the watchers (multiwatch stops its children), nginx, then any leftover child.
bench_cleanup() {
    local pid kids=()
    for pid in "${PIDS[@]}"; do
        kids+=($(cat "/proc/$pid/task/"*/children 2>/dev/null || true))
    done
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 0.5
    for pid in "${PIDS[@]}" "${kids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 30000))
        ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
    done
}

declare -A WATCHER PORT

start_fleet() {
    local app servers="" user=""
    for app in "${APPS[@]}"; do
        # shellcheck disable=SC2086 # CMD holds a command line
        spawn-fcgi -n -s "$WORK/$app.sock" -M 0600 -- "$MULTIWATCH" -f "${PROCS:-2}" -- ${CMD[$app]} \
            </dev/null >>"$WORK/$app.log" 2>&1 &
        WATCHER[$app]=$!
        PIDS+=($!)
        PORT[$app]=$(free_port)
        servers+="server { listen 127.0.0.1:${PORT[$app]}; location / { include /etc/nginx/fastcgi_params; fastcgi_pass unix:$WORK/$app.sock; } }
"
    done
    [ "$(id -u)" = 0 ] && user="user root root;"
    mkdir -p "$WORK/nginx/tmp"
    cat >"$WORK/nginx/nginx.conf" <<CONF
$user
daemon off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  $servers
}
CONF
    "$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" </dev/null &
    PIDS+=($!)
}

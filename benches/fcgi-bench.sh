#!/usr/bin/env bash
# Benchmark (not a test): nginx + wrk on loopback against the C libfcgi hello world, our minimal handler and wwsympa's home page with 50 lists.
#
# Every responder runs the same way: spawn-fcgi -n (unix socket) -- multiwatch -f 2 -- APP,
# one thread per process, behind one nginx (1 worker, keep_conn off). Prints per responder:
# median req/s and p99 over ROUNDS interleaved wrk runs, the responder's CPU time per request
# in the same runs (from /proc; steadier than req/s when nginx and wrk share the cores or the
# machine is shared), RSS of each process after the load,
# and the median time from process start to first response (STARTS runs: the script holds a
# listening socket, starts the responder with it as fd 0 and times one FastCGI request from
# just before the fork to END_REQUEST). Then the ratios against libfcgi and the targets of
# issue 2.
#
# Usage: benches/fcgi-bench.sh        (env: ROUNDS=3 DURATION=5s CONNS=16 STARTS=9)
# Needs: curl, nginx, wrk, spawn-fcgi, multiwatch, libfcgi-dev, gcc, python3. Stops everything it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}
STARTS=${STARTS:-9}

. benches/common.sh
bench_init fcgi-bench curl nginx wrk spawn-fcgi multiwatch gcc python3

echo "== building (release)"
cargo build --quiet --release --example hello_fcgi --bin wwsympa
gcc -O2 -Wall -o "$WORK/hello_libfcgi" benches/hello_libfcgi.c -lfcgi
WWSYMPA=$PWD/target/release/wwsympa
HELLO=$PWD/target/release/examples/hello_fcgi

echo "== a site with 50 lists"
cat >"$WORK/wwsympa.toml" <<EOF
domain = "lists.example.org"
wwsympa_url = "http://localhost/sympa"
db_name = "$WORK/wwsympa.db"
log_level = "warn"
EOF
for i in $(seq -w 1 50); do
    "$WWSYMPA" --config "$WORK/wwsympa.toml" list create "list$i" \
        --subject "Discussion list number $i" --topics "topic$((10#$i % 5))" 2>/dev/null
done

APPS=(libfcgi minimal home50)
declare -A CMD=(
    [libfcgi]="$WORK/hello_libfcgi"
    [minimal]="$HELLO"
    [home50]="$WWSYMPA --config $WORK/wwsympa.toml serve --threads 1"
)
declare -A URL=([libfcgi]=/hello [minimal]=/hello [home50]=/sympa/)
echo "== starting responders (spawn-fcgi -n -- multiwatch -f 2) and nginx"
start_fleet

for app in "${APPS[@]}"; do
    for _ in $(seq 100); do
        out=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$app]}${URL[$app]}" 2>/dev/null || true)
        [ "$out" = 200 ] && break
        sleep 0.1
    done
    [ "$out" = 200 ] || { echo "fcgi-bench: $app does not answer 200 (got $out)" >&2; cat "$WORK/$app.log" >&2; exit 1; }
done
lists=$(curl -s "http://127.0.0.1:${PORT[home50]}/sympa/" | grep -c 'href="/sympa/info/list' || true)
[ "$lists" = 50 ] || { echo "fcgi-bench: the home page shows $lists lists, not 50" >&2; exit 1; }

# wrk's latency figure in ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# CPU time (user + system, in clock ticks) used so far by the workers of APP.
cpu_ticks() {
    local kid total=0
    for kid in $(cat "/proc/${WATCHER[$1]}/task/"*/children); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$kid/stat")))
    done
    echo "$total"
}
HZ=$(getconf CLK_TCK)

declare -A RPS P99 ERRS CPU
echo "== load: wrk -t2 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds"
wrk -t2 -c"$CONNS" -d1s "http://127.0.0.1:${PORT[libfcgi]}/hello" >/dev/null # warm-up
for round in $(seq "$ROUNDS"); do
    for app in "${APPS[@]}"; do
        before=$(cpu_ticks "$app")
        out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:${PORT[$app]}${URL[$app]}")
        after=$(cpu_ticks "$app")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        # Responder CPU per request, in microseconds: steadier than req/s on a shared machine.
        cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
        CPU[$app]+="$cpu "
        p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
        errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
        RPS[$app]+="$rps "
        P99[$app]+="$p99 "
        ERRS[$app]+="$errs"
        printf '  round %s %-8s %10s req/s  p99 %8s ms  %6s us CPU/request  %s\n' "$round" "$app" "$rps" "$p99" "$cpu" "$errs"
    done
done

echo "== RSS per process after the load (VmRSS)"
declare -A RSS
for app in "${APPS[@]}"; do
    for kid in $(cat "/proc/${WATCHER[$app]}/task/"*/children); do
        kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$kid/status")
        RSS[$app]+="$kb "
    done
    printf '  %-8s %s kB\n' "$app" "${RSS[$app]}"
done

echo "== start to first response: $STARTS runs each, the socket held by this script"
# Like systemd: the socket is bound and listening before the process starts and is handed over
# as fd 0. Timed from just before the fork to the END_REQUEST of the first request.
start_times() { # URI COMMAND...
    python3 - "$@" <<'PY'
import os, signal, socket, struct, subprocess, sys, time

uri, command = sys.argv[1], sys.argv[2:]
runs = int(os.environ["STARTS"])

def record(kind, content=b""):
    pad = -len(content) % 8
    return struct.pack(">BBHHBB", 1, kind, 1, len(content), pad, 0) + content + b"\0" * pad

def pair(name, value):
    return bytes([len(name), len(value)]) + name + value

params = b"".join(pair(n, v) for n, v in [(b"REQUEST_METHOD", b"GET"), (b"REQUEST_URI", uri.encode()),
                                           (b"SCRIPT_NAME", uri.encode()), (b"SERVER_NAME", b"localhost")])
request = record(1, struct.pack(">HB5x", 1, 0)) + record(4, params) + record(4) + record(5)
times = []
for i in range(runs):
    path = os.path.join(os.environ["WORK"], f"start-{os.getpid()}-{i}.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    t0 = time.perf_counter()
    child = subprocess.Popen(command, stdin=listener.fileno(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(10)
    client.connect(path)
    client.sendall(request)
    reply = b""
    while b"\x01\x03\x00\x01" not in reply:  # END_REQUEST header of request 1
        chunk = client.recv(65536)
        if not chunk:
            break
        reply += chunk
    t1 = time.perf_counter()
    if b"Status: 200" not in reply:
        sys.exit(f"no 200 from {command[0]}: {reply[:200]!r}")
    times.append((t1 - t0) * 1000)
    client.close()
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=10)
    listener.close()
    os.unlink(path)
print(" ".join(f"{t:.2f}" for t in times))
PY
}
export STARTS WORK
declare -A START
for app in "${APPS[@]}"; do
    # shellcheck disable=SC2086
    runs=$(start_times "${URL[$app]}" ${CMD[$app]})
    START[$app]=$(median <<<"$runs")
    printf '  %-8s %s ms (runs: %s)\n' "$app" "${START[$app]}" "$runs"
done

echo
echo "== summary (medians; ratios against libfcgi)"
base_rps=$(median <<<"${RPS[libfcgi]}")
base_p99=$(median <<<"${P99[libfcgi]}")
base_cpu=$(median <<<"${CPU[libfcgi]}")
printf '%-8s %10s %7s %9s %7s %10s %7s %12s %10s\n' responder req/s ratio p99_ms ratio cpu_us/req ratio max_RSS_kB start_ms
for app in "${APPS[@]}"; do
    rps=$(median <<<"${RPS[$app]}")
    p99=$(median <<<"${P99[$app]}")
    rss=$(tr ' ' '\n' <<<"${RSS[$app]}" | grep . | sort -n | tail -1)
    cpu=$(median <<<"${CPU[$app]}")
    printf '%-8s %10.0f %7.2f %9.2f %7.2f %10.1f %7.2f %12s %10s\n' "$app" "$rps" \
        "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')" "$p99" \
        "$(awk -v a="$p99" -v b="$base_p99" 'BEGIN { print a / b }')" "$cpu" \
        "$(awk -v a="$cpu" -v b="$base_cpu" 'BEGIN { print a / b }')" "$rss" "${START[$app]}"
done

echo
verdict() { if awk "BEGIN { exit !($2) }"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
min_rps=$(median <<<"${RPS[minimal]}")
home_rps=$(median <<<"${RPS[home50]}")
verdict "minimal handler >= 1.2x libfcgi" "$min_rps >= 1.2 * $base_rps"
verdict "home page with 50 lists >= 0.8x libfcgi" "$home_rps >= 0.8 * $base_rps"
for app in minimal home50; do
    rss=$(tr ' ' '\n' <<<"${RSS[$app]}" | grep . | sort -n | tail -1)
    verdict "$app RSS < 8 MB per process ($rss kB)" "$rss < 8192"
    verdict "$app start to first response < 10 ms (${START[$app]} ms)" "${START[$app]} < 10"
done

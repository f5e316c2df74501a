#!/usr/bin/env bash
# Benchmark (not a test): the programs' doors through nginx + wrk on loopback: a SOAP `lists` call (logged in) and the JSON API's `GET /api/v1/lists`, against the web home page and the C libfcgi hello world, in the same run.
#
# Every responder runs the same way: spawn-fcgi -n (unix socket) -- multiwatch -f PROCS -- APP,
# behind one nginx (1 worker): the libfcgi hello world, `wwsympa serve` (the home page and the
# JSON API) and `wwsympa serve --soap` (the SOAP door), all on one SQLite site with LISTS lists
# owned by one account. The SOAP call is Sympa's `lists` as SOAP::Lite sends it, posted by wrk
# (a Lua script) with the session cookie of a real SOAP `login`; the JSON call is anonymous (the
# public lists, as on the web).
#
# Prints per target the median req/s and p50 latency over ROUNDS interleaved wrk runs, the
# responder's CPU time per request (from /proc), the ratios to the hello world, and the goals of
# issue 12: the SOAP and the JSON call each under 1 ms at p50 (Sympa's SOAP server: 11.5 ms) and
# at least 0.7x the hello world's req/s.
#
# Usage: benches/soap-bench.sh   (env: ROUNDS=3 DURATION=5s CONNS=8 PROCS=1 THREADS=1 LISTS=20
#                                 PROFILE=release; PROFILE=dev builds faster for a smoke run whose
#                                 numbers mean nothing)
# Needs: curl, nginx, wrk, spawn-fcgi, multiwatch, libfcgi-dev, gcc. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-8}
PROCS=${PROCS:-1}
THREADS=${THREADS:-1}
LISTS=${LISTS:-20}
PROFILE=${PROFILE:-release}

. benches/common.sh
bench_init soap-bench curl nginx wrk spawn-fcgi multiwatch gcc

echo "== building ($PROFILE)"
cargo build --quiet --profile "$PROFILE" --bin wwsympa
gcc -O2 -Wall -o "$WORK/hello_libfcgi" benches/hello_libfcgi.c -lfcgi
case $PROFILE in dev) WWSYMPA=$PWD/target/debug/wwsympa ;; *) WWSYMPA=$PWD/target/$PROFILE/wwsympa ;; esac

echo "== a site: $LISTS public lists owned by owner@example.org"
cat >"$WORK/wwsympa.toml" <<CONF
domain = "lists.example.org"
wwsympa_url = "http://localhost/sympa"
soap_url = "http://localhost/sympasoap"
db_name = "$WORK/wwsympa.db"
smtp_host = "127.0.0.1"
smtp_port = 9
log_level = "warn"
CONF
ws() { "$WWSYMPA" --config "$WORK/wwsympa.toml" "$@"; }
echo "owner's long password" | ws user add owner@example.org --password-stdin 2>/dev/null
for i in $(seq -w 1 "$LISTS"); do
    ws list create "list$i" --subject "List number $i" --owner owner@example.org 2>/dev/null
done

APPS=(libfcgi wwsympa sympasoap)
declare -A CMD=(
    [libfcgi]="$WORK/hello_libfcgi"
    [wwsympa]="$WWSYMPA --config $WORK/wwsympa.toml serve --threads $THREADS"
    [sympasoap]="$WWSYMPA --config $WORK/wwsympa.toml serve --soap --threads $THREADS"
)
echo "== starting responders (spawn-fcgi -n -- multiwatch -f $PROCS) and nginx"
start_fleet

# A SOAP call as SOAP::Lite writes it: OP with positional string parameters.
envelope() { # OP [PARAM...]
    local op=$1 params="" n=3 p
    shift
    for p in "$@"; do
        params+="<c-gensym$n xsi:type=\"xsd:string\">$p</c-gensym$n>"
        n=$((n + 2))
    done
    printf '%s' "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope soap:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Body><$op xmlns=\"urn:sympasoap\">$params</$op></soap:Body></soap:Envelope>"
}
SOAP_URL=http://127.0.0.1:${PORT[sympasoap]}/sympasoap
soap() { # OP COOKIE [PARAM...]: the response, headers included
    local op=$1 cookie=$2 headers=()
    shift 2
    [ -n "$cookie" ] && headers=(-H "Cookie: sympa_session=$cookie")
    curl -s -i -H "Content-Type: text/xml; charset=utf-8" -H "SOAPAction: \"urn:sympasoap#$op\"" \
        "${headers[@]}" --data-binary "$(envelope "$op" "$@")" "$SOAP_URL"
}

declare -A URL=(
    [libfcgi]=http://127.0.0.1:${PORT[libfcgi]}/hello
    [home]=http://127.0.0.1:${PORT[wwsympa]}/sympa/
    [json_lists]=http://127.0.0.1:${PORT[wwsympa]}/sympa/api/v1/lists
    [soap_lists]=$SOAP_URL
)
for target in libfcgi home json_lists; do
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "${URL[$target]}" 2>/dev/null || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { echo "soap-bench: $target (${URL[$target]}) does not answer 200 (got $code)" >&2; cat "$WORK"/*.log >&2; exit 1; }
done
curl -s "${URL[json_lists]}" | grep -q "list$(printf "%0${#LISTS}d" 1)" ||
    { echo "soap-bench: GET /api/v1/lists does not name the lists" >&2; exit 1; }

echo "== logging in over SOAP as the owner"
for _ in $(seq 100); do
    response=$(soap login "" owner@example.org "owner's long password" || true)
    grep -q '^HTTP/1.1 200' <<<"$response" && break
    sleep 0.1
done
SESSION=$(tr -d '\r' <<<"$response" | sed -n 's/^[Ss]et-[Cc]ookie2\?: sympa_session=\([^;]*\).*/\1/p' | head -1)
[ -n "$SESSION" ] || { echo "soap-bench: the SOAP login failed:" >&2; echo "$response" >&2; cat "$WORK/sympasoap.log" >&2; exit 1; }
response=$(soap lists "$SESSION")
grep -q '^HTTP/1.1 200' <<<"$response" && grep -q "<listsResponse xmlns=\"urn:sympasoap\"><listInfo soapenc:arrayType=\"xsd:string\[$LISTS\]\"" <<<"$response" ||
    { echo "soap-bench: SOAP lists does not answer the $LISTS lists:" >&2; echo "$response" >&2; exit 1; }

# wrk posts the SOAP lists call with the session cookie.
cat >"$WORK/soap-lists.lua" <<LUA
wrk.method = "POST"
wrk.body = [[$(envelope lists)]]
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"urn:sympasoap#lists"'
wrk.headers["Cookie"] = "sympa_session=$SESSION"
LUA

# CPU time (user + system, in clock ticks) used so far by the workers of APP.
cpu_ticks() {
    local kid total=0
    for kid in $(cat "/proc/${WATCHER[$1]}/task/"*/children); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$kid/stat")))
    done
    echo "$total"
}
HZ=$(getconf CLK_TCK)
# wrk's latency ("123.45us", "1.20ms", "2.00s") in milliseconds.
to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.3f", v }' <<<"$1"; }

TARGETS=(libfcgi home soap_lists json_lists)
declare -A APP_OF=([libfcgi]=libfcgi [home]=wwsympa [json_lists]=wwsympa [soap_lists]=sympasoap)
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A RPS CPU P50
echo "== load: wrk -t2 -c$CONNS -d$DURATION --latency, $ROUNDS interleaved rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$CONNS" -d1s "${URL[libfcgi]}" >/dev/null # warm-up
for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        app=${APP_OF[$target]}
        args=(-t2 -c"$CONNS" -d"$DURATION" --latency)
        [ "$target" = soap_lists ] && args+=(-s "$WORK/soap-lists.lua")
        before=$(cpu_ticks "$app")
        out=$(wrk "${args[@]}" "${URL[$target]}")
        after=$(cpu_ticks "$app")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
        cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
        errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
        RPS[$target]+="$rps "
        P50[$target]+="$p50 "
        CPU[$target]+="$cpu "
        printf '  round %s %-11s %10s req/s  p50 %7s ms %8s us CPU/request  %s\n' "$round" "$target" "$rps" "$p50" "$cpu" "$errs"
    done
done

echo
echo "== summary (medians; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
base=$(median <<<"${RPS[libfcgi]}")
for target in "${TARGETS[@]}"; do
    rps=$(median <<<"${RPS[$target]}")
    printf '  %-11s %10.0f req/s  %5.2fx libfcgi  p50 %7.3f ms  %7.1f us CPU/request\n' "$target" "$rps" \
        "$(ratio "$rps" "$base")" "$(median <<<"${P50[$target]}")" "$(median <<<"${CPU[$target]}")"
done
echo
verdict() { if awk "BEGIN { exit !($2) }"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
for target in soap_lists json_lists; do
    rps=$(median <<<"${RPS[$target]}")
    p50=$(median <<<"${P50[$target]}")
    sympa=""
    [ "$target" = soap_lists ] && sympa=" (Sympa's SOAP server: 11.5 ms)"
    verdict "$target p50 ${p50} ms < 1 ms$sympa" "$p50 < 1"
    verdict "$target >= 0.7x libfcgi ($(ratio "$rps" "$base")x)" "$rps >= 0.7 * $base"
done

#!/usr/bin/env bash
# Benchmark (not a test): nginx + wrk on loopback; wwsympa's `info` and `review` pages against the C libfcgi hello world.
#
# Every responder runs the same way: spawn-fcgi -n (unix socket) -- multiwatch -f 2 -- APP,
# one thread per process, behind one nginx (1 worker). `review` is fetched as a LOGGED-IN
# OWNER (the review policy is `owner`; the session cookie comes from a real login with curl),
# so each request also reads the session, the account and the roles. Prints per target the
# median req/s over ROUNDS interleaved wrk runs, then the ratios and the targets of issue 3:
#   info >= 0.7x libfcgi; review of a 100,000-member list >= 0.3x libfcgi, and at most 1.5x
#   slower than the same page of a 1,000-member list.
#
# Usage: benches/web-bench.sh        (env: ROUNDS=3 DURATION=5s CONNS=16)
# Needs: curl, nginx, wrk, spawn-fcgi, multiwatch, libfcgi-dev, gcc. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}

. benches/common.sh
bench_init web-bench curl nginx wrk spawn-fcgi multiwatch gcc

echo "== building (release)"
cargo build --quiet --release --bin wwsympa
gcc -O2 -Wall -o "$WORK/hello_libfcgi" benches/hello_libfcgi.c -lfcgi
WWSYMPA=$PWD/target/release/wwsympa

echo "== a site: list news (info), small (1,000 members), big (100,000 members)"
cat >"$WORK/wwsympa.toml" <<CONF
domain = "lists.example.org"
wwsympa_url = "http://localhost/sympa"
db_name = "$WORK/wwsympa.db"
smtp_host = "127.0.0.1"
smtp_port = 9
log_level = "warn"
CONF
ws() { "$WWSYMPA" --config "$WORK/wwsympa.toml" "$@"; }
echo "owner's long password" | ws user add owner@example.org --password-stdin 2>/dev/null
ws list create news --subject "News and announcements" --description "Everything new, once a week." 2>/dev/null
for list in small big; do
    ws list create "$list" --subject "The $list list" --owner owner@example.org --review owner 2>/dev/null
done
awk 'BEGIN { for (i = 0; i < 1000; i++) printf "member%06d@example.org Member Number %d\n", i, i }' >"$WORK/small.txt"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "member%06d@example.org Member Number %d\n", i, i }' >"$WORK/big.txt"
ws member import small "$WORK/small.txt" 2>&1 | tail -1
ws member import big "$WORK/big.txt" 2>&1 | tail -1

APPS=(libfcgi wwsympa)
declare -A CMD=(
    [libfcgi]="$WORK/hello_libfcgi"
    [wwsympa]="$WWSYMPA --config $WORK/wwsympa.toml serve --threads 1"
)
echo "== starting responders (spawn-fcgi -n -- multiwatch -f 2) and nginx"
start_fleet
WEB=http://127.0.0.1:${PORT[wwsympa]}
for app in "${APPS[@]}"; do
    url=http://127.0.0.1:${PORT[$app]}/$([ "$app" = wwsympa ] && echo sympa/info/news || echo hello)
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { echo "web-bench: $app does not answer 200 (got $code)" >&2; cat "$WORK/$app.log" >&2; exit 1; }
done

echo "== logging in as the owner (curl, real form, CSRF token)"
jar=$WORK/cookies.txt
token=$(curl -s -c "$jar" "$WEB/sympa/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}\n' \
    --data-urlencode "email=owner@example.org" --data-urlencode "passwd=owner's long password" \
    --data-urlencode "csrf_token=$token" "$WEB/sympa/login" | grep -q 303 ||
    { echo "web-bench: the login failed" >&2; exit 1; }
session=$(awk '$6 == "sympa_session" { print $7 }' "$jar")
COOKIE="Cookie: sympa_session=$session"
for list in small big; do
    page=$(curl -s -H "$COOKIE" "$WEB/sympa/review/$list")
    grep -q "member000000@example.org" <<<"$page" ||
        { echo "web-bench: review/$list does not show the first member" >&2; exit 1; }
    printf '  review/%s: %s, %s rows\n' "$list" "$(grep -o '[0-9][0-9,]* members' <<<"$page" | head -1)" \
        "$(grep -c '<td>member[0-9]*@example.org' <<<"$page")"
done

TARGETS=(libfcgi info review1k review100k)
declare -A URL=(
    [libfcgi]="http://127.0.0.1:${PORT[libfcgi]}/hello"
    [info]="$WEB/sympa/info/news"
    [review1k]="$WEB/sympa/review/small"
    [review100k]="$WEB/sympa/review/big"
)
declare -A HDR=([libfcgi]="" [info]="" [review1k]="$COOKIE" [review100k]="$COOKIE")
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A RPS
echo "== load: wrk -t2 -c$CONNS -d$DURATION, $ROUNDS interleaved rounds"
wrk -t2 -c"$CONNS" -d1s "${URL[libfcgi]}" >/dev/null # warm-up
for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        args=(-t2 -c"$CONNS" -d"$DURATION")
        [ -n "${HDR[$target]}" ] && args+=(-H "${HDR[$target]}")
        out=$(wrk "${args[@]}" "${URL[$target]}")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
        RPS[$target]+="$rps "
        printf '  round %s %-11s %10s req/s  %s\n' "$round" "$target" "$rps" "$errs"
    done
done

echo
echo "== summary (median req/s)"
base=$(median <<<"${RPS[libfcgi]}")
for target in "${TARGETS[@]}"; do
    rps=$(median <<<"${RPS[$target]}")
    printf '  %-11s %10.0f req/s  %5.2fx libfcgi\n' "$target" "$rps" "$(awk -v a="$rps" -v b="$base" 'BEGIN { print a / b }')"
done
info=$(median <<<"${RPS[info]}")
r1k=$(median <<<"${RPS[review1k]}")
r100k=$(median <<<"${RPS[review100k]}")
slower=$(awk -v a="$r1k" -v b="$r100k" 'BEGIN { printf "%.2f", a / b }')
echo
verdict() { if awk "BEGIN { exit !($2) }"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
verdict "info >= 0.7x libfcgi" "$info >= 0.7 * $base"
verdict "review of 100,000 members >= 0.3x libfcgi" "$r100k >= 0.3 * $base"
verdict "review of 100,000 members at most 1.5x slower than of 1,000 (${slower}x)" "$slower <= 1.5"

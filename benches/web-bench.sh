#!/usr/bin/env bash
# Benchmark (not a test): nginx + wrk on loopback; wwsympa's pages, anonymous and for a logged-in owner, against the C libfcgi hello world.
#
# Every responder runs the same way: spawn-fcgi -n (unix socket) -- multiwatch -f PROCS -- APP,
# one thread per process, behind one nginx (1 worker). The owner's pages are fetched with the
# session cookie of a real login (curl, the form and its CSRF token), so each request also
# reads the session, the account and the roles; the anonymous `info` comes from the page cache.
# Pages: info (anonymous), home, info, review of 25 and of 100 members of a 1,000-member list
# (the owner's), and review of 25 of a 100,000-member list.
#
# With BEFORE=<commit>, that commit's wwsympa is built too (once, cached under
# target/bench-before/) and served beside this checkout's on the same site, so both are
# measured in the same run, interleaved; the summary compares them (the two must share the
# database schema).
#
# Prints per target the median req/s over ROUNDS interleaved wrk runs and the responder's CPU
# time per request (from /proc; steadier than req/s on a shared machine), then the ratios and
# the targets:
#   issue 3: info >= 0.7x libfcgi; review of the 100,000-member list >= 0.3x libfcgi, and at
#     most 1.5x slower than the same page of the 1,000-member list;
#   issue 8: every page of the logged-in owner >= 1.0x libfcgi, but review of 100 members
#     >= 0.4x; with BEFORE, no page uses more CPU per request than before (5% for noise).
#
# With PG_ADMIN="<libpq string for a role that may create databases>" (such as
# "host=127.0.0.1 user=wwsympa_test password=wwsympa_test"), the site is also copied to a new
# PostgreSQL database (`wwsympa db copy`) and served from there beside SQLite, in the same
# run (issue 13: PostgreSQL >= 0.5x SQLite on every page, CPU per request within 1.3x; the
# server's own CPU is not counted). The database is dropped at the end.
#
# THREADS sets every wwsympa's handler threads (`serve --threads`, default 1 here, 4 as
# shipped): a process on PostgreSQL waits on the server between statements, which threads
# overlap, so compare the two databases at the shipped 4 too.
#
# Usage: benches/web-bench.sh        (env: ROUNDS=3 DURATION=5s CONNS=8 PROCS=1 THREADS=1 BEFORE= PG_ADMIN=)
# Needs: curl, nginx, wrk, spawn-fcgi, multiwatch, libfcgi-dev, gcc. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-8}
PROCS=${PROCS:-1}
BEFORE=${BEFORE:-}
PG_ADMIN=${PG_ADMIN:-}
THREADS=${THREADS:-1}

. benches/common.sh
bench_init web-bench curl nginx wrk spawn-fcgi multiwatch gcc

echo "== building (release)"
cargo build --quiet --release --bin wwsympa
gcc -O2 -Wall -o "$WORK/hello_libfcgi" benches/hello_libfcgi.c -lfcgi
WWSYMPA=$PWD/target/release/wwsympa
if [ -n "$BEFORE" ]; then
    rev=$(git rev-parse --verify "$BEFORE^{commit}")
    old=$PWD/target/bench-before/$rev
    if [ ! -x "$old/wwsympa" ]; then
        echo "== building $BEFORE ($rev) in $old (release, once)"
        rm -rf "$old/src"
        mkdir -p "$old/src"
        git archive "$rev" | tar -x -C "$old/src"
        (cd "$old/src" && CARGO_TARGET_DIR="$old/target" cargo build --quiet --release --locked --bin wwsympa)
        cp "$old/target/release/wwsympa" "$old/wwsympa"
    fi
fi

echo "== a site: list news (info), small (1,000 members), big (100,000 members), both the owner's"
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

if [ -n "$PG_ADMIN" ]; then
    PG_DB=wwbench_$$
    psql "$PG_ADMIN dbname=postgres" -qc "CREATE DATABASE $PG_DB"
    trap 'psql "$PG_ADMIN dbname=postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"; bench_cleanup' EXIT
    echo "== copying the site to PostgreSQL ($PG_DB)"
    ws db copy --to "$PG_ADMIN dbname=$PG_DB" >/dev/null
    pg_host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    pg_user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    pg_pass=$(sed -n 's/.*password=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    sed "s|^db_name = .*|db_type = \"PostgreSQL\"\ndb_host = \"${pg_host:-localhost}\"\ndb_user = \"$pg_user\"\ndb_passwd = \"$pg_pass\"\ndb_name = \"$PG_DB\"|" \
        "$WORK/wwsympa.toml" >"$WORK/postgres.toml"
fi

APPS=(libfcgi wwsympa)
declare -A CMD=(
    [libfcgi]="$WORK/hello_libfcgi"
    [wwsympa]="$WWSYMPA --config $WORK/wwsympa.toml serve --threads $THREADS"
)
if [ -n "$BEFORE" ]; then
    APPS+=(before)
    CMD[before]="$old/wwsympa --config $WORK/wwsympa.toml serve --threads $THREADS"
fi
if [ -n "$PG_ADMIN" ]; then
    APPS+=(postgres)
    CMD[postgres]="$WWSYMPA --config $WORK/postgres.toml serve --threads $THREADS"
fi
echo "== starting responders (spawn-fcgi -n -- multiwatch -f $PROCS) and nginx"
start_fleet
for app in "${APPS[@]}"; do
    url=http://127.0.0.1:${PORT[$app]}/$([ "$app" = libfcgi ] && echo hello || echo sympa/info/news)
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { echo "web-bench: $app does not answer 200 (got $code)" >&2; cat "$WORK/$app.log" >&2; exit 1; }
done

echo "== logging in as the owner (curl, real form, CSRF token)"
declare -A COOKIE
login() { # APP: logs in on APP's site, sets COOKIE[APP]
    local web=http://127.0.0.1:${PORT[$1]} jar=$WORK/cookies-$1.txt token session
    token=$(curl -s -c "$jar" "$web/sympa/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
    curl -s -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}\n' \
        --data-urlencode "email=owner@example.org" --data-urlencode "passwd=owner's long password" \
        --data-urlencode "csrf_token=$token" "$web/sympa/login" | grep -q 303 ||
        { echo "web-bench: the login on $1 failed" >&2; exit 1; }
    session=$(awk '$6 == "sympa_session" { print $7 }' "$jar")
    COOKIE[$1]="Cookie: sympa_session=$session"
}
login wwsympa
# BEFORE serves the same SQLite site: the same session.
COOKIE[before]=${COOKIE[wwsympa]}
[ -n "$PG_ADMIN" ] && login postgres

# The pages: path, and whether the owner's session cookie goes with it.
PAGES=(info home_owner info_owner review25 review100 review100k)
declare -A PAGE=(
    [info]=/sympa/info/news
    [home_owner]=/sympa/
    [info_owner]=/sympa/info/small
    [review25]=/sympa/review/small
    [review100]=/sympa/review/small/1/100
    [review100k]=/sympa/review/big
)
declare -A OWNER=([info]=0 [home_owner]=1 [info_owner]=1 [review25]=1 [review100]=1 [review100k]=1)
for app in "${APPS[@]}"; do
    [ "$app" = libfcgi ] && continue
    for page in "${PAGES[@]}"; do
        hdr=()
        [ "${OWNER[$page]}" = 1 ] && hdr=(-H "${COOKIE[$app]}")
        body=$(curl -s "${hdr[@]}" "http://127.0.0.1:${PORT[$app]}${PAGE[$page]}")
        case $page in
            review*) want=member000000@example.org ;;
            *_owner) want="Logged in as owner@example.org" ;;
            *) want="News and announcements" ;;
        esac
        grep -q "$want" <<<"$body" || { echo "web-bench: $app ${PAGE[$page]} does not show $want" >&2; exit 1; }
        case $page in
            review*) printf '  %-7s %-10s %s, %s rows\n' "$app" "$page" "$(grep -o '[0-9][0-9,]* members' <<<"$body" | head -1)" \
                "$(grep -c '<td>member[0-9]*@example.org' <<<"$body")" ;;
        esac
    done
done

# CPU time (user + system, in clock ticks) used so far by the workers of APP.
cpu_ticks() {
    local kid total=0
    for kid in $(cat "/proc/${WATCHER[$1]}/task/"*/children); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$kid/stat")))
    done
    echo "$total"
}
HZ=$(getconf CLK_TCK)

# Targets: the hello world, then each page served by each wwsympa (APP:PAGE).
TARGETS=(libfcgi)
for page in "${PAGES[@]}"; do
    for app in "${APPS[@]}"; do
        [ "$app" = libfcgi ] || TARGETS+=("$app:$page")
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A RPS CPU
echo "== load: wrk -t2 -c$CONNS -d$DURATION, $ROUNDS interleaved rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$CONNS" -d1s "http://127.0.0.1:${PORT[libfcgi]}/hello" >/dev/null # warm-up
for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        app=${target%%:*}
        args=(-t2 -c"$CONNS" -d"$DURATION")
        if [ "$app" = libfcgi ]; then
            url=http://127.0.0.1:${PORT[libfcgi]}/hello
        else
            page=${target#*:}
            url=http://127.0.0.1:${PORT[$app]}${PAGE[$page]}
            [ "${OWNER[$page]}" = 1 ] && args+=(-H "${COOKIE[$app]}")
        fi
        before=$(cpu_ticks "$app")
        out=$(wrk "${args[@]}" "$url")
        after=$(cpu_ticks "$app")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        requests=$(awk '/requests in/ { print $1 }' <<<"$out")
        cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$HZ" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
        errs=$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')
        RPS[$target]+="$rps "
        CPU[$target]+="$cpu "
        printf '  round %s %-19s %10s req/s %8s us CPU/request  %s\n' "$round" "$target" "$rps" "$cpu" "$errs"
    done
done

echo
echo "== summary (medians; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
base=$(median <<<"${RPS[libfcgi]}")
printf '  %-19s %10.0f req/s  %5.2fx libfcgi  %7.1f us CPU/request\n' libfcgi "$base" 1 "$(median <<<"${CPU[libfcgi]}")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for page in "${PAGES[@]}"; do
    for app in "${APPS[@]}"; do
        [ "$app" = libfcgi ] && continue
        rps=$(median <<<"${RPS[$app:$page]}")
        printf '  %-19s %10.0f req/s  %5.2fx libfcgi  %7.1f us CPU/request\n' "$app:$page" "$rps" "$(ratio "$rps" "$base")" "$(median <<<"${CPU[$app:$page]}")"
    done
done
rps() { median <<<"${RPS[wwsympa:$1]}"; }
slower=$(ratio "$(rps review25)" "$(rps review100k)")
echo
verdict() { if awk "BEGIN { exit !($2) }"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
verdict "info >= 0.7x libfcgi" "$(rps info) >= 0.7 * $base"
verdict "review of 100,000 members >= 0.3x libfcgi" "$(rps review100k) >= 0.3 * $base"
verdict "review of 100,000 members at most 1.5x slower than of 1,000 (${slower}x)" "$slower <= 1.5"
for page in home_owner info_owner review25; do
    verdict "$page >= 1.0x libfcgi ($(ratio "$(rps $page)" "$base")x)" "$(rps $page) >= $base"
done
verdict "review100 >= 0.4x libfcgi ($(ratio "$(rps review100)" "$base")x)" "$(rps review100) >= 0.4 * $base"
if [ -n "$BEFORE" ]; then
    for page in "${PAGES[@]}"; do
        now=$(median <<<"${CPU[wwsympa:$page]}")
        was=$(median <<<"${CPU[before:$page]}")
        verdict "$page: CPU/request ${now} us <= 1.05 x before's ${was} us ($(ratio "$now" "$was")x)" "$now <= 1.05 * $was"
    done
fi
if [ -n "$PG_ADMIN" ]; then
    for page in "${PAGES[@]}"; do
        sq=$(median <<<"${RPS[wwsympa:$page]}")
        pg=$(median <<<"${RPS[postgres:$page]}")
        sqc=$(median <<<"${CPU[wwsympa:$page]}")
        pgc=$(median <<<"${CPU[postgres:$page]}")
        verdict "$page on PostgreSQL >= 0.5x SQLite ($(ratio "$pg" "$sq")x)" "$pg >= 0.5 * $sq"
        verdict "$page on PostgreSQL: CPU/request ${pgc} us <= 1.3 x SQLite's ${sqc} us ($(ratio "$pgc" "$sqc")x)" "$pgc <= 1.3 * $sqc"
    done
fi

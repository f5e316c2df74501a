#!/usr/bin/env bash
# Benchmark (not a test): a list archive of COUNT synthetic messages: import rate, sizes, search latency, and archive pages through nginx against the C libfcgi hello world.
#
# Steps, each printed with its figures:
# 1. `archive_gen COUNT` writes an mbox (benches/archive_gen.rs: Zipf vocabulary, threads,
#    quoting, 1% attachments, 1% HTML-only);
# 2. `wwsympa archive import` stores it in a fresh SQLite site (public archive), timed: messages
#    per second (issue 10's goal: >= 3,000/s on 2 cores), then imported again (nothing added);
# 3. sizes: the mbox, the database, the stored (compressed) bytes, and the full-text index
#    (FTS5 shadow tables, from SQLite's dbstat) against the raw bytes (goal: index <= 0.3x);
# 4. `archive_search` (benches/archive_search.rs): p50/p99 per kind of query, newest first
#    (goal: p99 < 50 ms);
# 5. wrk through nginx, ROUNDS interleaved runs: a message page, a month by thread, a month by
#    date, a search page, next to libfcgi's hello world (goal: message and month pages >= 0.7x).
#
# With PG_ADMIN="<libpq string of a role that may create databases>", steps 2-4 also run on a
# new PostgreSQL database (dropped at the end), and step 5 serves it beside SQLite.
#
# Usage: benches/archive-bench.sh   (env: COUNT=100000 ROUNDS=3 DURATION=5s CONNS=8 PROCS=1 PG_ADMIN=)
# COUNT=1000000 is issue 10's size (about 2.4 GB of mbox and 15 minutes here).
# Needs: curl, nginx, wrk, spawn-fcgi, multiwatch, libfcgi-dev, gcc, python3. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-100000}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-8}
PROCS=${PROCS:-1}
PG_ADMIN=${PG_ADMIN:-}

. benches/common.sh
bench_init archive-bench curl nginx wrk spawn-fcgi multiwatch gcc python3

echo "== building (release)"
cargo build --quiet --release --bin wwsympa --example archive_gen --example archive_search
gcc -O2 -Wall -o "$WORK/hello_libfcgi" benches/hello_libfcgi.c -lfcgi
WWSYMPA=$PWD/target/release/wwsympa

echo "== generating $COUNT messages"
start=$(date +%s.%N)
target/release/examples/archive_gen "$COUNT" >"$WORK/bench.mbox"
mbox_bytes=$(stat -c %s "$WORK/bench.mbox")
printf '  %s bytes (%.0f per message) in %.1f s\n' "$mbox_bytes" "$((mbox_bytes / COUNT))" "$(echo "$(date +%s.%N) - $start" | bc)"

cat >"$WORK/wwsympa.toml" <<CONF
domain = "lists.example.org"
wwsympa_url = "http://localhost/sympa"
db_name = "$WORK/wwsympa.db"
smtp_host = "127.0.0.1"
smtp_port = 9
log_level = "warn"
CONF
CONFIGS=(sqlite)
declare -A CONFIG=([sqlite]=$WORK/wwsympa.toml)
if [ -n "$PG_ADMIN" ]; then
    PG_DB=wwarc_$$
    psql "$PG_ADMIN dbname=postgres" -qc "CREATE DATABASE $PG_DB"
    trap 'psql "$PG_ADMIN dbname=postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)"; bench_cleanup' EXIT
    pg_host=$(sed -n 's/.*host=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    pg_user=$(sed -n 's/.*user=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    pg_pass=$(sed -n 's/.*password=\([^ ]*\).*/\1/p' <<<"$PG_ADMIN")
    sed "s|^db_name = .*|db_type = \"PostgreSQL\"\ndb_host = \"${pg_host:-localhost}\"\ndb_user = \"$pg_user\"\ndb_passwd = \"$pg_pass\"\ndb_name = \"$PG_DB\"|" \
        "$WORK/wwsympa.toml" >"$WORK/postgres.toml"
    CONFIGS+=(postgres)
    CONFIG[postgres]=$WORK/postgres.toml
fi

for db in "${CONFIGS[@]}"; do
    ws() { "$WWSYMPA" --config "${CONFIG[$db]}" "$@"; }
    ws list create bench --subject "The bench list" --archive public >/dev/null 2>&1
    echo "== [$db] importing"
    start=$(date +%s.%N)
    ws archive import bench "$WORK/bench.mbox" </dev/null | tail -1
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    printf '  %d messages in %.1f s: %.0f messages/s (goal >= 3,000)\n' "$COUNT" "$seconds" "$(echo "$COUNT / $seconds" | bc -l)"
    start=$(date +%s.%N)
    ws archive import bench "$WORK/bench.mbox" </dev/null | tail -1
    printf '  again (all already there): %.1f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
    echo "== [$db] sizes"
    if [ "$db" = sqlite ]; then
        python3 - "$WORK/wwsympa.db" "$mbox_bytes" "$COUNT" <<'PY'
import sqlite3, sys
path, raw, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
total = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
def size(pattern):
    return db.execute("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?", (pattern,)).fetchone()[0]
fts = size("archive_index%")
stored = size("archive_raw%")
print(f"  mbox {raw / 2**20:.0f} MiB; database {total / 2**20:.0f} MiB ({total / count:.0f} B/message, {total / raw:.2f}x the mbox)")
print(f"  stored bytes {stored / 2**20:.0f} MiB ({stored / raw:.2f}x raw); index {fts / 2**20:.0f} MiB ({fts / count:.0f} B/message, {fts / raw:.2f}x raw; goal <= 0.3x)")
PY
    else
        psql "$PG_ADMIN dbname=$PG_DB" -At -c "SELECT pg_database_size('$PG_DB')" |
            awk -v raw="$mbox_bytes" -v n="$COUNT" '{ printf "  database %.0f MiB (%.0f B/message, %.2fx the mbox)\n", $1 / 1048576, $1 / n, $1 / raw }'
        psql "$PG_ADMIN dbname=$PG_DB" -At -c "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname LIKE 'archive%' AND relkind IN ('r', 'i') ORDER BY 2 DESC LIMIT 8" |
            awk -F'|' -v raw="$mbox_bytes" '{ printf "    %-32s %7.0f MiB %5.2fx raw\n", $1, $2 / 1048576, $2 / raw }'
    fi
    echo "== [$db] search (newest 20, and the count the page shows)"
    target/release/examples/archive_search "${CONFIG[$db]}" bench 3 | sed 's/^/  /'
done

APPS=(libfcgi)
declare -A CMD=([libfcgi]="$WORK/hello_libfcgi")
for db in "${CONFIGS[@]}"; do
    APPS+=("$db")
    CMD[$db]="$WWSYMPA --config ${CONFIG[$db]} serve --threads 1"
done
echo "== starting responders (spawn-fcgi -n -- multiwatch -f $PROCS) and nginx"
start_fleet
MONTH=$(date -u -d "@$((1577836800 + COUNT * 230))" +%Y-%m)
declare -A PAGE=(
    [message]=/sympa/arc/bench/$MONTH/msg00010.html
    [month_thread]=/sympa/arc/bench/$MONTH/thrd1.html
    [month_date]=/sympa/arc/bench/$MONTH/mail1.html
    [search]=/sympa/arcsearch/bench?q=$(target/release/examples/archive_gen --words 1500 | cut -d' ' -f2)
)
PAGES=(message month_thread month_date search)
for app in "${APPS[@]}"; do
    url=http://127.0.0.1:${PORT[$app]}/$([ "$app" = libfcgi ] && echo hello || echo "sympa/arc/bench")
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)
        [ "$code" = 200 ] && break
        sleep 0.1
    done
    [ "$code" = 200 ] || { echo "archive-bench: $app does not answer 200 (got $code)" >&2; cat "$WORK/$app.log" >&2; exit 1; }
    [ "$app" = libfcgi ] && continue
    for page in "${PAGES[@]}"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${PORT[$app]}${PAGE[$page]}")
        [ "$code" = 200 ] || { echo "archive-bench: $app ${PAGE[$page]} answers $code" >&2; exit 1; }
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
TARGETS=(libfcgi)
for page in "${PAGES[@]}"; do
    for db in "${CONFIGS[@]}"; do TARGETS+=("$db:$page"); done
done
declare -A RPS
echo "== load: wrk -t2 -c$CONNS -d$DURATION, $ROUNDS interleaved rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
    for target in "${TARGETS[@]}"; do
        app=${target%%:*}
        if [ "$app" = libfcgi ]; then url=http://127.0.0.1:${PORT[libfcgi]}/hello; else url=http://127.0.0.1:${PORT[$app]}${PAGE[${target#*:}]}; fi
        out=$(wrk -t2 -c"$CONNS" -d"$DURATION" "$url")
        rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
        RPS[$target]+="$rps "
        printf '  round %s %-22s %10s req/s  %s\n' "$round" "$target" "$rps" "$(awk '/Non-2xx|Socket errors/ { print }' <<<"$out" | tr '\n' ' ')"
    done
done
echo
echo "== summary (medians; load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
base=$(median <<<"${RPS[libfcgi]}")
printf '  %-22s %10.0f req/s\n' libfcgi "$base"
verdict() { if awk "BEGIN { exit !($2) }"; then echo "  met:    $1"; else echo "  MISSED: $1"; fi; }
for target in "${TARGETS[@]:1}"; do
    rps=$(median <<<"${RPS[$target]}")
    ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
    case $target in
        *:message | *:month_*) verdict "$target $rps req/s >= 0.7x libfcgi (${ratio}x)" "$rps >= 0.7 * $base" ;;
        *) printf '  %-22s %10.0f req/s  %sx libfcgi\n' "$target" "$rps" "$ratio" ;;
    esac
done

#!/usr/bin/env bash
# Benchmark (not a test): mail intake over LMTP: messages/s of SIZE-byte posts to a public list, each answered 250 only after its commit (archived and indexed), and the server's CPU per message.
#
# Steps, each printed with its figures:
# 1. a fresh SQLite site with one list (send public, DMARC never: no DNS) and MEMBERS members
#    (0 by default: no distribution rows; each member adds one outbox row per post);
# 2. `wwsympa lmtp --listen 127.0.0.1:PORT` (release build);
# 3. benches/lmtp_load.rs: CONNS connections (as Postfix's lmtp concurrency) send COUNT posts
#    (unique Message-IDs, about SIZE bytes of words), one recipient each, pipelined commands;
#    it prints messages/s (250 only), p50/p99 per message;
# 4. the server's CPU time (utime+stime from /proc) per message, and the archive's count from
#    `wwsympa archive ls`, which must equal the 250s.
# Goal (issue 11): >= 500 messages/s of 10 kB on 2 cores.
#
# Usage: benches/lmtp-bench.sh   (env: COUNT=5000 CONNS=4 SIZE=10000 MEMBERS=0)
# Needs: ss. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-5000}
CONNS=${CONNS:-4}
SIZE=${SIZE:-10000}
MEMBERS=${MEMBERS:-0}

command -v ss >/dev/null || { echo "lmtp-bench: ss is missing" >&2; exit 1; }
WORK=$(mktemp -d /tmp/lmtp-bench.XXXXXX)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then
        kill -TERM "$SERVER" 2>/dev/null || true
        sleep 0.5
        kill -KILL "$SERVER" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 30000))
        ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
    done
}

echo "== building (release)"
cargo build --quiet --release --bin wwsympa --example lmtp_load
W=$PWD/target/release/wwsympa
LOAD=$PWD/target/release/examples/lmtp_load

cat >"$WORK/wwsympa.toml" <<CONF
domain = "lists.example.org"
wwsympa_url = "http://localhost/sympa"
db_name = "$WORK/wwsympa.db"
smtp_host = "127.0.0.1"
smtp_port = $(free_port)
log_level = "warn"
CONF
w() { "$W" --config "$WORK/wwsympa.toml" "$@"; }

echo "== site: list bench (send public), $MEMBERS member(s)"
w list create bench --subject "Intake benchmark" --send public --archive public >/dev/null
w list mail bench --dmarc never >/dev/null
if [ "$MEMBERS" -gt 0 ]; then
    seq "$MEMBERS" | sed 's/.*/member&@example.com/' >"$WORK/members.txt"
    w member import bench "$WORK/members.txt" >/dev/null
fi

PORT=$(free_port)
# Started directly (not through the function w), so that $! is the server's own PID.
"$W" --config "$WORK/wwsympa.toml" lmtp --listen "127.0.0.1:$PORT" 2>"$WORK/lmtp.log" &
SERVER=$!
for _ in $(seq 100); do
    ss -Htln "sport = :$PORT" | grep -q . && break
    sleep 0.05
done
cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
tick=$(getconf CLK_TCK)

echo "== $COUNT posts of about $SIZE bytes over $CONNS LMTP connection(s)"
before=$(cpu)
"$LOAD" "127.0.0.1:$PORT" bench@lists.example.org "$COUNT" "$CONNS" "$SIZE" | tee "$WORK/load.txt"
after=$(cpu)
accepted=$(sed -n 's/.*accepted_250=\([0-9]*\).*/\1/p' "$WORK/load.txt")
awk -v t=$((after - before)) -v hz="$tick" -v n="$accepted" \
    'BEGIN { if (n > 0) printf "  server CPU: %.2f s, %.2f ms per message\n", t / hz, 1000 * t / hz / n }'
archived=$(w archive ls bench | awk '{ s += $2 } END { print s + 0 }')
echo "  archived: $archived (250s: $accepted)"
[ "$accepted" = "$COUNT" ] && [ "$archived" = "$accepted" ] || { echo "lmtp-bench: not every message was acknowledged and archived" >&2; tail -20 "$WORK/lmtp.log" >&2; exit 1; }
grep -E "ERROR|panicked" "$WORK/lmtp.log" | head -5 || true

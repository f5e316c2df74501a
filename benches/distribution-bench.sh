#!/usr/bin/env bash
# Benchmark (not a test): one post to COUNT members in personalized mode with DKIM RSA-2048, through the sender's distribution to a local SMTP sink: recipients/s and CPU per recipient, beside the raw signing rate of the same key measured in the same run.
#
# Steps: an RSA-2048 key (openssl); the sink (`distribution_bench sink`, PIPELINING, discards
# everything, another process so that the CPU figures are the sender's alone); then
# `distribution_bench run` (benches/distribution_bench.rs): a fresh SQLite site with COUNT
# members over 1,000 domains, the post archived and queued in one transaction (timed), the
# raw signing rate (1 thread and one per core), the distribution (wall time, CPU per recipient,
# ratio to the raw rate; issue 11's goal: >= 80%; Sympa's own figure is about 60 recipients/s).
#
# Usage: benches/distribution-bench.sh   (env: COUNT=100000 MAXSMTP=4)
# Needs: openssl. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-100000}
export MAXSMTP=${MAXSMTP:-4}

. benches/common.sh
bench_init distribution-bench openssl

echo "== building (release)"
cargo build --quiet --release --example distribution_bench
BENCH=$PWD/target/release/examples/distribution_bench

openssl genrsa -out "$WORK/dkim.key" 2048 2>/dev/null
PORT=$(free_port)
"$BENCH" sink "$PORT" 2>"$WORK/sink.log" &
PIDS+=($!)
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.05
done

echo "== one post to $COUNT members, personalized, DKIM RSA-2048, $MAXSMTP sessions"
"$BENCH" run "$WORK" "$WORK/dkim.key" "$PORT" "$COUNT"

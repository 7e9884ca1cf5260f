#!/usr/bin/env bash
# How much the service's heap grows while it takes one BulkCreateUsers stream of ROWS users and
# while it streams ListUsers of those ROWS users to a reader that takes one message per
# READ_INTERVAL_MS. The live heap is read from the service's GC log, with a full collection
# forced before each run and every SAMPLE_SECONDS during it, so garbage is not counted.
#
#   ROWS=1000000 READ_INTERVAL_MS=1 scripts/bench-memory.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (PGUSER, default postgres), psql, jcmd and the packaged jar
# (built if missing). Uses (and recreates) the database $DB (default "userbench"). With the defaults the list
# run alone takes ROWS x READ_INTERVAL_MS (about 17 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
READ_INTERVAL_MS=${READ_INTERVAL_MS:-1}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-5}
PORT=${PORT:-50061}
DB=${DB:-userbench}
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=${PGUSER:-postgres}
export JWT_SECRET=${JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
JAR=${JAR:-target/user-service.jar}
WORK=$(mktemp -d)
SERVICE_PID=
SAMPLER_PID=

cleanup() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || ./mvnw -B -q package -DskipTests
psql -q -d postgres -c "drop database if exists $DB" -c "create database $DB"

DATABASE_URL=jdbc:postgresql://127.0.0.1:5432/$DB DATABASE_USER=$PGUSER GRPC_PORT=$PORT \
  java -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 60); do grep -q "listening on port" "$WORK/service.log" && break; sleep 1; done
grep -q "listening on port" "$WORK/service.log" || { cat "$WORK/service.log"; exit 1; }

# the heap after the most recent collection, in MiB, from lines like "... 52M->31M(256M) 3.1ms"
live_after_gc() { sed -n 's/.* [0-9]*[MK]->\([0-9]*\)\([MK]\)(.*/\1 \2/p' "$WORK/gc.log" | tail -n 1 | awk '{ print ($2 == "K") ? int($1 / 1024) : $1 }'; }
full_gc() { jcmd "$SERVICE_PID" GC.run > /dev/null; sleep 1; }
# the largest heap after any collection logged from line $1 on, in MiB
peak_after_gc_since() {
  tail -n +"$1" "$WORK/gc.log" | sed -n 's/.* [0-9]*[MK]->\([0-9]*\)\([MK]\)(.*/\1 \2/p' \
    | awk 'BEGIN { m = 0 } { v = ($2 == "K") ? $1 / 1024 : $1; if (v > m) m = v } END { printf "%d", m }'
}
sample() { while sleep "$SAMPLE_SECONDS"; do jcmd "$SERVICE_PID" GC.run > /dev/null 2>&1 || true; done; }

measure() { # label, bench flags...
  local label=$1; shift
  full_gc
  local before from result
  before=$(live_after_gc)
  from=$(($(wc -l < "$WORK/gc.log") + 1))
  sample & SAMPLER_PID=$!
  result=$(java -jar "$JAR" bench --target=localhost:$PORT --calls=1 --concurrency=1 "$@" | sed -n 's/^RESULT //p')
  kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
  local peak
  peak=$(peak_after_gc_since "$from")
  full_gc
  printf '%-44s heap before %4d MiB, peak after GC %4d MiB, growth %4d MiB (target < 64); after %4d MiB\n' \
    "$label" "$before" "$peak" $((peak - before)) "$(live_after_gc)"
  echo "  $result"
}

echo "user-service heap growth on $(nproc) cores, $(date -u +%Y-%m-%d), $ROWS users"
measure "BulkCreateUsers, one stream of $ROWS" --rpc=bulk --batch="$ROWS"
measure "ListUsers of $ROWS, reader 1 message/${READ_INTERVAL_MS} ms" --rpc=list --users=1 \
  --read-interval-ms="$READ_INTERVAL_MS"

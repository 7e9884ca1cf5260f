#!/usr/bin/env bash
# How much the service's heap grows while it takes one BulkCreateUsers stream of ROWS users and
# while it streams ListUsers of those ROWS users to a reader that takes one message per
# READ_INTERVAL_MS. The live heap is read from the service's GC log, with a full collection
# forced before each run and every SAMPLE_SECONDS during it, so garbage is not counted.
#
#   ROWS=1000000 READ_INTERVAL_MS=1 scripts/bench-memory.sh
#
# Needs PostgreSQL on 127.0.0.1:$PGPORT (default 5432; PGUSER, default postgres), psql, jcmd and the packaged jar
# (built if missing). Uses (and recreates) the database $DB (default "userbench"). With the defaults the list
# run alone takes ROWS x READ_INTERVAL_MS (about 17 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
READ_INTERVAL_MS=${READ_INTERVAL_MS:-1}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-5}
PORT=${PORT:-50061}
DB=${DB:-userbench}
. scripts/bench-lib.sh
psql -q -d postgres -c "drop database if exists $DB" -c "create database $DB"
start_service "$DB"

echo "user-service heap growth on $(nproc) cores, $(date -u +%Y-%m-%d), $ROWS users"
measure_heap "BulkCreateUsers, one stream of $ROWS" --rpc=bulk --batch="$ROWS"
measure_heap "ListUsers of $ROWS, reader 1 message/${READ_INTERVAL_MS} ms" --rpc=list --users=1 \
  --read-interval-ms="$READ_INTERVAL_MS"

#!/usr/bin/env bash
# Measures user-service against what PostgreSQL itself does on this machine, side by side:
# for each kind of work, the database alone (pgbench or COPY) and the matching `bench` run
# against the service at the same concurrency, then the ratio.
#
#   scripts/bench-vs-postgres.sh [seconds per run, default 20]
#
# Needs PostgreSQL on 127.0.0.1:5432 (PGUSER, default postgres), pgbench and psql, and the
# packaged jar (built if missing). Uses (and recreates) the database "userbench".
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-20}
WARMUP=${WARMUP:-20}
CONCURRENCY=${CONCURRENCY:-8}
USERS=${USERS:-100000}
COPY_ROWS=${COPY_ROWS:-200000}
PORT=${PORT:-50061}
DB=userbench
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=${PGUSER:-postgres}
export JWT_SECRET=${JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
JAR=target/user-service.jar
WORK=$(mktemp -d)
SERVICE_PID=

cleanup() {
  if [ -n "$SERVICE_PID" ]; then kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f "$JAR" ] || ./mvnw -B -q package -DskipTests

psql -q -d postgres -c "drop database if exists $DB" -c "create database $DB"
psql -q -d $DB >/dev/null <<SQL
-- the database's own baselines use tables shaped like the service's users table, in a schema
-- of their own so the service's migrations find an empty public schema
create schema baseline;
set search_path = baseline;
create table bench_lookup (id uuid primary key, email varchar(1024) not null unique, name varchar(1024) not null,
  status varchar(16) not null, password_hash varchar(255), request_id varchar(512) unique, version bigint not null,
  created_at timestamptz not null, updated_at timestamptz not null, roles varchar(512) not null default '');
create table bench_insert (like bench_lookup including all);
create table bench_copy (like bench_lookup including all);
insert into bench_lookup (id, email, name, status, version, created_at, updated_at)
  select md5(n::text)::uuid, 'lookup' || n || '@example.com', 'Lookup ' || n, 'ACTIVE', 1, now(), now()
  from generate_series(1, $USERS) n;
analyze bench_lookup;
SQL

DATABASE_URL=jdbc:postgresql://127.0.0.1:5432/$DB DATABASE_USER=$PGUSER GRPC_PORT=$PORT \
  java -jar "$JAR" > "$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 60); do grep -q "listening on port" "$WORK/service.log" && break; sleep 1; done
grep -q "listening on port" "$WORK/service.log" || { cat "$WORK/service.log"; exit 1; }

bench() {
  java -jar "$JAR" bench --target=localhost:$PORT --warmup-seconds=$WARMUP --duration-seconds="$SECONDS_PER_RUN" "$@" \
    | tee -a "$WORK/bench.out" | sed -n 's/^RESULT //p'
}
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
pgbench_tps() { sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$1" | head -n 1; }

echo "== point lookup: pgbench -S style select by id, prepared, $CONCURRENCY clients"
echo "\\set n random(1, $USERS)
select id, email, name, status, created_at, updated_at, version from baseline.bench_lookup where id = md5(:n::text)::uuid;" \
  > "$WORK/lookup.sql"
pgbench -n -M prepared -c "$CONCURRENCY" -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/lookup.sql" $DB > "$WORK/pg-lookup.out"
PG_LOOKUP=$(pgbench_tps "$(cat "$WORK/pg-lookup.out")")
GET=$(bench --rpc=get --concurrency="$CONCURRENCY" --users="$USERS")
GET_RATE=$(field calls_per_s "$GET")
GET_P99=$(field p99_ms "$GET")
HALF=$(awk -v r="$GET_RATE" 'BEGIN { printf "%d", r / 2 }')
GET_HALF=$(bench --rpc=get --concurrency=64 --rate="$HALF" --users=1000)
GET_HALF_P99=$(field p99_ms "$GET_HALF")

echo "== single insert: pgbench insert, prepared, $CONCURRENCY clients"
echo "insert into baseline.bench_insert (id, email, name, status, version, created_at, updated_at)
values (gen_random_uuid(), md5(random()::text || clock_timestamp()::text) || '@example.com', 'Inserted', 'ACTIVE', 1, now(), now());" \
  > "$WORK/insert.sql"
PG_INSERT=$(pgbench_tps "$(pgbench -n -M prepared -c "$CONCURRENCY" -j 2 -T "$SECONDS_PER_RUN" -f "$WORK/insert.sql" $DB)")
CREATE=$(bench --rpc=create --concurrency="$CONCURRENCY")
CREATE_RATE=$(field calls_per_s "$CREATE")

echo "== bulk insert: COPY $COPY_ROWS rows in"
psql -q -d $DB -c "\\copy (select md5('c' || n)::uuid, 'copy' || n || '@example.com', 'Copied ' || n, 'ACTIVE', null, null, 1, now(), now(), '' from generate_series(1, $COPY_ROWS) n) to '$WORK/rows.csv' with csv"
START=$(date +%s.%N)
psql -q -d $DB -c "\\copy baseline.bench_copy from '$WORK/rows.csv' with csv"
END=$(date +%s.%N)
PG_COPY_IN=$(awk -v n="$COPY_ROWS" -v s="$START" -v e="$END" 'BEGIN { printf "%.0f", n / (e - s) }')
BULK=$(bench --rpc=bulk --concurrency=1 --batch=10000)
BULK_RATE=$(field messages_per_s "$BULK")

echo "== full scan: COPY (select ... order by id) out, to a fast reader"
ROWS_IN_USERS=$(psql -tAq -d $DB -c "select count(*) from users")
START=$(date +%s.%N)
psql -q -d $DB -c "\\copy (select id, email, name, status, created_at, updated_at, version from users order by id) to '/dev/null'"
END=$(date +%s.%N)
PG_COPY_OUT=$(awk -v n="$ROWS_IN_USERS" -v s="$START" -v e="$END" 'BEGIN { printf "%.0f", n / (e - s) }')
LIST=$(bench --rpc=list --concurrency=1 --users=1)
LIST_RATE=$(field messages_per_s "$LIST")

echo "== password hashing: one Argon2id hash at a time, then CreateUser with a password"
HASH=$(bench --rpc=hash --concurrency=1)
HASH_RATE=$(field calls_per_s "$HASH")
CORES=$(nproc)
CREATE_PW=$(bench --rpc=create-password --concurrency="$CONCURRENCY")
CREATE_PW_RATE=$(field calls_per_s "$CREATE_PW")

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
echo
echo "user-service vs PostgreSQL on $(nproc) cores, $(date -u +%Y-%m-%d), ${SECONDS_PER_RUN}s per run, concurrency $CONCURRENCY"
printf '%-40s %14s %14s %8s %8s\n' "work" "database" "service" "ratio" "target"
printf '%-40s %14s %14s %8s %8s\n' "point lookup (/s)" "$PG_LOOKUP" "$GET_RATE" "$(ratio "$GET_RATE" "$PG_LOOKUP")" ">=0.5"
printf '%-40s %14s %14s %8s %8s\n' "GetUser p99 at peak / half peak (ms)" "" "$GET_P99 / $GET_HALF_P99" "" "<=5"
printf '%-40s %14s %14s %8s %8s\n' "single insert (/s)" "$PG_INSERT" "$CREATE_RATE" "$(ratio "$CREATE_RATE" "$PG_INSERT")" ">=0.5"
printf '%-40s %14s %14s %8s %8s\n' "bulk insert (rows/s)" "$PG_COPY_IN" "$BULK_RATE" "$(ratio "$BULK_RATE" "$PG_COPY_IN")" ">=0.5"
printf '%-40s %14s %14s %8s %8s\n' "full scan (rows/s, $ROWS_IN_USERS rows)" "$PG_COPY_OUT" "$LIST_RATE" "$(ratio "$LIST_RATE" "$PG_COPY_OUT")" ">=0.5"
IDEAL=$(awk -v h="$HASH_RATE" -v c="$CORES" 'BEGIN { printf "%.1f", h * c }')
printf '%-40s %14s %14s %8s %8s\n' "create with password (/s; cores/hash)" "$IDEAL" "$CREATE_PW_RATE" "$(ratio "$CREATE_PW_RATE" "$IDEAL")" ">=0.8"
echo
echo "bench runs in full:"
cat "$WORK/bench.out"

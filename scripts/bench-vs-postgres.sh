#!/usr/bin/env bash
# Measures user-service against what PostgreSQL itself does on this machine, side by side: for
# each kind of work, the database alone (pgbench or COPY) and the matching run against the
# service at the same concurrency, then the ratio.
#
#   scripts/bench-vs-postgres.sh [seconds per run, default 20]
#
# Unary calls are driven two ways: by h2load (a native HTTP/2 load generator, the peer of
# pgbench) replaying one request built by `bench --frame-out` from the project's protos, and by
# the project's own `bench` (a JVM gRPC client, which also gives percentiles). h2load counts a
# call that ends with a gRPC error as a success, so every h2load line says which share of its
# calls carried an answer: the DATA bytes it received over (calls x the size of one answer).
# A sample call through curl checks the same request answers with grpc-status 0 first.
#
# Shapes: "CxM" is C connections with M calls in flight on each (h2load -c C -m M); pgbench
# runs C clients, `bench` C x M calls in flight on one connection. Each line also gives the
# service's CPU time per call (from /proc) and the machine's load average, since on a shared
# machine the rates move with everyone else's work while the CPU per call moves much less.
#
# PARTS (default all: "unary insert bulk list password") picks the comparisons, SHAPES the shapes,
# SERVICE_JAR another build of the service to measure (an older one, to compare) with this bench.
#
# CreateUser is driven natively by scripts/call-load.c (built here with cc and libnghttp2), which,
# unlike h2load, sends a new email on every call; and by `bench`. With a password too, on the
# default hashing threads and on the service restarted with one per core (the target's setting).
# ListUsers of the whole table is read natively by scripts/list-read.c, as psql reads COPY out, and
# by `bench`.
#
# Needs PostgreSQL on 127.0.0.1:$PGPORT (default 5432; PGUSER, default postgres), pgbench, psql, h2load
# (nghttp2-client), cc and libnghttp2-dev, curl and the packaged jar (built if missing). Uses (and recreates) the
# database $DB (default "userbench").
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${1:-20}
WARMUP=${WARMUP:-10}
SHAPES=${SHAPES:-"1x1 8x1 8x4 64x1"}
# which comparisons to run: unary (GetUser and Health by shape), insert, bulk, list, password
PARTS=${PARTS:-"unary insert bulk list password"}
CONCURRENCY=${CONCURRENCY:-8}
USERS=${USERS:-100000}
COPY_ROWS=${COPY_ROWS:-200000}
PORT=${PORT:-50061}
DB=${DB:-userbench}
. scripts/bench-lib.sh

psql -q -d postgres -c "drop database if exists $DB" -c "create database $DB"
psql -q -d "$DB" >/dev/null <<SQL
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

start_service "$DB"

service_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVICE_PID/stat"; }
# rows_per_s <rows> <command...>: runs the command (its output dropped) and prints rows per second of its wall time
rows_per_s() {
  local rows=$1 start end
  shift
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v n="$rows" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }'
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# frame <rpc> <file> [bench flags]: writes the request of <rpc> to <file>, prints its FRAME line
frame() {
  local rpc=$1 file=$2; shift 2
  java -jar "$JAR" bench --target=localhost:$PORT --rpc="$rpc" --frame-out="$file" "$@" | grep '^FRAME'
}

# check_frame <FRAME line> <file>: one call through curl with the same request must end with grpc-status 0
check_frame() {
  local path auth status
  path=$(sed -n 's/.* path=\([^ ]*\).*/\1/p' <<<"$1")
  auth=$(sed -n 's/.* authorization=\(.*\)$/\1/p' <<<"$1")
  status=$(curl -sS --http2-prior-knowledge -o /dev/null -D - -H "content-type: application/grpc" -H "te: trailers" \
    -H "authorization: $auth" --data-binary @"$2" "http://127.0.0.1:$PORT$path" | tr -d '\r' \
    | sed -n 's/^grpc-status: //p')
  if [ "$status" != "0" ]; then
    echo "the sample call of $path ended with grpc-status '$status', not 0: h2load's figures would count errors" >&2
    exit 1
  fi
}

# percentiles_ms <h2load log file>: "p50_ms=... p99_ms=..." of the calls it lists (third column:
# microseconds from a request's start to the end of its answer)
percentiles_ms() {
  cut -f3 "$1" | sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "p50_ms=0 p99_ms=0"; exit }
    i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
    printf "p50_ms=%.3f p99_ms=%.3f\n", v[i50] / 1000, v[i99] / 1000 }'
}

# h2load_run <FRAME line> <file> <connections> <streams each> [h2load flags]: prints
# "rate=... mean_ms=... p50_ms=... p99_ms=... answered=... cpu_us=... load=..." for a measured run
# after a short warm-up (percentiles from h2load's per-request log)
h2load_run() {
  local path auth response c=$3 m=$4 out before after
  path=$(sed -n 's/.* path=\([^ ]*\).*/\1/p' <<<"$1")
  auth=$(sed -n 's/.* authorization=\(.*\)$/\1/p' <<<"$1")
  response=$(sed -n 's/.* response_bytes=\([0-9]*\).*/\1/p' <<<"$1")
  local args=(-c "$c" -m "$m" -d "$2" -H "content-type: application/grpc" -H "te: trailers"
    -H "authorization: $auth" "${@:5}" "http://127.0.0.1:$PORT$path")
  h2load -D 3 "${args[@]}" > /dev/null
  rm -f "$WORK/h2load.log" # h2load appends to it
  before=$(service_ticks)
  out=$(h2load -D "$SECONDS_PER_RUN" --log-file="$WORK/h2load.log" "${args[@]}")
  after=$(service_ticks)
  echo "$out" >> "$WORK/h2load.out"
  local done rate mean unit data percentiles
  percentiles=$(percentiles_ms "$WORK/h2load.log")
  done=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
  rate=$(sed -n 's/^finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  read -r mean unit < <(sed -n 's/^time for request: *[0-9.]*[mu]*s *[0-9.]*[mu]*s *\([0-9.]*\)\([mu]*s\).*/\1 \2/p' <<<"$out")
  data=$(sed -n 's/^traffic: .*B (\([0-9]*\)) data.*/\1/p' <<<"$out")
  awk -v r="$rate" -v d="$done" -v mean="$mean" -v unit="$unit" -v data="$data" -v size="$response" \
    -v ticks=$((after - before)) -v tick="$TICK_US" -v l="$(load)" -v p="$percentiles" 'BEGIN {
      ms = unit == "us" ? mean / 1000 : (unit == "s" ? mean * 1000 : mean)
      printf "rate=%.0f mean_ms=%.3f %s answered=%.3f cpu_us=%.0f load=%s\n", r, ms, p, (d > 0 ? data / (d * size) : 0),
        (d > 0 ? ticks * tick / d : 0), l }'
}

# bench_run <rpc> <in flight> [flags]: the bench's RESULT line with the service's CPU per call and the load
bench_run() {
  local rpc=$1 n=$2; shift 2
  local before after result
  before=$(service_ticks)
  result=$(bench --rpc="$rpc" --concurrency="$n" "$@")
  after=$(service_ticks)
  with_cpu "$result" "$(field calls_per_s "$result")" $((after - before))
}

# with_cpu <line> <calls per second measured> <service ticks over warm-up and measured run>: the line
# with the service's CPU per call and the load. The warm-up's calls are not in the count: CPU per
# call is over the measured calls' share of the time.
with_cpu() {
  awk -v res="$1" -v r="$2" -v ticks="$3" -v tick="$TICK_US" -v w="$WARMUP" -v s="$SECONDS_PER_RUN" -v l="$(load)" \
    'BEGIN { printf "%s cpu_us=%.0f load=%s\n", res, (r > 0 ? ticks * tick / (r * (w + s)) : 0), l }'
}

# create_load_run <connections> [password]: call-load's line (one call in flight per connection, a
# new email each, every user with the password if given) after $WARMUP seconds, with the service's
# CPU per call and the load
create_load_run() {
  local before after out
  before=$(service_ticks)
  out=$("$WORK/call-load" create 127.0.0.1 "$PORT" "$1" "$WARMUP" "$SECONDS_PER_RUN" "load$1-$RANDOM" "${@:2}")
  after=$(service_ticks)
  echo "$out" >> "$WORK/bench.out"
  with_cpu "$out" "$(field rate "$out")" $((after - before))
}


echo "\\set n random(1, $USERS)
select id, email, name, status, created_at, updated_at, version, roles from baseline.bench_lookup where id = md5(:n::text)::uuid;" \
  > "$WORK/lookup.sql"
echo "insert into baseline.bench_insert (id, email, name, status, version, created_at, updated_at)
values (gen_random_uuid(), md5(random()::text || clock_timestamp()::text) || '@example.com', 'Inserted', 'ACTIVE', 1, now(), now());" \
  > "$WORK/insert.sql"

part() { [[ " $PARTS " == *" $1 "* ]]; }

if part unary; then
  echo "== GetUser and Health/Check by shape ($SHAPES): pgbench select by id, h2load, bench"
  # the bench's lookups need users of the service; h2load replays one lookup of one of them
  bench --rpc=get --concurrency=1 --users="$USERS" --warmup-seconds=0 --duration-seconds=1 > /dev/null
  GET_FRAME=$(frame get "$WORK/get.bin" --users=1)
  HEALTH_FRAME=$(frame health "$WORK/health.bin")
  check_frame "$GET_FRAME" "$WORK/get.bin"
  check_frame "$HEALTH_FRAME" "$WORK/health.bin"
  # the service's code compiled before anything is measured: on two cores the JIT compilers take
  # tens of seconds of load to finish
  for _ in 1 2 3; do h2load_run "$GET_FRAME" "$WORK/get.bin" 8 4 > /dev/null; done
  h2load_run "$HEALTH_FRAME" "$WORK/health.bin" 8 4 > /dev/null
  declare -A PG H2 H2H BENCH
  for shape in $SHAPES; do
    c=${shape%x*} m=${shape#*x}
    PG[$shape]=$(pgbench_run "$WORK/lookup.sql" "$c" "$DB")
    H2[$shape]=$(h2load_run "$GET_FRAME" "$WORK/get.bin" "$c" "$m")
    H2H[$shape]=$(h2load_run "$HEALTH_FRAME" "$WORK/health.bin" "$c" "$m")
    BENCH[$shape]=$(bench_run get $((c * m)) --users=1000)
    echo "$shape pgbench ${PG[$shape]} | h2load GetUser ${H2[$shape]} | h2load Health ${H2H[$shape]} | bench ${BENCH[$shape]}"
  done
  # half the 8x1 peak, offered at a fixed rate: h2load's 8 connections each at an eighth of it
  # (--rps), and bench's open loop (latency from each call's intended start)
  GET_RATE=$(field rate "${H2[8x1]:-${H2[$shape]}}")
  HALF=$(awk -v r="$GET_RATE" 'BEGIN { printf "%d", r / 2 }')
  H2_HALF=$(h2load_run "$GET_FRAME" "$WORK/get.bin" 8 1 --rps="$(awk -v h="$HALF" 'BEGIN { r = int(h / 8); print (r < 1 ? 1 : r) }')")
  GET_HALF=$(bench_run get 64 --rate="$HALF" --users=1000)
  echo "half the 8x1 peak ($HALF/s): h2load $H2_HALF | bench $GET_HALF"
fi

if part insert; then
  echo "== single insert: pgbench insert at 1 and $CONCURRENCY clients; CreateUser without password through call-load and bench"
  # h2load would send one body, one email, again and again: every call after the first would be
  # ALREADY_EXISTS, so creates are driven natively by call-load, which sends a new email each time
  build_call_load
  # the create path compiled first, as the lookups' was by the h2load runs above
  "$WORK/call-load" create 127.0.0.1 "$PORT" "$CONCURRENCY" 0 $((WARMUP * 3)) warm > /dev/null
  PG_INSERT_1=$(pgbench_run "$WORK/insert.sql" 1 "$DB")
  NATIVE_1=$(create_load_run 1)
  CREATE_1=$(bench_run create 1)
  PG_INSERT_N=$(pgbench_run "$WORK/insert.sql" "$CONCURRENCY" "$DB")
  NATIVE_N=$(create_load_run "$CONCURRENCY")
  CREATE_N=$(bench_run create "$CONCURRENCY")
fi

if part bulk; then
  echo "== bulk insert: COPY $COPY_ROWS rows in"
  psql -q -d "$DB" -c "\\copy (select md5('c' || n)::uuid, 'copy' || n || '@example.com', 'Copied ' || n, 'ACTIVE', null, null, 1, now(), now(), '' from generate_series(1, $COPY_ROWS) n) to '$WORK/rows.csv' with csv"
  PG_COPY_IN=$(rows_per_s "$COPY_ROWS" psql -q -d "$DB" -c "\\copy baseline.bench_copy from '$WORK/rows.csv' with csv")
  BULK=$(bench --rpc=bulk --concurrency=1 --batch=10000)
  BULK_RATE=$(field messages_per_s "$BULK")
fi

if part list; then
  echo "== full scan: COPY (select ... order by id) out, to a fast reader; ListUsers read by list-read and by bench"
  # list-read (native, built here) as psql is COPY's reader; a token from a sample call (which
  # creates a user, so it comes before the count)
  build_list_read
  LIST_AUTH=$(sed -n 's/.* authorization=\(.*\)$/\1/p' <<<"$(frame get "$WORK/list-token.bin" --users=1)")
  ROWS_IN_USERS=$(psql -tAq -d "$DB" -c "select count(*) from users")
  PG_COPY_OUT=$(rows_per_s "$ROWS_IN_USERS" psql -q -d "$DB" -c \
    "\\copy (select id, email, name, status, created_at, updated_at, version from users order by id) to '/dev/null'")
  # the list path compiled first, as the others were
  "$WORK/list-read" 127.0.0.1 "$PORT" "$LIST_AUTH" 1000 > /dev/null
  before=$(service_ticks)
  LIST_NATIVE=$("$WORK/list-read" 127.0.0.1 "$PORT" "$LIST_AUTH" 1000)
  after=$(service_ticks)
  echo "$LIST_NATIVE" >> "$WORK/bench.out"
  if [ "$(field rows "$LIST_NATIVE")" != "$ROWS_IN_USERS" ]; then
    echo "list-read counted $(field rows "$LIST_NATIVE") users, the table holds $ROWS_IN_USERS" >&2
    exit 1
  fi
  LIST_CPU_US=$(awk -v t=$((after - before)) -v tick="$TICK_US" -v n="$ROWS_IN_USERS" 'BEGIN { printf "%.1f", t * tick / n }')
  LIST=$(bench --rpc=list --concurrency=1 --users=1)
  LIST_RATE=$(field messages_per_s "$LIST")
fi

if part password; then
  CORES=$(nproc)
  echo "== password hashing: CreateUser with a password through call-load on the service's default hashing"
  echo "   threads (half the cores); then, on the service restarted with one per core, $CORES Argon2id hashes at a"
  echo "   time (one per core) before and after CreateUser with a password through call-load, and again after bench's"
  [ -x "$WORK/call-load" ] || build_call_load
  CREATE_PW=$(create_load_run "$CONCURRENCY" "correct horse battery staple")
  # the target's setting: as many hashing threads as the baseline's; this is the last part, so the
  # service is restarted on the same database, its create path compiled again first (a few
  # thousand creates without a password: the creates with one come too slowly for that)
  stop_service
  HASH_THREADS=$CORES start_service "$DB"
  "$WORK/call-load" create 127.0.0.1 "$PORT" "$CONCURRENCY" 0 $((WARMUP * 2)) warm-pw > /dev/null
  # a hash's time on this shared machine moves by a third within minutes: each run of creates on
  # this service is compared with the mean of the baselines just before and just after it (the run
  # on the default threads, before the restart, with the first of those means)
  HASH_1=$(bench --rpc=hash --concurrency="$CORES")
  CREATE_PW_CORES=$(create_load_run "$CONCURRENCY" "correct horse battery staple")
  HASH_2=$(bench --rpc=hash --concurrency="$CORES")
  CREATE_PW_BENCH=$(bench --rpc=create-password --concurrency="$CONCURRENCY")
  HASH_3=$(bench --rpc=hash --concurrency="$CORES")
fi

echo
echo "user-service vs PostgreSQL on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), ${SECONDS_PER_RUN}s per run," \
  "$USERS users; load average now $(load)"
echo
if part unary; then
  echo "GetUser (h2load and bench) against pgbench -M prepared select by id; Health/Check through h2load is the"
  echo "transport's floor. /s: calls per second; p50, p99: latency percentiles in ms (h2load's from its per-request"
  echo "log); cpu: the service's CPU time per call (us); answered: share of h2load's calls that carried a user"
  echo "(must be 1.000)"
  printf '%-5s %9s %7s | %9s %7s %7s %5s %8s %6s | %9s %7s %7s %5s %6s | %9s %5s | %5s\n' \
    shape pgbench ms "h2load/s" p50 p99 cpu answered ratio "bench/s" p50 p99 cpu ratio "health/s" cpu load
  for shape in $SHAPES; do
    pg=$(field tps "${PG[$shape]}") h2=$(field rate "${H2[$shape]}") b=$(field calls_per_s "${BENCH[$shape]}")
    printf '%-5s %9.0f %7s | %9s %7s %7s %5s %8s %6s | %9.0f %7s %7s %5s %6s | %9s %5s | %5s\n' "$shape" "$pg" \
      "$(field ms "${PG[$shape]}")" "$h2" "$(field p50_ms "${H2[$shape]}")" "$(field p99_ms "${H2[$shape]}")" \
      "$(field cpu_us "${H2[$shape]}")" \
      "$(field answered "${H2[$shape]}")" "$(ratio "$h2" "$pg")" "$b" "$(field p50_ms "${BENCH[$shape]}")" \
      "$(field p99_ms "${BENCH[$shape]}")" "$(field cpu_us "${BENCH[$shape]}")" "$(ratio "$b" "$pg")" \
      "$(field rate "${H2H[$shape]}")" "$(field cpu_us "${H2H[$shape]}")" "$(field load "${H2[$shape]}")"
  done
  echo "targets: GetUser 1x1 p50 <= 0.3 ms and >= 0.3 x pgbench; 8x1 and 8x4 >= 0.5 x pgbench at 8 clients;"
  echo "64x1 >= 0.7 x pgbench at 64 clients"
  echo
fi

printf '%-44s %14s %14s %8s %8s\n' "work" "database" "service" "ratio" "target"
if part unary; then
  printf '%-44s %14s %14s %8s %8s\n' "GetUser p99 at half the 8x1 peak, h2load (ms)" "" "$(field p99_ms "$H2_HALF")" "" "<=5"
  printf '%-44s %14s %14s %8s %8s\n' "GetUser p99 at half the 8x1 peak, bench (ms)" "" "$(field p99_ms "$GET_HALF")" "" "<=5"
fi
if part insert; then
  for n in 1 "$CONCURRENCY"; do
    if [ "$n" = 1 ]; then pg=$PG_INSERT_1 native=$NATIVE_1 svc=$CREATE_1; else pg=$PG_INSERT_N native=$NATIVE_N svc=$CREATE_N; fi
    printf '%-44s %14.0f %14.0f %8s %8s\n' "single insert at $n, call-load (/s; p50 $(field p50_ms "$native") ms, $(field failed "$native") failed)" \
      "$(field tps "$pg")" "$(field rate "$native")" "$(ratio "$(field rate "$native")" "$(field tps "$pg")")" ">=0.5"
    printf '%-44s %14.0f %14.0f %8s %8s\n' "single insert at $n, bench (/s; p50 $(field p50_ms "$svc") ms)" \
      "$(field tps "$pg")" "$(field calls_per_s "$svc")" "$(ratio "$(field calls_per_s "$svc")" "$(field tps "$pg")")" ""
  done
fi

part bulk && printf '%-44s %14s %14s %8s %8s\n' "bulk insert (rows/s)" "$PG_COPY_IN" "$BULK_RATE" "$(ratio "$BULK_RATE" "$PG_COPY_IN")" ">=0.5"
if part list; then
  printf '%-44s %14s %14s %8s %8s\n' "full scan, list-read (rows/s; $LIST_CPU_US us/row)" "$PG_COPY_OUT" \
    "$(field rate "$LIST_NATIVE")" "$(ratio "$(field rate "$LIST_NATIVE")" "$PG_COPY_OUT")" ">=0.5"
  printf '%-44s %14s %14s %8s %8s\n' "full scan, bench ($ROWS_IN_USERS rows)" "$PG_COPY_OUT" "$LIST_RATE" \
    "$(ratio "$LIST_RATE" "$PG_COPY_OUT")" ""
fi
if part password; then
  # mean_rate <bench line> <bench line>: the mean of their calls per second
  mean_rate() { awk -v a="$(field calls_per_s "$1")" -v b="$(field calls_per_s "$2")" 'BEGIN { printf "%.1f", (a + b) / 2 }'; }
  # password_line <label> <call-load's or bench's line> <baseline> [target]
  password_line() {
    local rate
    rate=$(field rate "$2")
    rate=${rate:-$(field calls_per_s "$2")}
    printf '%-44s %14s %14s %8s %8s\n' "create with password (/s; $1)" "$3" "$rate" "$(ratio "$rate" "$3")" "${4:-}"
  }
  HASH_BEFORE_AFTER=$(mean_rate "$HASH_1" "$HASH_2")
  password_line "HASH_THREADS=$CORES, call-load; hashes $(field calls_per_s "$HASH_1") before, $(field calls_per_s "$HASH_2") after" \
    "$CREATE_PW_CORES" "$HASH_BEFORE_AFTER" ">=0.8"
  password_line "default threads, call-load; against the hashes after the restart" "$CREATE_PW" "$HASH_BEFORE_AFTER"
  password_line "HASH_THREADS=$CORES, bench; hashes $(field calls_per_s "$HASH_2") before, $(field calls_per_s "$HASH_3") after" \
    "$CREATE_PW_BENCH" "$(mean_rate "$HASH_2" "$HASH_3")"
fi

echo
echo "runs in full:"
part unary && for shape in $SHAPES; do echo "$shape pgbench ${PG[$shape]}"; done
cat "$WORK/bench.out"

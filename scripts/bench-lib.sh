# Shared by the bench scripts (sourced, not run, from the project's top folder, after the caller
# has set its PORT and, for measure_heap, SAMPLE_SECONDS): the environment they run in (PostgreSQL
# on 127.0.0.1, port PGPORT (default 5432), as PGUSER, a JWT_SECRET, JAR built if missing, a
# scratch directory WORK removed at exit), starting the service on a database, running the bench,
# reading its live heap from its GC log, and small helpers for the figures (load, field, ratio).
# JAR is the bench, and the service unless SERVICE_JAR names another build, e.g. an older one to
# compare.

export PGHOST=127.0.0.1 PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
export JWT_SECRET=${JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
JAR=${JAR:-target/user-service.jar}
WORK=$(mktemp -d)
[ -f "$JAR" ] || ./mvnw -B -q package -DskipTests

SERVICE_PID=
SERVICE_PIDS=()
SAMPLER_PID=

# the machine's load average over the last minute
load() { cut -d' ' -f1 /proc/loadavg; }
# field <name> <line>: the number after "<name>=" in a line of "name=value" pairs
field() { sed -n "s/.*[ ^]$1=\([0-9.]*\).*/\1/p" <<<" $2" | head -n 1; }
# ratio <a> <b>: a / b to two decimals, "n/a" when b is 0
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# bench [flags]: one run of the project's bench against the service on $PORT, after $WARMUP
# seconds of warm-up, for $SECONDS_PER_RUN seconds; prints its RESULT line (the whole output is
# kept in $WORK/bench.out)
bench() {
  java -jar "$JAR" bench --target=localhost:$PORT --warmup-seconds="$WARMUP" --duration-seconds="$SECONDS_PER_RUN" "$@" \
    | tee -a "$WORK/bench.out" | sed -n 's/^RESULT //p'
}

# pgbench_run <script> <clients> <database>: one run of pgbench -M prepared for $SECONDS_PER_RUN
# seconds (one thread per client, up to two), as "tps=... ms=... load=..." (ms: its mean latency)
pgbench_run() {
  local jobs=$(( $2 < 2 ? 1 : 2 )) out
  out=$(pgbench -n -M prepared -c "$2" -j "$jobs" -T "$SECONDS_PER_RUN" -f "$1" "$3")
  echo "tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$out" | head -n 1)" \
    "ms=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out" | head -n 1) load=$(load)"
}

# build_call_load: compiles scripts/call-load.c, the native CreateUser and GetUser load, into $WORK/call-load
build_call_load() {
  cc -O2 -pthread -o "$WORK/call-load" scripts/call-load.c -lnghttp2
}

# authorization: an authorization header's value with the admin role for the service on $PORT,
# minted by the bench from JWT_SECRET; it expires within minutes, so each run takes a new one
authorization() {
  java -jar "$JAR" bench --target=localhost:$PORT --rpc=health --frame-out="$WORK/health-frame.bin" \
    | sed -n 's/^FRAME .* authorization=\(.*\)$/\1/p'
}

# build_list_read: compiles scripts/list-read.c, the native ListUsers reader, into $WORK/list-read
build_list_read() {
  cc -O2 -o "$WORK/list-read" scripts/list-read.c -lnghttp2
}

# start_service <database> [java options...]: starts the packaged service on <database> and port
# $PORT, its GC log in $WORK/gc-$PORT.log and its output in $WORK/service-$PORT.log, and waits
# until it listens; SERVICE_PID is then its process. Services on other ports keep running. The
# metrics endpoint is off: its port would clash with another service on the same machine.
start_service() {
  local db=$1; shift
  DATABASE_URL=jdbc:postgresql://127.0.0.1:$PGPORT/$db DATABASE_USER=$PGUSER GRPC_PORT=$PORT METRICS_PORT=0 \
    java -Xlog:gc:file="$WORK/gc-$PORT.log" "$@" -jar "${SERVICE_JAR:-$JAR}" > "$WORK/service-$PORT.log" 2>&1 &
  SERVICE_PID=$!
  SERVICE_PIDS+=("$SERVICE_PID")
  for _ in $(seq 1 60); do grep -q "listening on port" "$WORK/service-$PORT.log" && break; sleep 1; done
  grep -q "listening on port" "$WORK/service-$PORT.log" || { cat "$WORK/service-$PORT.log"; return 1; }
}

# stop_service [pid]: stops the service SERVICE_PID, or the one given
stop_service() {
  local pid=${1:-$SERVICE_PID}
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ "$pid" != "$SERVICE_PID" ] || SERVICE_PID=
}

# the heap after the most recent collection of the service on $PORT, in MiB, from lines like
# "... 52M->31M(256M) 3.1ms"
live_after_gc() {
  sed -n 's/.* [0-9]*[MK]->\([0-9]*\)\([MK]\)(.*/\1 \2/p' "$WORK/gc-$PORT.log" | tail -n 1 \
    | awk '{ print ($2 == "K") ? int($1 / 1024) : $1 }'
}

full_gc() { jcmd "$SERVICE_PID" GC.run > /dev/null; sleep 1; }

gc_log_lines() { wc -l < "$WORK/gc-$PORT.log"; }

# the largest heap after any collection logged from line $1 on, in MiB; nothing when none was logged
peak_after_gc_since() {
  tail -n +"$1" "$WORK/gc-$PORT.log" | sed -n 's/.* [0-9]*[MK]->\([0-9]*\)\([MK]\)(.*/\1 \2/p' \
    | awk 'BEGIN { m = 0 } { v = ($2 == "K") ? $1 / 1024 : $1; if (v > m) m = v } END { if (NR > 0) printf "%d", m }'
}

# forces a full collection every $1 seconds until killed, so that the log shows the live heap
sample_heap() { while sleep "$1"; do jcmd "$SERVICE_PID" GC.run > /dev/null 2>&1 || true; done; }

# stops the sampler and every service started, and removes $WORK: the scripts' exit trap
end_bench() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2>/dev/null || true; fi
  local pid
  for pid in "${SERVICE_PIDS[@]}"; do stop_service "$pid"; done
  rm -rf "$WORK"
}

# measure_heap <label> <bench flags...>: runs one bench call while forcing a full collection every
# $SAMPLE_SECONDS, and prints the live heap before, its peak during the call and the growth
measure_heap() {
  local label=$1; shift
  full_gc
  local before from result
  before=$(live_after_gc)
  from=$(($(gc_log_lines) + 1))
  sample_heap "$SAMPLE_SECONDS" & SAMPLER_PID=$!
  result=$(java -jar "$JAR" bench --target=localhost:$PORT --calls=1 --concurrency=1 "$@" | sed -n 's/^RESULT //p')
  kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=
  local peak
  peak=$(peak_after_gc_since "$from")
  full_gc
  if [ -z "$peak" ]; then
    printf '%-44s heap before %4d MiB, no collection during the call (shorter than SAMPLE_SECONDS=%s); after %4d MiB\n' \
      "$label" "$before" "$SAMPLE_SECONDS" "$(live_after_gc)"
  else
    printf '%-44s heap before %4d MiB, peak after GC %4d MiB, growth %4d MiB (target < 64); after %4d MiB\n' \
      "$label" "$before" "$peak" $((peak - before)) "$(live_after_gc)"
  fi
  echo "  $result"
}

trap end_bench EXIT

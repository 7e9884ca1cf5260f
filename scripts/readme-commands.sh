#!/usr/bin/env bash
# Runs the README's shell blocks in order, as written, and checks what they print: run by
# .ci/run after the Maven build (which made target/user-service.jar), runnable alone.
#
# Every ```sh block of README.md must be marked by the line right above it:
#   <!-- readme-commands: serve -->          starts the service: run in the background on a fresh
#                                            DATA_DIR (its ./mvnw build step is left to the Maven
#                                            build before), then waited for until health is SERVING
#   <!-- readme-commands: run -->            run, in one shell with set -euo pipefail, in order
#   <!-- readme-commands: skip (reason) -->  not run here, and printed as skipped with its reason
# An unmarked block fails the run. grpcurl is not packaged here: scripts/grpcurl-shim answers
# the README's grpcurl commands through buf curl, and keeps each call's output for the checks.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

fail() {
  echo "readme-commands: FAILED: $*" >&2
  exit 1
}

jar=target/user-service.jar
[ -f "$jar" ] || fail "no $jar: build it first (./mvnw -B -q package -DskipTests)"
[ -x .ci/.buf/node_modules/.bin/buf ] || scripts/proto-checks.sh >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/readme-commands.XXXXXX")
service_pid=
cleanup() {
  if [ -n "$service_pid" ] && kill -0 "$service_pid" 2>/dev/null; then
    kill -TERM "$service_pid" 2>/dev/null || true
    wait "$service_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# a free port for the service; the shim sends the README's localhost:50051 there, so a service
# already on 50051 (another checkout's) is not called by mistake
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
export README_GRPC_PORT=$port
export GRPCURL_SHIM_LOG=$work/calls
export DATA_DIR=$work/data
export PATH="$root/scripts/grpcurl-shim:$PATH"
mkdir -p "$GRPCURL_SHIM_LOG" "$work/blocks"

# the shell blocks, each with its marker and line
awk -v dir="$work/blocks" '
  /^<!-- readme-commands: .* -->$/ { marker = $0; sub(/^<!-- readme-commands: /, "", marker); sub(/ -->$/, "", marker); next }
  !inside && /^```(sh|bash|shell)$/ {
    inside = 1; n++; file = sprintf("%s/%02d", dir, n)
    print (marker == "" ? "UNMARKED" : marker) > (file ".kind"); close(file ".kind")
    print NR + 1 > (file ".line"); close(file ".line")
    printf "" > (file ".sh"); marker = ""; next
  }
  inside && /^```$/ { inside = 0; close(file ".sh"); next }
  inside { print >> (file ".sh"); next }
  /[^[:space:]]/ { marker = "" }
' README.md
ls "$work"/blocks/*.sh >/dev/null 2>&1 || fail "README.md has no shell block"

commands=$work/commands.sh
{
  echo 'set -euo pipefail'
  echo 'set -v'
} >"$commands"
serve=
for block in "$work"/blocks/*.sh; do
  base=${block%.sh}
  kind=$(cat "$base.kind")
  line=$(cat "$base.line")
  case "$kind" in
    serve)
      [ -z "$serve" ] || fail "README.md line $line: a second serve block"
      serve=$block
      ;;
    run)
      [ -n "$serve" ] || fail "README.md line $line: a run block before the serve block"
      printf '\n: README.md line %s\n' "$line" >>"$commands"
      cat "$block" >>"$commands"
      ;;
    skip\ \(*\))
      echo "readme-commands: skipped README.md line $line, $kind: $(head -n 1 "$block")"
      ;;
    *)
      fail "README.md line $line: shell block marked '$kind' (expected a <!-- readme-commands: serve | run | skip (reason) --> line above it)"
      ;;
  esac
done
[ -n "$serve" ] || fail "README.md has no block marked serve"

# start the service as the README does, minus the build the Maven step already made
serve_command=$(cat "$serve")
while [[ $serve_command == ./mvnw\ * ]]; do
  [[ $serve_command == *" && "* ]] || fail "the serve block runs no command after ./mvnw"
  echo "readme-commands: not run again (the Maven build made the jar): ${serve_command%% && *}"
  serve_command=${serve_command#* && }
done
echo "readme-commands: starting the service as the README does: $serve_command (DATA_DIR=$DATA_DIR, port $port)"
GRPC_PORT=$port METRICS_PORT=0 bash -c "exec $serve_command" >"$work/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 120); do
  kill -0 "$service_pid" 2>/dev/null || { cat "$work/service.log" >&2; fail "the service stopped while starting"; }
  if GRPCURL_SHIM_LOG= grpcurl -plaintext localhost:50051 grpc.health.v1.Health/Check 2>/dev/null | grep -q SERVING; then
    break
  fi
  sleep 0.5
done
GRPCURL_SHIM_LOG= grpcurl -plaintext localhost:50051 grpc.health.v1.Health/Check | grep -q SERVING \
  || { tail -n 30 "$work/service.log" >&2; fail "the service did not become SERVING"; }

# the commands, in order, in one shell: the first that fails ends the run
cat >>"$commands" <<'CHECKS'

: the variables the README defines
set +v
uuid='^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
[[ $ADA_ID =~ $uuid ]] || { echo "ADA_ID is '$ADA_ID', not the id CreateUser printed" >&2; exit 1; }
[[ $GRACE_ID =~ $uuid ]] || { echo "GRACE_ID is '$GRACE_ID', not an id" >&2; exit 1; }
[[ $TOKEN == *.*.* ]] || { echo "TOKEN is not a token Login returned" >&2; exit 1; }
[[ $ADMIN_TOKEN == *.*.* ]] || { echo "ADMIN_TOKEN is not a token Login returned" >&2; exit 1; }
echo "$ADA_ID" >"$GRPCURL_SHIM_LOG/../ada-id"
CHECKS
echo "readme-commands: running the README's commands"
if ! bash "$commands" >"$work/commands.log" 2>&1; then
  cat "$work/commands.log" >&2
  fail "a README command failed (its output is above)"
fi
cat "$work/commands.log"

# what the calls printed
calls=$GRPCURL_SHIM_LOG
ada_id=$(cat "$work/ada-id")
output() { # the output of the n-th call of a method
  local file
  file=$(find "$calls" -name "*-$1.out" | sort | sed -n "${2}p")
  [ -n "$file" ] || fail "no call number $2 of $1 was made"
  cat "$file"
}
expect() { # method, which call, what its output must hold, what that means
  output "$1" "$2" | grep -q -- "$3" || fail "$4: call $2 of $1 printed no $3"
}
expect CreateUser 1 '"email": "ada@example.com"' "CreateUser made Ada"
expect Login 1 '"accessToken"' "Login gave a token"
expect GetUser 1 "\"id\": \"$ada_id\"" "GetUser found the id CreateUser printed"
expect Login 2 '"accessToken"' "Login as the first admin gave a token"
expect list 1 'user.v1.UserService' "list showed the service"
expect describe 1 'rpc ListUsers ( .user.v1.ListUsersRequest ) returns ( stream .user.v1.User );' "describe showed the service"
expect describe 2 'message User {' "describe showed the message"
[ "$(output CreateUser 2 | grep '"id"')" = "$(output CreateUser 3 | grep '"id"')" ] \
  || fail "the same request_id twice gave two users"
expect ListUsers 1 '"email": "ada@example.com"' "ListUsers returned the users"
expect ListUsers 1 '"email": "grace@example.com"' "ListUsers returned the users"
if output ListUsers 2 | grep -q '"email": "ada@example.com"'; then
  fail "ListUsers after Ada's id returned Ada again"
fi
expect ListUsers 2 '"email": "grace@example.com"' "ListUsers resumed after the id"
expect BulkCreateUsers 1 '"createdCount": 2' "BulkCreateUsers stored the two valid users"
expect BulkCreateUsers 1 '"index": 1' "BulkCreateUsers reported the invalid one"
expect UserUpdates 1 '"name": "Countess of Lovelace"' "UserUpdates renamed the caller"
expect UserUpdates 2 '"USER_STATUS_INACTIVE"' "an admin's UserUpdates changed another user's status"
expect Check 1 '"status": "SERVING"' "health answered"

kill -TERM "$service_pid"
wait "$service_pid" && stopped=0 || stopped=$?
service_pid=
[ "$stopped" -eq 0 ] || { tail -n 20 "$work/service.log" >&2; fail "the service exited with $stopped on SIGTERM"; }
echo "readme-commands: every README command ran as written, and printed what it should"

#!/usr/bin/env bash
# Builds the container image from the Dockerfile and checks that it runs: health SERVING, a
# CreateUser, Login and GetUser, and a clean exit on SIGTERM. Runs as root on a machine with
# podman, debootstrap, unshare and chroot, and buf (BUF, default .ci/.buf, as .ci/run installs it).
#
# Public images cannot be pulled here, so it first builds local stand-ins of the Dockerfile's
# two bases and tags them with their official names. The official eclipse-temurin images are
# Ubuntu, which is not reachable here: the stand-ins are Debian bookworm (debootstrap) with
# Debian's OpenJDK 17, at the path and with the environment of the official images, and the
# packages those install:
#   eclipse-temurin:17-jre          tzdata curl wget ca-certificates p11-kit fontconfig locales + a JRE
#   maven:3.9-eclipse-temurin-17    the same with a JDK, + ca-certificates curl git openssh-client
#                                   and Maven (Debian's); no unzip
# Their root filesystems are kept between runs in $IMAGE_SMOKE_CACHE (default
# /var/cache/user-service-image-smoke), keyed by suite, mirror and package list.
#
# "podman run" is refused here, so the image's own ENTRYPOINT, Env and User (from podman image
# inspect) run on the mounted image (podman image mount) in a mount namespace: uid 10001, the
# root read-only, tmpfs on /tmp and on the /data volume.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$(pwd)

cache=${IMAGE_SMOKE_CACHE:-/var/cache/user-service-image-smoke}
buf=${BUF:-$root_dir/.ci/.buf/node_modules/.bin/buf}
image=localhost/user-service:smoke
suite=bookworm

log() { echo "image-smoke: $*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, podman image mount, chroot)"
for tool in podman debootstrap unshare chroot; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done
[ -x "$buf" ] || die "buf not found at $buf (set BUF, or let .ci/run install it)"

# The Debian mirror this machine's apt uses for $suite.
debian_mirror() {
  {
    awk -v suite="$suite" '/^URIs:/ {uri = $2} /^$/ {uri = ""}
      /^Suites:/ {for (i = 2; i <= NF; i++) if ($i == suite && uri != "") {print uri; exit}}' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    awk -v suite="$suite" '$1 == "deb" {for (i = 2; i < NF; i++) if ($i ~ /:\/\// && $(i + 1) == suite) {print $i; exit}}' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
  } | head -n 1
}
mirror=$(debian_mirror)
[ -n "$mirror" ] || die "no Debian $suite source in this machine's apt configuration"
arch=$(dpkg --print-architecture)

temurin_packages="tzdata curl wget ca-certificates p11-kit fontconfig locales"
jre_packages="$temurin_packages openjdk-17-jre-headless"
maven_packages="$temurin_packages openjdk-17-jdk-headless ca-certificates curl git openssh-client maven"

# A root filesystem of these packages as a tar in the cache, made by debootstrap once.
rootfs_tar() {
  local name=$1 packages=$2 key dir
  key=$(echo "$suite $mirror $arch $packages" | sha256sum | cut -c1-16)
  local tar="$cache/$name-$key.tar"
  if [ ! -s "$tar" ]; then
    log "debootstrap $suite for $name (once; kept in $cache)"
    mkdir -p "$cache/debs"
    dir=$(mktemp -d "$cache/.$name.XXXXXX")
    debootstrap --variant=minbase --arch="$arch" --cache-dir="$cache/debs" \
      --include="$(echo "$packages" | tr ' ' ',')" "$suite" "$dir/rootfs" "$mirror" >"$dir/debootstrap.log" 2>&1 \
      || { tail -n 30 "$dir/debootstrap.log" >&2; die "debootstrap of $name failed"; }
    local fs="$dir/rootfs"
    [ ! -e "$fs/usr/bin/unzip" ] || die "$name has unzip, which the official image has not"
    # the official images' locale and Java home
    echo "en_US.UTF-8 UTF-8" >>"$fs/etc/locale.gen"
    chroot "$fs" locale-gen >/dev/null
    mkdir -p "$fs/opt/java"
    ln -s "/usr/lib/jvm/java-17-openjdk-$arch" "$fs/opt/java/openjdk"
    # this machine's CA certificates, so the build reaches the Maven registry as this machine does
    cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/ca-certificates.crt"
    if [ -f /etc/ssl/certs/java/cacerts ]; then
      cp /etc/ssl/certs/java/cacerts "$fs/etc/ssl/certs/java/cacerts"
    fi
    rm -rf "$fs/var/lib/apt/lists/"* "$fs/var/cache/apt/archives/"*.deb
    tar -C "$fs" -cf "$dir/rootfs.tar" .
    mv "$dir/rootfs.tar" "$tar"
    rm -rf "$dir"
  fi
  echo "$tar"
}

# Imports a root filesystem as the image $tag, unless that image already holds it.
stand_in() {
  local tag=$1 packages=$2 tar key
  shift 2
  tar=$(rootfs_tar "${tag%%:*}" "$packages")
  key=$(basename "$tar" .tar)
  if [ "$(podman image inspect --format '{{index .Labels "user-service.stand-in"}}' "$tag" 2>/dev/null)" = "$key" ]; then
    return
  fi
  log "importing $tag"
  local changes=(--change "LABEL user-service.stand-in=$key"
    --change "ENV JAVA_HOME=/opt/java/openjdk"
    --change "ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    --change "ENV LANG=en_US.UTF-8" --change "ENV LANGUAGE=en_US:en" --change "ENV LC_ALL=en_US.UTF-8")
  for change in "$@"; do
    changes+=(--change "$change")
  done
  podman import -q "${changes[@]}" "$tar" "$tag" >/dev/null
}

started=$(date +%s)
stand_in eclipse-temurin:17-jre "$jre_packages" 'CMD ["jshell"]'
stand_in maven:3.9-eclipse-temurin-17 "$maven_packages" \
  "ENV MAVEN_HOME=/usr/share/maven" "ENV MAVEN_CONFIG=/root/.m2" 'CMD ["mvn"]'
log "stand-in bases ready after $(($(date +%s) - started)) s"

log "podman build --isolation=chroot"
podman build --isolation=chroot --pull=never --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  -t "$image" . >&2 || die "the image does not build"
log "image built after $(($(date +%s) - started)) s"

inspect() { podman image inspect --format "$1" "$image"; }
user=$(inspect '{{.Config.User}}')
[ "$user" = "10001:10001" ] || die "the image runs as '$user', not 10001:10001"
mapfile -t entrypoint < <(inspect '{{range .Config.Entrypoint}}{{println .}}{{end}}' | sed '/^$/d')
mapfile -t image_env < <(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
[ "${#entrypoint[@]}" -gt 0 ] || die "the image has no ENTRYPOINT"
[ "$(inspect '{{index .Labels "org.opencontainers.image.title"}}')" = user-service ] || die "no OCI title label"

work=$(mktemp -d)
pid=""
mounted=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [ -z "$mounted" ] || podman image umount "$image" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
failed() {
  log "service log:"
  sed 's/^/  | /' "$work/service.log" >&2 || true
  die "$*"
}

image_root=$(podman image mount "$image")
mounted=yes
mkdir "$work/root"
# In its own mount namespace: the image read-only, tmpfs where it may write, then the
# entrypoint as uid 10001 with only the image's environment (and a free port).
unshare --mount --propagation private -- sh -c '
  set -e
  root=$1 image_root=$2
  shift 2
  mount --bind "$image_root" "$root"
  mount -o remount,bind,ro "$root"
  mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
  mount -t tmpfs -o uid=10001,gid=10001,mode=0750,size=256m tmpfs "$root/data"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  exec chroot --userspec=10001:10001 "$root" /usr/bin/env -i "$@"
' sh "$work/root" "$image_root" "${image_env[@]}" GRPC_PORT=0 METRICS_PORT=0 DRAIN_DELAY_MS=500 \
  "${entrypoint[@]}" >"$work/service.log" 2>&1 &
pid=$!

port=""
for _ in $(seq 1 120); do
  kill -0 "$pid" 2>/dev/null || failed "the service exited at start"
  port=$(sed -n 's/.*user-service listening on port \([0-9]*\).*/\1/p' "$work/service.log" | head -n 1)
  [ -z "$port" ] || break
  sleep 0.5
done
[ -n "$port" ] || failed "the service did not open its port within 60 s"
log "listening on port $port (uid $(ps -o uid= -p "$pid" | tr -d ' '))"
[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = 10001 ] || failed "the service does not run as uid 10001"
# its root, as it sees it, is mounted read-only
awk '$5 == "/" {print $6}' "/proc/$pid/mountinfo" | grep -q '^ro' || failed "the service's root is not read-only"

call() {
  local method=$1 data=$2
  shift 2
  "$buf" curl --protocol grpc --http2-prior-knowledge --timeout 10s --data "$data" "$@" \
    "http://127.0.0.1:$port/$method"
}

health=""
for _ in $(seq 1 60); do
  health=$(call grpc.health.v1.Health/Check '{"service": "user.v1.UserService"}' 2>/dev/null || true)
  case "$health" in *'"SERVING"'*) break ;; esac
  sleep 0.5
done
case "$health" in *'"SERVING"'*) log "health SERVING" ;; *) failed "health is not SERVING: $health" ;; esac

created=$(call user.v1.UserService/CreateUser \
  '{"email": "smoke@example.com", "name": "Smoke Test", "password": "correct horse battery"}') \
  || failed "CreateUser failed"
id=$(echo "$created" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] || failed "CreateUser answered without an id: $created"
token=$(call auth.v1.AuthService/Login '{"email": "smoke@example.com", "password": "correct horse battery"}' \
  | sed -n 's/.*"accessToken": *"\([^"]*\)".*/\1/p') || failed "Login failed"
[ -n "$token" ] || failed "Login answered without a token"
got=$(call user.v1.UserService/GetUser "{\"user_id\": \"$id\"}" -H "authorization: Bearer $token") \
  || failed "GetUser failed"
case "$got" in *'"smoke@example.com"'*) log "CreateUser, Login and GetUser answered ($id)" ;;
  *) failed "GetUser did not return the user: $got" ;; esac

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=""
[ "$status" = 0 ] || failed "exit code $status after SIGTERM"
grep -q "shutdown 4/4" "$work/service.log" || failed "no 'shutdown 4/4' line after SIGTERM"
log "SIGTERM: shutdown 4/4 logged, exit code 0"
log "passed in $(($(date +%s) - started)) s"

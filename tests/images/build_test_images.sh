#!/usr/bin/env bash
# Builds the local Docker images that container mode's tests and the shop
# demo run against (no registry is reachable, so nothing is pulled): redis:7,
# company/api:latest, company/search:latest, nginx:1 and the faultbox-test/*
# fixtures.
# See README.md beside this script for what each image is for.
#
#   tests/images/build_test_images.sh BUILD_DIR [IMAGE...]
#
# BUILD_DIR is a cmake build directory holding examples/shop/shop-api and
# examples/shop/shop-search; the build contexts are generated under
# BUILD_DIR/test-images/. With IMAGE arguments only those images are built.
#
# Every image carries the labels faultbox.test-image=1 and
# faultbox.test-image.context=sha256:<hash of its build context>; an image
# whose label matches the freshly generated context is left alone, so a
# second run costs a few seconds. One line per image: built, up to date, or
# kept (a tag that this script did not build is never replaced unless
# FAULTBOX_REPLACE_IMAGES=1).
#
# Exit status: 0 all images ready, 1 some image failed (each named on
# stderr with its cause), 2 usage, 3 no Docker daemon answers.
set -euo pipefail

readonly PROG=build_test_images.sh
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
readonly HERE REPO
readonly SHOP_IMAGES="$REPO/examples/shop/images"
readonly ALL_IMAGES=(redis:7 company/api:latest company/search:latest nginx:1
                     faultbox-test/hello:latest faultbox-test/nonroot:latest
                     faultbox-test/echo:latest faultbox-test/setuid:latest)
readonly LABEL=faultbox.test-image
readonly HASH_LABEL=faultbox.test-image.context

say() { printf '%s\n' "$*"; }
complain() { printf '%s: %s\n' "$PROG" "$*" >&2; }

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  say "usage: $PROG BUILD_DIR [IMAGE...]   (images: ${ALL_IMAGES[*]})" >&2
  exit 2
fi
if [ ! -d "$1" ]; then
  complain "build directory $1 does not exist"
  exit 2
fi
BUILD_DIR="$(cd "$1" && pwd)"
readonly BUILD_DIR
shift
WANTED=("$@")
if [ ${#WANTED[@]} -eq 0 ]; then WANTED=("${ALL_IMAGES[@]}"); fi
for image in "${WANTED[@]}"; do
  case " ${ALL_IMAGES[*]} " in
    *" $image "*) ;;
    *) complain "unknown image $image (known: ${ALL_IMAGES[*]})"; exit 2 ;;
  esac
done

for tool in docker gcc ldd tar sha256sum; do
  if ! command -v "$tool" >/dev/null; then
    complain "$tool is not installed (Debian: apt-get install docker.io build-essential)"
    exit 1
  fi
done

# The daemon, before any work: without one nothing below can succeed.
if ! server="$(docker version --format '{{.Server.Version}}' 2>&1)"; then
  complain "no Docker daemon answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}" \
    "($(printf '%s' "$server" | tail -n 1))"
  complain "start one as root: nohup dockerd >/tmp/dockerd.log 2>&1 &   then run this again"
  exit 3
fi

readonly CONTEXTS="$BUILD_DIR/test-images"
mkdir -p "$CONTEXTS"

# --- filling a FROM scratch root file system --------------------------------

# The directory the loader searches by default: where the host's libc lives.
LIBC_DIR="$(dirname "$(readlink -f "$(ldd /bin/sh | awk '$1 == "libc.so.6" { print $3 }')")")"
readonly LIBC_DIR

# A rootfs with the host's top-level symlinks (merged /usr: bin -> usr/bin),
# so a path names the same file in the image as on the host.
new_rootfs() {
  local rootfs="$1" entry
  mkdir -p "$rootfs"
  for entry in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$entry" ]; then ln -s "$(readlink "/$entry")" "$rootfs/$entry"; fi
  done
  mkdir -p "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$HERE/nsswitch.conf" "$rootfs/etc/nsswitch.conf"
}

# install_file ROOTFS SOURCE PATH: SOURCE's content (symlinks followed) at
# PATH in the image, keeping SOURCE's mode.
install_file() {
  local rootfs="$1" source="$2" path="$3" dir
  dir="$(readlink -m "$(dirname "$path")")"
  mkdir -p "$rootfs$dir"
  cp -L --preserve=mode "$source" "$rootfs$dir/$(basename "$path")"
}

# install_program ROOTFS SOURCE PATH [HINT]: the program, its loader at the path the
# program names (PT_INTERP), and every library ldd resolves, in LIBC_DIR.
# glibc dlopens libgcc_s.so.1 for pthread_cancel and pthread_exit; it is
# added whether or not the program links it.
install_program() {
  local rootfs="$1" source="$2" path="$3" listing name arrow resolved rest
  if [ ! -x "$source" ]; then
    echo "missing program $source${4:+ ($4)}" >&2
    return 1
  fi
  install_file "$rootfs" "$source" "$path"
  if ! listing="$(ldd "$source" 2>&1)"; then
    echo "ldd $source failed: $listing" >&2
    return 1
  fi
  if [ -e "$LIBC_DIR/libgcc_s.so.1" ]; then
    listing+=$'\n'"libgcc_s.so.1 => $LIBC_DIR/libgcc_s.so.1 (0x0)"
  fi
  while read -r name arrow resolved rest; do
    case "$name" in
      "" | linux-vdso.so.* | linux-gate.so.*) ;;
      /*) install_file "$rootfs" "$name" "$name" ;;  # the loader, by PT_INTERP path
      *)
        if [ "$arrow" != "=>" ] || [ ! -e "$resolved" ]; then
          echo "$source: library $name not found (ldd: $name $arrow $resolved $rest)" >&2
          return 1
        fi
        install_file "$rootfs" "$resolved" "$LIBC_DIR/$name"
        ;;
    esac
  done <<<"$listing"
}

# compile_static SOURCE OUTPUT [MODE]: the linker's note that static
# getaddrinfo needs glibc's NSS libraries at run time does not apply (glibc
# 2.34+ builds files and dns into libc), so compiler output is shown only
# when the compile fails.
compile_static() {
  local source="$1" output="$2" mode="${3:-0755}" log
  if ! log="$(gcc -static -O2 -Wall -Wextra -o "$output" "$source" 2>&1)"; then
    echo "gcc -static $source failed:" >&2
    printf '%s\n' "$log" >&2
    return 1
  fi
  chmod "$mode" "$output"
}

# --- one function per image: fill the context directory ($1) ---------------

context_redis() {
  new_rootfs "$1/rootfs"
  install_program "$1/rootfs" /usr/bin/redis-server /usr/bin/redis-server \
    "Debian: apt-get install redis-server"
  install_program "$1/rootfs" /bin/sh /bin/sh
  install_file "$1/rootfs" "$HERE/redis/docker-entrypoint.sh" /usr/local/bin/docker-entrypoint.sh
  chmod 0755 "$1/rootfs/usr/local/bin/docker-entrypoint.sh"
  cp "$HERE/redis/Dockerfile" "$1/"
}

context_api() {
  new_rootfs "$1/rootfs"
  install_program "$1/rootfs" "$BUILD_DIR/examples/shop/shop-api" /usr/local/bin/shop-api \
    "build it: ninja -C $BUILD_DIR shop-api"
  cp "$SHOP_IMAGES/api/Dockerfile" "$1/"
}

context_search() {
  new_rootfs "$1/rootfs"
  install_program "$1/rootfs" "$BUILD_DIR/examples/shop/shop-search" /usr/local/bin/shop-search \
    "build it: ninja -C $BUILD_DIR shop-search"
  cp "$SHOP_IMAGES/search/Dockerfile" "$1/"
}

# Debian's nginx with its mime.types, our nginx.conf, and the users its
# `user www-data;` directive looks up. The directories it writes to exist:
# /run (pid file), /var/log/nginx (its logs), /var/lib/nginx (the parent
# of the temp directories nginx creates at start).
context_nginx() {
  new_rootfs "$1/rootfs"
  install_program "$1/rootfs" /usr/sbin/nginx /usr/sbin/nginx "Debian: apt-get install nginx"
  if [ ! -f /etc/nginx/mime.types ]; then
    echo "missing /etc/nginx/mime.types (Debian: apt-get install nginx)" >&2
    return 1
  fi
  install_file "$1/rootfs" /etc/nginx/mime.types /etc/nginx/mime.types
  install_file "$1/rootfs" "$HERE/nginx/nginx.conf" /etc/nginx/nginx.conf
  install_file "$1/rootfs" "$HERE/nginx/passwd" /etc/passwd
  install_file "$1/rootfs" "$HERE/nginx/group" /etc/group
  chmod 0644 "$1/rootfs/etc/nginx/mime.types" "$1/rootfs/etc/nginx/nginx.conf" \
    "$1/rootfs/etc/passwd" "$1/rootfs/etc/group"
  mkdir -p "$1/rootfs/run" "$1/rootfs/var/log/nginx" "$1/rootfs/var/lib/nginx"
  chmod 0755 "$1/rootfs/run" "$1/rootfs/var/log/nginx" "$1/rootfs/var/lib/nginx"
  cp "$HERE/nginx/Dockerfile" "$1/"
}

context_hello() {
  compile_static "$HERE/hello.c" "$1/hello"
  cp "$HERE/hello/Dockerfile" "$1/"
}

context_nonroot() {
  compile_static "$HERE/hello.c" "$1/hello"
  cp "$HERE/nonroot/Dockerfile" "$1/"
}

context_echo() {
  compile_static "$HERE/echo_server.c" "$1/echo"
  cp "$HERE/echo/Dockerfile" "$1/"
}

# /hello owned by 65534:65534 with mode 4755, inside a tar (see the Dockerfile).
context_setuid() {
  mkdir "$1/tar"
  compile_static "$HERE/hello.c" "$1/tar/hello" 4755
  tar --owner=65534 --group=65534 --numeric-owner --mtime=@0 \
    -cf "$1/hello.tar" -C "$1/tar" hello
  rm -r "$1/tar"
  cp "$HERE/setuid/Dockerfile" "$1/"
}

context_function() {
  case "$1" in
    redis:7) echo context_redis ;;
    company/api:latest) echo context_api ;;
    company/search:latest) echo context_search ;;
    nginx:1) echo context_nginx ;;
    faultbox-test/hello:latest) echo context_hello ;;
    faultbox-test/nonroot:latest) echo context_nonroot ;;
    faultbox-test/echo:latest) echo context_echo ;;
    faultbox-test/setuid:latest) echo context_setuid ;;
  esac
}

# The hash covers names, modes and contents (not times or owners: COPY sets
# the owner), so an unchanged input gives the same hash in any build dir.
context_hash() {
  printf 'sha256:%s' "$(tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -cf - -C "$1" . | sha256sum | cut -d' ' -f1)"
}

# The legacy builder (no buildx here) prints a deprecation notice on every
# build with CLI 23+; drop that block, keep everything else.
without_deprecation_notice() {
  awk '/^DEPRECATED: The legacy builder/ { skipping = 1 }
       skipping && /^[[:space:]]*$/ { skipping = 0; next }
       !skipping { print }' "$1"
}

# --- build ------------------------------------------------------------------

failed=()
for image in "${WANTED[@]}"; do
  context="$CONTEXTS/$(printf '%s' "$image" | tr '/:' '__')"
  rm -rf "$context"
  mkdir -p "$context"
  # A subshell outside any condition, so set -e stops at the first failure.
  prepare_err="$(mktemp)"
  set +e
  (set -e; "$(context_function "$image")" "$context") 2>"$prepare_err" >/dev/null
  prepared=$?
  set -e
  if [ $prepared -ne 0 ]; then
    complain "$image: cannot prepare its build context: $(cat "$prepare_err")"
    rm -f "$prepare_err"
    failed+=("$image")
    continue
  fi
  rm -f "$prepare_err"
  hash="$(context_hash "$context")"

  old_id="$(docker image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
  if [ -n "$old_id" ]; then
    labels="$(docker image inspect --format \
      "{{with .Config.Labels}}{{index . \"$LABEL\"}} {{index . \"$HASH_LABEL\"}}{{end}}" "$image")"
    if [ "${labels%% *}" != 1 ] && [ "${FAULTBOX_REPLACE_IMAGES:-0}" != 1 ]; then
      say "$image: kept (not built by this script; FAULTBOX_REPLACE_IMAGES=1 replaces it)"
      continue
    fi
    if [ "${labels#* }" = "$hash" ]; then
      say "$image: up to date"
      continue
    fi
  fi

  build_err="$(mktemp)"
  if new_id="$(DOCKER_BUILDKIT=0 docker build -q --label "$LABEL=1" --label "$HASH_LABEL=$hash" \
               -t "$image" "$context" 2>"$build_err")"; then
    say "$image: built ${new_id:0:19}"
    # The image this tag named before is now dangling; remove it unless a
    # container still uses it.
    if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
      docker image rm "$old_id" >/dev/null 2>&1 || true
    fi
  else
    complain "$image: docker build failed: $(without_deprecation_notice "$build_err")"
    failed+=("$image")
  fi
  rm -f "$build_err"
done

if [ ${#failed[@]} -gt 0 ]; then
  complain "not built: ${failed[*]}"
  exit 1
fi

#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (as root, or with sudo):
#   ./run.sh demo    install what is missing, build, run the demo
#   ./run.sh test    install what is missing, build, run the whole test suite
#   ./run.sh bench   install, build, run the benchmarks (timing lives here, never in tests)
# Packages come from DESIGN.md §8; only the missing ones are installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE="${1:-demo}"
JOBS="${JOBS:-$(nproc)}"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
TRACE_FUZZ_SECONDS="${TRACE_FUZZ_SECONDS:-$(( FUZZ_SECONDS >= 3 ? FUZZ_SECONDS / 3 : 1 ))}"

PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
  libseccomp-dev libcurl4-openssl-dev nlohmann-json3-dev libboost-context-dev libz3-dev
  libnetfilter-queue-dev libgmp-dev libre2-dev libcli11-dev libfmt-dev libgtest-dev
  libbenchmark-dev python3 golang-starlark-dev iptables
  libcpp-httplib-dev libhiredis-dev redis-server curl libssl-dev
  docker.io nginx
)

log() { printf '==> %s\n' "$*"; }

install_missing() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "all packages present"
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  # Packages are installed for their files (nginx and redis-server go into
  # test images, dockerd is started when needed): no daemon is started by
  # the install itself. policy-rc.d is Debian's switch for that; one that
  # was already there stays as it was.
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    own_policy=1
  fi
  local rc=0
  "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
  if ((own_policy)); then "${sudo[@]}" rm -f "$policy"; fi
  return $rc
}

# Container mode (issue 6) needs a Docker daemon. When none answers on the
# socket DOCKER_HOST names (default /var/run/docker.sock), start dockerd in
# the background (root only) and wait until it answers; its log goes to
# /tmp/faultbox-dockerd.log. Nothing is pulled: the test images are built
# locally from the build's own binaries (tests/images/build_test_images.sh).
docker_sock() {
  local h="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  echo "${h#unix://}"
}
docker_answers() { curl -sf --max-time 3 --unix-socket "$(docker_sock)" http://docker/_ping >/dev/null 2>&1; }
ensure_dockerd() {
  if docker_answers; then log "docker daemon: answering at $(docker_sock)"; return; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "docker daemon: none answers at $(docker_sock) and starting one needs root (sudo dockerd &)"
    return 1
  fi
  log "docker daemon: none answers at $(docker_sock); starting dockerd (log: /tmp/faultbox-dockerd.log)"
  nohup dockerd >/tmp/faultbox-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    if docker_answers; then log "docker daemon: up"; return; fi
    sleep 1
  done
  tail -20 /tmp/faultbox-dockerd.log >&2
  log "docker daemon: did not answer within 60 s"
  return 1
}

build() {  # build DIR [cmake args...]
  local dir="$1"; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

case "$MODE" in
  demo)
    install_missing
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ensure_dockerd
    log "building the shop's images locally (redis:7, company/api, company/search; nothing is pulled)"
    bash "$ROOT/tests/images/build_test_images.sh" "$ROOT/build"
    log "faultbox test examples/shop/images.star    (the mission's spec, literally: image= services)"
    "$ROOT/build/faultbox" test "$ROOT/examples/shop/images.star"
    log "faultbox test examples/shop/faultbox.star  (the same shop, binary mode)"
    "$ROOT/build/faultbox" test "$ROOT/examples/shop/faultbox.star"
    ;;
  test)
    install_missing
    failed=0
    # Container mode's tests need a daemon; without one they fail (never skip).
    ensure_dockerd || failed=1
    log "release build + full test suite"
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
    (cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS") || failed=1
    log "ASan/UBSan build + the same suite"
    build "$ROOT/build-asan" -DCMAKE_BUILD_TYPE=Debug -DFAULTBOX_SANITIZE=ON
    (cd "$ROOT/build-asan" && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$JOBS") || failed=1
    log "libFuzzer build + bounded fuzz run (${FUZZ_SECONDS}s)"
    cmake -S "$ROOT" -B "$ROOT/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFAULTBOX_FUZZ=ON \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
    cmake --build "$ROOT/build-fuzz" -j "$JOBS" --target starlark_fuzzer trace_reader_fuzzer
    corpus="$(mktemp -d)"
    trace_corpus="$(mktemp -d)"
    trap 'rm -rf "$corpus" "$trace_corpus"' EXIT
    cp "$ROOT"/tests/fuzz/corpus/* "$corpus"/
    cp "$ROOT"/tests/fuzz/trace_corpus/* "$trace_corpus"/
    if "$ROOT/build-fuzz/starlark_fuzzer" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
         -timeout=10 "$corpus" >"$ROOT/build-fuzz/fuzz.log" 2>&1; then
      log "fuzz: no crash, leak or hang in ${FUZZ_SECONDS}s ($(tail -1 "$ROOT/build-fuzz/fuzz.log"))"
    else
      tail -40 "$ROOT/build-fuzz/fuzz.log"
      log "fuzz: FAILED (log: build-fuzz/fuzz.log)"
      failed=1
    fi
    log "trace reader fuzz run (${TRACE_FUZZ_SECONDS}s)"
    if (cd "$ROOT/build-fuzz" && ./trace_reader_fuzzer -max_total_time="$TRACE_FUZZ_SECONDS" -rss_limit_mb=2048 \
         -timeout=10 "$trace_corpus" >trace_fuzz.log 2>&1); then
      log "trace fuzz: no crash, leak or hang in ${TRACE_FUZZ_SECONDS}s ($(tail -1 "$ROOT/build-fuzz/trace_fuzz.log"))"
    else
      tail -40 "$ROOT/build-fuzz/trace_fuzz.log"
      log "trace fuzz: FAILED (log and crash input: build-fuzz/trace_fuzz.log, build-fuzz/crash-*)"
      failed=1
    fi
    if ((failed)); then log "test suite: FAILED"; exit 1; fi
    log "test suite: all passed"
    ;;
  bench)
    install_missing
    build "$ROOT/build" -DCMAKE_BUILD_TYPE=Release
    # Every bench_* binary: bench_decision_cost (cost per decision, a
    # serialized `faultbox test` against --free; runs build/faultbox and the
    # shop, as root), bench_starlark_vs_python, bench_syscall_cost.
    for b in "$ROOT"/build/bench_*; do [[ -x $b ]] && "$b"; done
    ;;
  *)
    echo "usage: $0 demo|test|bench" >&2
    exit 2
    ;;
esac

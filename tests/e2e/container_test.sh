#!/usr/bin/env bash
# Container mode end to end (issue 6), against a real Docker daemon and images
# built locally by tests/images/build_test_images.sh (no registry is reachable):
#   - examples/shop/images.star, the mission's spec literally: three tests pass,
#     Redis down refuses and cuts the api's open connection, the search delay
#     is a held SYN that the api's own timeout outlasts, disk full hits only
#     the api's file writes;
#   - /proc/PID/status of a container's process: our filter on top of Docker's;
#   - after a run no container, network or shim folder of faultbox's is left;
#     SIGINT mid-run cleans up (exit 130); after kill -9 the next run sweeps;
#   - a serialized run across containers writes a trace that replays exactly,
#     its arrows between services named service.interface;
#   - a shell-script entrypoint (redis:7), a FROM scratch image with no libc
#     (faultbox-test/echo), a non-root image user (faultbox-test/nonroot);
#   - svc.<iface>.addr is the service's DNS name on the run's network;
#   - errors, each one line and exit 3: a missing image, no daemon, a setuid
#     entrypoint, a spec mixing image= and binary=.
# Usage (ctest): bash container_test.sh FAULTBOX BUILD_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed, 77 not root.
set -u
FAULTBOX="$1"
BUILD="$2"
SRC="$3"

[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (Docker, seccomp handover, netfilter queues)"; exit 77; }

TMP="$(mktemp -d)"
BG=""
cleanup() {
  [[ -n "$BG" ]] && kill -9 "$BG" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}

source "$SRC/tests/e2e/containers_lib.sh"
require_docker_daemon
bash "$SRC/tests/images/build_test_images.sh" "$BUILD" >"$TMP/images" 2>&1 || { fail "building the test images"; cat "$TMP/images"; exit 1; }

# --- the mission's spec, literally ---------------------------------------------------
"$FAULTBOX" test "$SRC/examples/shop/images.star" >"$TMP/out" 2>&1 &
BG=$!
wait "$BG"; rc=$?; fb="$BG"; BG=""
[[ $rc == 0 ]] && pass "images.star: exit 0" || { fail "images.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_checkout_when_redis_down \([0-9]+ms\)$' "redis test passes"
expect_out '^--- PASS: test_search_timeout_doesnt_block_checkout \([0-9]+ms\)$' "search test passes"
expect_out '^--- PASS: test_full_disk_error_message \([0-9]+ms\)$' "disk test passes"
expect_out 'fault Redis down: [1-9][0-9]* hits?, cut [1-9][0-9]* open connections?' \
  "Redis down refused and cut the api container's open connection"
expect_out 'fault search timeout: [1-9][0-9]* hits?' "the search delay held a SYN"
expect_out 'fault disk full: [1-9][0-9]* hits?' "disk full hit the api container's file writes"
grep -q 'never fired' "$TMP/out" && fail "a fault never fired: $(cat "$TMP/out")"
expect_out '^3 passed, 0 failed$' "summary line"
left="$(all_owned "$fb")"
[[ -z "$left" ]] && pass "nothing of the run is left (containers, networks, shim folder)" || fail "left behind: $left"

# --- a trace across containers that replays --------------------------------------------
"$FAULTBOX" test "$SRC/examples/shop/images.star" --test 'test_checkout*' --trace-dir "$TMP/traces" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "serialized run with --trace-dir: exit 0" || { fail "traced run: exit $rc"; cat "$TMP/out"; }
trace="$TMP/traces/test_checkout_when_redis_down-seed1.log"
if [[ -f "$trace" ]]; then
  grep -qE '^step=[0-9]+ api (connect|write|sendto|sendmsg) redis\.main ' "$trace" &&
    pass "the api's messages to redis are named redis.main in the trace" || fail "no api → redis.main event in $trace"
  grep -qE '^# binary: redis sha256:[0-9a-f]{64}$' "$trace" && pass "the header names redis's image id" ||
    fail "the header lacks redis's image id: $(head -8 "$trace")"
  "$FAULTBOX" replay "$trace" >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 0 ]] && pass "replay: exit 0" || { fail "replay: exit $rc"; cat "$TMP/out"; }
  expect_out '^replayed ([0-9]+)/\1 decisions$' "replay enforced every recorded decision"
  expect_out '^verdict: PASS \(as recorded\)$' "replay verdict as recorded"
else
  fail "no trace written: $(ls "$TMP/traces" 2>&1)"
fi

# --- our filter on top of Docker's; SIGINT; kill -9 ---------------------------------------
sed '/^def test_/,$d' "$SRC/examples/shop/images.star" >"$TMP/hang.star"
cat >>"$TMP/hang.star" <<'STAR'
def test_hangs():
    def held():
        search.get(path="/health", timeout="30s")
    fault(search, connect=delay("25s", label="held"), run=held)
STAR
# Waits until faultbox $1 runs its three containers; prints the api's host pid.
api_pid() {
  local deadline=$((SECONDS + 60)) id
  while ((SECONDS < deadline)); do
    if [[ "$(owned_containers "$1" | wc -l)" -ge 3 ]]; then
      id="$(docker ps --filter label=faultbox.service=api --format '{{.ID}} {{.Label "faultbox.owner"}}' |
            awk -v p="$1" '$2 ~ "^"p":" {print $1}')"
      if [[ -n "$id" ]]; then
        p="$(docker inspect -f '{{.State.Pid}}' "$id" 2>/dev/null)"
        # The api's program runs (not the shim any more) once it listens.
        if [[ -n "$p" && "$p" != 0 && "$(readlink "/proc/$p/exe" 2>/dev/null)" == */shop-api ]]; then echo "$p"; return 0; fi
      fi
    fi
    sleep 0.2
  done
  return 1
}
"$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
BG=$!
if p="$(api_pid "$BG")"; then
  ours="$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$p/status")"
  plain="$(docker run -d --rm faultbox-test/hello:latest)"
  pp="$(docker inspect -f '{{.State.Pid}}' "$plain")"
  theirs="$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$pp/status")"
  docker kill "$plain" >/dev/null 2>&1
  mode="$(awk '/^Seccomp:/ {print $2}' "/proc/$p/status")"
  [[ "$mode" == 2 && -n "$theirs" && "$ours" == $((theirs + 1)) ]] &&
    pass "the api container runs under our filter on top of Docker's (Seccomp 2, filters $ours = Docker's $theirs + 1)" ||
    fail "seccomp of the api container: mode $mode, $ours filters; a plain container has $theirs"
  sleep 1  # inside the test body: the step's SYN is held
  fb="$BG"
  kill -INT "$BG"
  wait "$BG"; rc=$?; BG=""
  [[ $rc == 130 ]] && pass "SIGINT: exit 130" || { fail "SIGINT: exit $rc, want 130"; cat "$TMP/out"; }
  left="$(all_owned "$fb")"
  [[ -z "$left" ]] && pass "SIGINT: no container, network or shim folder left" || fail "SIGINT: left behind: $left"
else
  fail "the hanging run never had its containers up: $(cat "$TMP/out")"; kill -9 "$BG"; BG=""
fi

"$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
BG=$!
if api_pid "$BG" >/dev/null; then
  fb="$BG"
  kill -9 "$BG"; wait "$BG" 2>/dev/null; BG=""
  left="$(all_owned "$fb")"
  [[ -n "$left" ]] && pass "kill -9 leaves the run's containers (to be swept)" || fail "kill -9 left nothing to sweep?"
  "$FAULTBOX" test "$SRC/examples/shop/images.star" --test test_full_disk_error_message >"$TMP/out" 2>&1 ||
    fail "the run after kill -9 failed: $(cat "$TMP/out")"
  left="$(all_owned "$fb")"
  [[ -z "$left" ]] && pass "kill -9: the next run swept the dead run's containers, network and shim folder" ||
    fail "kill -9: still left after the next run: $left"
else
  fail "the second hanging run never had its containers up"; kill -9 "$BG"; BG=""
fi

# --- images: no libc, a non-root user; a write fault on a container; addr -----------------
cat >"$TMP/small.star" <<'STAR'
echo = service("echo", interface("main", "tcp", 7000), image="faultbox-test/echo:latest",
               healthcheck=tcp("localhost:7000"))
nobody = service("nobody", interface("main", "tcp", 7001), image="faultbox-test/nonroot:latest")
print("addr " + echo.main.addr)

def test_echo():
    r = echo.main.send("hello\n")
    assert_true("hello" in r.body, "echo answered: " + r.body)

def test_disk_full():
    def full():
        r = echo.main.send("hello\n")
        assert_true("ENOSPC" in r.body, "the echo server's log write failed and it said so: " + r.body)
    fault(echo, write=deny("ENOSPC", label="echo disk full"), run=full)
STAR
"$FAULTBOX" test "$TMP/small.star" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "small.star: exit 0" || { fail "small.star: exit $rc"; cat "$TMP/out"; }
expect_out '^addr echo:7000$' "svc.main.addr is the service's name on the run's network"
expect_out '^--- PASS: test_echo' "a FROM scratch image with a non-root neighbour runs under interception"
expect_out 'fault echo disk full: [1-9][0-9]* hits?' "write=deny hits the container's file write, not its reply"

# --- errors: one line, exit 3 ----------------------------------------------------------------
one_line_exit3() {  # NAME ERE
  local rc=$1
  [[ $rc == 3 ]] && pass "$2: exit 3" || fail "$2: exit $rc, want 3"
  [[ "$(wc -l <"$TMP/out")" == 1 ]] && pass "$2: one line" || fail "$2: not one line: $(cat "$TMP/out")"
  expect_out "$3" "$2: names the cause"
}
sed 's#image="redis:7"#image="faultbox-test/no-such-image:1"#' "$SRC/examples/shop/images.star" >"$TMP/missing.star"
"$FAULTBOX" test "$TMP/missing.star" >"$TMP/out" 2>&1
one_line_exit3 $? "missing image" 'service redis: image faultbox-test/no-such-image:1 is not present locally'
DOCKER_HOST=unix:///nonexistent/docker.sock "$FAULTBOX" test "$SRC/examples/shop/images.star" >"$TMP/out" 2>&1
one_line_exit3 $? "no daemon" 'no Docker daemon answers at /nonexistent/docker.sock'
cat >"$TMP/setuid.star" <<'STAR'
s = service("s", interface("main", "tcp", 7000), image="faultbox-test/setuid:latest")
def test_x():
    pass
STAR
"$FAULTBOX" test "$TMP/setuid.star" >"$TMP/out" 2>&1
one_line_exit3 $? "setuid entrypoint" 'service s: .*setuid'
cat >"$TMP/mixed.star" <<'STAR'
echo = service("echo", interface("main", "tcp", 7000), image="faultbox-test/echo:latest")
local = service("local", "/bin/sleep", interface("main", "tcp", 7001), args=["60"])
def test_x():
    pass
STAR
"$FAULTBOX" test "$TMP/mixed.star" >"$TMP/out" 2>&1
one_line_exit3 $? "mixed spec" 'mixing both is not supported'

"$FAULTBOX" test "$SRC/examples/shop/images.star" --network host >"$TMP/out" 2>&1
rc=$?
[[ $rc == 3 ]] && pass "--network host with containers: exit 3" || fail "--network host with containers: exit $rc, want 3"
expect_out 'network host applies to binary= services' "--network host with containers: says why"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

#!/usr/bin/env bash
# `faultbox test --network host` end to end (issue 3, items 1 and 4, and the
# Acceptance's daemon check), on fixtures under the real supervisor:
#   - the output says once, at the start, that the run uses the host network;
#   - a connect delay on a service is applied by freezing the connect (here
#     the driver's own, which no SYN queue holds on the host), the step takes
#     at least the delay, and the fault line says it froze the syscall;
#   - a declared port already taken on the host (a python3 listener): exit 3,
#     one line;
#   - a double-forking daemon (the daemonizer fixture) is gone after a normal
#     end, and after SIGINT mid-run (exit 130).
#   - the shop's search timeout, only when its ports (8080, 6379, 9200) are
#     free on the host and redis-server is installed: the fault line says the
#     api's connect was frozen, and the test fails (the api's own connect
#     timeout cannot fire inside a frozen syscall: the documented cost).
# The fixture checks use free ports picked at run time, so they never depend
# on the host's ports.
# Usage (ctest): bash network_host_test.sh FAULTBOX FIXTURE_DIR [SHOP_BIN_DIR SOURCE_DIR]
# Exit 0 all checks passed, 1 some failed, 77 the environment cannot run it.
set -u
FAULTBOX="$1"
FIX="$(cd "$2" && pwd)"

[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (cgroups, seccomp supervision)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
for f in tcp_echo daemonizer; do
  [[ -x "$FIX/$f" ]] || { echo "FAIL: no $f fixture in $FIX"; exit 1; }
done

TMP="$(mktemp -d)"
BG=""        # faultbox in the background (SIGINT check)
HOLDER=""    # the python3 listener holding a host port
cleanup() {
  [[ -n "$BG" ]] && kill -9 "$BG" 2>/dev/null
  [[ -n "$HOLDER" ]] && kill "$HOLDER" 2>/dev/null
  # A daemon that escaped would outlive the test: never leave one behind.
  for f in "$TMP"/*.pid; do [[ -s "$f" ]] && kill -9 "$(cat "$f")" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# Under ASan the first fiber switch makes ASan say once, on stderr, that it
# does not fully support swapcontext. That line is not faultbox's output:
# checks that count or order output lines leave it out (that warning only).
ASAN_FIBER_WARNING="^==[0-9]+==WARNING: ASan doesn't fully support makecontext/swapcontext"
without_asan_fiber_warning() { grep -vE -- "$ASAN_FIBER_WARNING" "$@"; }
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
# A TCP port nothing on the host listens on right now (the kernel's pick).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
pid_alive() { [[ -d "/proc/$1" ]] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# --- the network line, and a connect delay applied by freezing ---------------------
PORT="$(free_port)"
cat >"$TMP/echo.star" <<STAR
echo = service("echo", "$FIX/tcp_echo", interface("main", "tcp", $PORT), args=["$PORT"],
               healthcheck=tcp("localhost:$PORT", timeout="5s"))

def test_slow_connect():
    def body():
        r = echo.main.send("hello\n", timeout="5s")
        assert_true(r.ok, "send failed: %s" % r.error)
        assert_eq(r.body, "hello\n")
        assert_true(r.duration_ms >= 700, "the connect was not delayed: %d ms" % r.duration_ms)
    fault(echo, connect=delay("700ms", label="slow connect"), run=body)
STAR
timeout 120 "$FAULTBOX" test "$TMP/echo.star" --network host >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "echo with --network host: exit 0" || { fail "echo with --network host: exit $rc"; cat "$TMP/out"; }
[[ "$(without_asan_fiber_warning "$TMP/out" | head -n1)" == "network: host (connect delays freeze the syscall; runs share the host's ports)" ]] &&
  pass "the first line says the run uses the host network" || { fail "no network line first"; cat "$TMP/out"; }
[[ "$(grep -c '^network: ' "$TMP/out")" == 1 ]] && pass "the network line is said once" || fail "network line count"
expect_out '^--- PASS: test_slow_connect' "the delayed send passes"
expect_out 'fault slow connect: 1 hit, 1 delayed by freezing the connect syscall' \
  "the fault line says the connect delay froze the syscall"

# Without the flag: no network line (the per-run namespace holds the SYN).
timeout 120 "$FAULTBOX" test "$TMP/echo.star" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "echo in its own namespace: exit 0" || { fail "echo in its own namespace: exit $rc"; cat "$TMP/out"; }
grep -q '^network: ' "$TMP/out" && fail "a network line without --network host" || pass "no network line by default"
grep -q 'freezing' "$TMP/out" && fail "a held SYN reported as a frozen syscall" || pass "the default run holds the SYN"

# --- a port taken on the host -----------------------------------------------------------
BUSY="$(free_port)"
python3 -c "
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $BUSY)); s.listen(1); print('ready', flush=True); time.sleep(300)" >"$TMP/holder" &
HOLDER=$!
for _ in $(seq 50); do grep -q ready "$TMP/holder" && break; sleep 0.1; done
sed "s/$PORT/$BUSY/g" "$TMP/echo.star" >"$TMP/busy.star"
timeout 120 "$FAULTBOX" test "$TMP/busy.star" --network host >"$TMP/out" 2>&1
rc=$?
grep -v '^network: ' "$TMP/out" | without_asan_fiber_warning >"$TMP/err"
[[ $rc == 3 ]] && pass "port taken on the host: exit 3" || { fail "port taken on the host: exit $rc, want 3"; cat "$TMP/out"; }
[[ "$(wc -l <"$TMP/err")" == 1 ]] && pass "port taken on the host: one line" ||
  { fail "port taken on the host: not one line"; cat "$TMP/out"; }
grep -qE "service echo: port $BUSY is already taken on the host" "$TMP/err" &&
  pass "the line names the service, the port and the host" || { fail "the line lacks the cause"; cat "$TMP/out"; }
kill "$HOLDER" 2>/dev/null
wait "$HOLDER" 2>/dev/null
HOLDER=""

# --- a double-forked daemon dies with the run ---------------------------------------------
# The test body waits in a frozen connect (the daemon meanwhile writes its
# pid), so the daemon surely exists before teardown.
daemon_spec() {  # PIDFILE DELAY → stdout
  cat <<STAR
daemon = service("daemon", "$FIX/daemonizer", args=["$1"])
echo = service("echo", "$FIX/tcp_echo", interface("main", "tcp", $PORT), args=["$PORT"],
               healthcheck=tcp("localhost:$PORT", timeout="5s"))

def test_daemon():
    def body():
        echo.main.send("x", timeout="5s")
    fault(echo, connect=delay("$2", label="wait"), run=body)
STAR
}
daemon_spec "$TMP/normal.pid" 1s >"$TMP/daemon.star"
timeout 120 "$FAULTBOX" test "$TMP/daemon.star" --network host >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "daemon spec: exit 0" || { fail "daemon spec: exit $rc"; cat "$TMP/out"; }
if [[ -s "$TMP/normal.pid" ]]; then
  pid="$(cat "$TMP/normal.pid")"
  pid_alive "$pid" && fail "the daemon $pid outlived a normal end" || pass "the daemon is gone after a normal end"
else
  fail "the daemon never wrote its pid"
fi

daemon_spec "$TMP/sigint.pid" 60s >"$TMP/daemon_long.star"
"$FAULTBOX" test "$TMP/daemon_long.star" --network host >"$TMP/out" 2>&1 &
BG=$!
for _ in $(seq 100); do [[ -s "$TMP/sigint.pid" ]] && break; sleep 0.1; done
sleep 0.3  # the pid is written: let the run settle into the frozen connect
kill -INT "$BG"
wait "$BG"
rc=$?
BG=""
[[ $rc == 130 ]] && pass "SIGINT mid-run: exit 130" || { fail "SIGINT mid-run: exit $rc, want 130"; cat "$TMP/out"; }
if [[ -s "$TMP/sigint.pid" ]]; then
  pid="$(cat "$TMP/sigint.pid")"
  pid_alive "$pid" && fail "the daemon $pid outlived SIGINT" || pass "the daemon is gone after SIGINT"
else
  fail "the daemon never wrote its pid before SIGINT"
fi

# --- the shop, when the host lets it ------------------------------------------------------
port_free() {  # PORT: nothing on the host listens on it (any address)
  python3 -c "import socket,sys; s=socket.socket(); s.bind(('0.0.0.0', $1))" 2>/dev/null
}
if [[ $# -ge 4 ]] && command -v redis-server >/dev/null && port_free 8080 && port_free 6379 && port_free 9200; then
  sed "s#\"../../build/examples/shop/#\"$3/#" "$4/examples/shop/faultbox.star" >"$TMP/shop.star"
  timeout 120 "$FAULTBOX" test "$TMP/shop.star" --network host --test 'test_search_*' >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 1 ]] && pass "shop search timeout on the host: exit 1 (frozen connect)" ||
    { fail "shop search timeout on the host: exit $rc, want 1"; cat "$TMP/out"; }
  expect_out 'fault search timeout: 1 hit, 1 delayed by freezing the connect syscall' \
    "the shop's search delay froze the api's connect"
else
  echo "note: shop part skipped (no shop dir, no redis-server, or 8080/6379/9200 taken on the host)"
fi

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

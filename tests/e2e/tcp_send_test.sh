#!/usr/bin/env bash
# `faultbox test` end to end (issue 3, items 4 and 5 and the Acceptance's
# busy port), on the tcp_echo fixture under the real supervisor:
#   - svc.<iface>.send(data): the echo comes back as the body; a connect deny
#     refuses it (ok=False, one-line error); nth= refuses only the Nth connect;
#   - after= on the service's own socket writes: the first echo passes, the
#     next is cut;
#   - a declared port another service already holds: exit 3, one line naming
#     both services;
#   - a service whose log says "Address already in use": exit 3, one line.
# Usage (ctest): bash tcp_send_test.sh FAULTBOX FIXTURE_DIR
# Exit 0 all checks passed, 1 some failed, 77 the environment cannot run it.
set -u
FAULTBOX="$1"
FIX="$(cd "$2" && pwd)"

[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (network namespaces, cgroups)"; exit 77; }
[[ -x "$FIX/tcp_echo" ]] || { echo "FAIL: no tcp_echo fixture in $FIX"; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
run_spec() {  # SPEC → $rc, $TMP/out
  timeout 120 "$FAULTBOX" test "$1" >"$TMP/out" 2>&1
  rc=$?
}

# --- send(), connect denies, nth= and after= -------------------------------------------
cat >"$TMP/send.star" <<STAR
echo = service("echo", "$FIX/tcp_echo", interface("main", "tcp", 9000), args=["9000"],
               healthcheck=tcp("localhost:9000", timeout="5s"))

def test_send_echoes():
    r = echo.main.send("hello\n")
    assert_true(r.ok, "send failed: %s" % r.error)
    assert_eq(r.body, "hello\n")
    assert_true(r.duration_ms >= 0)

def test_send_refused_by_connect_deny():
    def body():
        r = echo.main.send("x", timeout="2s")
        assert_true(not r.ok, "a connect deny must refuse send()")
        assert_true("refused" in r.error, r.error)
    fault(echo, connect=deny("ECONNREFUSED", label="echo down"), run=body)

def test_nth_refuses_only_that_connect():
    def body():
        a = echo.main.send("1")
        b = echo.main.send("2")
        c = echo.main.send("3")
        assert_eq([a.ok, b.ok, c.ok], [True, False, True])
        assert_eq(a.body + c.body, "13")
    fault(echo, connect=deny("ECONNREFUSED", nth=2, label="second connect"), run=body)

def test_after_lets_the_first_write_through():
    def body():
        a = echo.main.send("one")
        b = echo.main.send("two")
        assert_eq(a.body, "one")
        assert_eq(b.body, "")
    fault(echo, write=deny("EIO", on="socket", after=1, label="late write"), run=body)
STAR
run_spec "$TMP/send.star"
[[ $rc == 0 ]] && pass "send.star: exit 0" || { fail "send.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_send_echoes ' "send() returns the echo"
expect_out '^--- PASS: test_send_refused_by_connect_deny ' "a connect deny refuses send()"
expect_out 'fault echo down: 1 hit' "the connect deny counted faultbox's own connect"
expect_out '^--- PASS: test_nth_refuses_only_that_connect ' "nth=2 refuses only the second connect"
expect_out 'fault second connect: 1 hit$' "nth= fired once"
expect_out '^--- PASS: test_after_lets_the_first_write_through ' "after=1 lets the first write through"
expect_out 'fault late write: 1 hit' "after= fired on the second write"
expect_out '^4 passed, 0 failed$' "summary line"

# --- a declared port already taken ------------------------------------------------------
# "first" declares 9001 but listens on 9000, the port "second" declares.
cat >"$TMP/taken.star" <<STAR
first = service("first", "$FIX/tcp_echo", interface("main", "tcp", 9001), args=["9000"],
                healthcheck=tcp("localhost:9000", timeout="5s"))
second = service("second", "$FIX/tcp_echo", interface("main", "tcp", 9000), args=["9000"],
                 depends_on=[first])

def test_never_runs():
    pass
STAR
run_spec "$TMP/taken.star"
[[ $rc == 3 ]] && pass "port taken: exit 3" || fail "port taken: exit $rc, want 3"
[[ "$(wc -l <"$TMP/out")" == 1 ]] && pass "port taken: one line" || fail "port taken: not one line: $(cat "$TMP/out")"
expect_out 'service second: port 9000 is already taken \(by service first\)' "the line names the port and its holder"

# --- a service that says "Address already in use" ---------------------------------------
# "late" declares 9002 (free) but binds 9000, which "first" holds.
cat >"$TMP/inuse.star" <<STAR
first = service("first", "$FIX/tcp_echo", interface("main", "tcp", 9000), args=["9000"],
                healthcheck=tcp("localhost:9000", timeout="5s"))
late = service("late", "$FIX/tcp_echo", interface("main", "tcp", 9002), args=["9000"],
               depends_on=[first], healthcheck=tcp("localhost:9002", timeout="5s"))

def test_never_runs():
    pass
STAR
run_spec "$TMP/inuse.star"
[[ $rc == 3 ]] && pass "address in use: exit 3" || fail "address in use: exit $rc, want 3"
[[ "$(wc -l <"$TMP/out")" == 1 ]] && pass "address in use: one line" || fail "address in use: not one line: $(cat "$TMP/out")"
expect_out 'service late: a port is already taken \(its log says: bind/listen: Address already in use\)' \
  "the line quotes the service's log"

[[ $failures == 0 ]] && { echo "all checks passed"; exit 0; }
echo "$failures check(s) failed"
exit 1

#!/usr/bin/env bash
# `faultbox test` with parallel() end to end (issue 4, item 2), on the
# rendezvous_http fixture under the real supervisor. The fixture answers a
# /meet/NAME request only once PARTY of them are open at the same time
# ("NAME together"), so a passing meet proves the branches' requests were
# in flight together; requests made one after another get "NAME alone".
#   - two branches meet; results come back in argument order;
#   - a branch that ends last is still result 1 (argument order, not finish order);
#   - nested parallel(): three fibers (test/1/1, test/1/2, test/2) meet;
#   - a control: one request alone cannot meet;
#   - fault() inside a branch refuses that branch's step while the other goes on;
#   - two failing branches: the first in argument order is reported, though
#     the other failed first in time; with -v the service log shows the
#     other branch still ran to its end after a branch failed;
#   - SIGINT while both branches wait: exit 130, services torn down, no
#     fixture process left, the run directory removed.
# Usage (ctest): bash parallel_steps_test.sh FAULTBOX FIXTURE_DIR
# Exit 0 all checks passed, 1 some failed (also when the environment cannot
# run it: CI runs as root with every package).
set -u
FAULTBOX="$1"
FIX="$(cd "$2" && pwd)"

[[ "$(id -u)" == 0 ]] || { echo "FAIL: needs root (network namespaces, cgroups, seccomp supervision)"; exit 1; }
[[ -x "$FIX/rendezvous_http" ]] || { echo "FAIL: no rendezvous_http fixture in $FIX"; exit 1; }

TMP="$(mktemp -d)"
BG=""
cleanup() {
  [[ -n "$BG" ]] && kill -9 "$BG" 2>/dev/null
  for p in $(pgrep -f "^$TMP/rendezvous_http"); do kill -9 "$p" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
# A copy of its own, so "no fixture process left" can look for exactly ours.
cp "$FIX/rendezvous_http" "$TMP/rendezvous_http"
R="$TMP/rendezvous_http"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
run_spec() {  # SPEC [ARGS...] → $rc, $TMP/out
  local spec="$1"
  shift
  timeout 120 "$FAULTBOX" test "$spec" "$@" >"$TMP/out" 2>&1
  rc=$?
}

services() {
  cat <<STAR
meet = service("meet", "$R", interface("http", "http", 9100), args=["9100", "2"],
               healthcheck=http("localhost:9100/health", timeout="5s"))
trio = service("trio", "$R", interface("http", "http", 9101), args=["9101", "3"],
               healthcheck=http("localhost:9101/health", timeout="5s"))
lone = service("lone", "$R", interface("http", "http", 9102), args=["9102", "2", "--wait-ms", "300"],
               healthcheck=http("localhost:9102/health", timeout="5s"))
STAR
}

# --- branches in flight together, results in argument order --------------------------
{
  services
  cat <<'STAR'

def meet_a():
    return meet.get("/meet/a").body

def meet_b():
    return meet.get("/meet/b").body

def test_branches_meet_in_argument_order():
    assert_eq(parallel(meet_a, meet_b), ["a together", "b together"])
    # And the other way round: the order is the arguments', not the names'.
    assert_eq(parallel(meet_b, meet_a), ["b together", "a together"])

def ends_last():
    first = meet.get("/meet/first").body
    health = meet.get("/health").body  # one more step: this branch ends last
    return [first, health]

def ends_first():
    return meet.get("/meet/second").body

def test_argument_order_not_finish_order():
    assert_eq(parallel(ends_last, ends_first), [["first together", "ok"], "second together"])

def x():
    return trio.get("/meet/x").body

def y():
    return trio.get("/meet/y").body

def z():
    return trio.get("/meet/z").body

def xy():
    return parallel(x, y)

def test_nested_parallel_all_three_in_flight():
    assert_eq(parallel(xy, z), [["x together", "y together"], "z together"])

def test_one_request_alone_cannot_meet():
    r = lone.get("/meet/solo")
    assert_eq(r.status, 504)
    assert_eq(r.body, "solo alone")

def refused():
    def body():
        r = lone.get("/health", timeout="2s")
        assert_true(not r.ok, "a connect deny must refuse the step")
        return r.error
    return fault(lone, connect=deny("ECONNREFUSED", label="lone down"), run=body)

def unaffected():
    return meet.get("/health").body

def test_fault_inside_a_branch():
    r = parallel(refused, unaffected)
    assert_true("refused" in r[0], r[0])
    assert_eq(r[1], "ok")
STAR
} >"$TMP/pass.star"
run_spec "$TMP/pass.star"
[[ $rc == 0 ]] && pass "pass.star: exit 0" || { fail "pass.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_branches_meet_in_argument_order ' "two branches meet; results in argument order"
expect_out '^--- PASS: test_argument_order_not_finish_order ' "the branch that ends last is still result 1"
expect_out '^--- PASS: test_nested_parallel_all_three_in_flight ' "nested parallel: three fibers in flight together"
expect_out '^--- PASS: test_one_request_alone_cannot_meet ' "control: a lone request cannot meet"
expect_out '^--- PASS: test_fault_inside_a_branch ' "fault() inside a branch refuses that branch's step"
expect_out 'fault lone down: 1 hit' "the branch's connect deny counted its step"
expect_out '^5 passed, 0 failed$' "summary line"

# --- failing branches ---------------------------------------------------------------------
{
  services
  cat <<'STAR'

def fails_last():
    meet.get("/meet/one")
    meet.get("/health")
    assert_true(False, "branch one fails last")

def fails_first():
    meet.get("/meet/two")
    assert_true(False, "branch two fails first")

def test_first_failure_in_argument_order():
    parallel(fails_last, fails_first)

def fails_at_once():
    assert_true(False, "branch one fails at once")

def goes_on():
    lone.get("/meet/latecomer")  # alone: answered after 300 ms

def test_the_other_branch_still_ends():
    parallel(fails_at_once, goes_on)
STAR
} >"$TMP/fail.star"
line_of() { grep -n -- "$1" "$TMP/fail.star" | head -n1 | cut -d: -f1; }
run_spec "$TMP/fail.star" -v
[[ $rc == 1 ]] && pass "fail.star: exit 1" || { fail "fail.star: exit $rc, want 1"; cat "$TMP/out"; }
expect_out '^--- FAIL: test_first_failure_in_argument_order ' "a failing branch fails the test"
expect_out "branch one fails last" "the first failing branch in argument order is reported"
expect_out "fail\\.star:$(line_of 'branch one fails last'):" "at the failing assert's line"
grep -q "branch two fails first" "$TMP/out" && { fail "the later branch's error was reported"; cat "$TMP/out"; } ||
  pass "not the branch that failed first in time"
expect_out '^--- FAIL: test_the_other_branch_still_ends ' "a branch failing at once fails the test"
# -v prints each service's log tail: the latecomer was held and answered
# alone, 300 ms after the other branch had failed.
expect_out 'waiting latecomer \(1 of 2\)' "the other branch's step started"
expect_out 'alone latecomer' "and ran to its end"
expect_out '^0 passed, 2 failed$' "summary line"

# --- SIGINT while both branches wait -----------------------------------------------------
cat >"$TMP/hang.star" <<STAR
hang = service("hang", "$R", interface("http", "http", 9103), args=["9103", "3", "--wait-ms", "60000"],
               healthcheck=http("localhost:9103/health", timeout="5s"))

def h1():
    return hang.get("/meet/h1", timeout="60s")

def h2():
    return hang.get("/meet/h2", timeout="60s")

def test_hangs():
    parallel(h1, h2)
STAR
mkdir -p "$TMP/runs"
TMPDIR="$TMP/runs" "$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
BG=$!
# Both branches' requests held by the service (its log, in the run's directory).
both_waiting=0
for _ in $(seq 300); do
  log="$(cat "$TMP"/runs/faultbox-run-*/logs/hang.log 2>/dev/null)"
  if grep -q 'waiting h1' <<<"$log" && grep -q 'waiting h2' <<<"$log"; then both_waiting=1; break; fi
  sleep 0.1
done
[[ $both_waiting == 1 ]] && pass "both branches' requests are held by the service" ||
  { fail "the branches' requests never both arrived"; cat "$TMP/out"; }
kill -INT "$BG"
rc=0
for _ in $(seq 300); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$BG" 2>/dev/null; then
  fail "faultbox still runs 30 s after SIGINT"
else
  wait "$BG"
  rc=$?
  BG=""
  [[ $rc == 130 ]] && pass "SIGINT mid-parallel: exit 130" || { fail "SIGINT mid-parallel: exit $rc, want 130"; cat "$TMP/out"; }
fi
expect_out 'interrupted by SIGINT; services torn down' "the interrupt is reported"
pgrep -f "^$R" >/dev/null && fail "a fixture process outlived SIGINT: $(pgrep -af "^$R")" ||
  pass "no fixture process left"
[[ -z "$(ls -A "$TMP/runs")" ]] && pass "the run directory is removed" || fail "left behind: $(ls -A "$TMP/runs")"

[[ $failures == 0 ]] && { echo "all checks passed"; exit 0; }
echo "$failures check(s) failed"
exit 1

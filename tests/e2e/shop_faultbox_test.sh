#!/usr/bin/env bash
# `faultbox test` end to end (issue 3): the shop in binary mode with a real
# redis-server, shop-api and shop-search, under the real supervisor.
#   - examples/shop/faultbox.star: all three tests pass, each fault fires, and
#     the Redis-down fault cut the api's open connection;
#   - a wrong fallback assertion: exit 1 with the assertion's file:line;
#   - a missing binary: exit 3 and one line;
#   - a delay on fsync (answered from a timer), a rule that never fires, a
#     connect deny refusing faultbox's own step, parallel() against the api
#     (results in argument order; tests/e2e/parallel_steps_test.sh has more);
#   - SIGINT mid-run: exit 130, no process and no cgroup left behind;
#   - kill -9 mid-run: the next run sweeps what the killed one left;
#   - examples/shop/explore.star under `faultbox explore --max-faults 1`: a
#     placement rule (times=1) on the api's order writes is tried at every
#     write; the tolerant test explores completely, the strict one reports
#     each failing placement by occurrence with its trace, and that trace
#     replays to the same failure with the fault placed where it was.
# faultbox.star names the binaries of a build in build/; the copy tested here
# points at this build's instead (the only change to the spec).
# Usage (ctest): bash shop_faultbox_test.sh FAULTBOX SHOP_BIN_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed, 77 the environment cannot run it.
set -u
FAULTBOX="$1"
SHOP_DIR="$2"
SRC="$3"

command -v redis-server >/dev/null || { echo "SKIP: redis-server not installed"; exit 77; }
[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (network namespaces, cgroups, iptables)"; exit 77; }

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

sed "s#\"../../build/examples/shop/#\"$SHOP_DIR/#" "$SRC/examples/shop/faultbox.star" >"$TMP/binary.star"
grep -q "$SHOP_DIR/shop-api" "$TMP/binary.star" || { fail "could not point the spec at $SHOP_DIR"; exit 1; }

# --- the three seed tests ------------------------------------------------------
"$FAULTBOX" test "$TMP/binary.star" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "binary.star: exit 0" || { fail "binary.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_checkout_when_redis_down \([0-9]+ms\)$' "redis test passes"
expect_out '^--- PASS: test_search_timeout_doesnt_block_checkout \([0-9]+ms\)$' "search test passes"
expect_out '^--- PASS: test_full_disk_error_message \([0-9]+ms\)$' "disk test passes"
expect_out 'fault Redis down: [1-9][0-9]* hits?, cut [1-9][0-9]* open connections?' \
  "Redis down fired and cut the api's open connection"
expect_out 'fault search timeout: [1-9][0-9]* hits?' "search timeout fired"
expect_out 'fault disk full: [1-9][0-9]* hits?' "disk full fired"
grep -q 'never fired' "$TMP/out" && fail "a fault never fired: $(cat "$TMP/out")"
expect_out '^3 passed, 0 failed$' "summary line"

# --- a wrong fallback assertion --------------------------------------------------
sed 's/resp.status == 200 or resp.status == 503/resp.status == 201/' "$TMP/binary.star" >"$TMP/wrong.star"
line="$(grep -n 'assert_true(resp.status == 201' "$TMP/wrong.star" | cut -d: -f1)"
"$FAULTBOX" test "$TMP/wrong.star" --test 'test_checkout_*' --seed 42 >"$TMP/out" 2>&1
rc=$?
[[ $rc == 1 ]] && pass "wrong assertion: exit 1" || { fail "wrong assertion: exit $rc, want 1"; cat "$TMP/out"; }
expect_out '^--- FAIL: test_checkout_when_redis_down' "the test fails"
expect_out "wrong\\.star:$line:[0-9]+: checkout should succeed \\(DB fallback\\) or fail gracefully, not 500" \
  "the failure names the assertion's file:line and message"
expect_out 'seed: 42' "the failure prints its seed"
expect_out '^0 passed, 1 failed$' "summary line of the failing run"

# --- a missing binary ----------------------------------------------------------------
sed 's#"/usr/bin/redis-server"#"/nonexistent/redis-server"#' "$TMP/binary.star" >"$TMP/missing.star"
"$FAULTBOX" test "$TMP/missing.star" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 3 ]] && pass "missing binary: exit 3" || fail "missing binary: exit $rc, want 3"
[[ "$(wc -l <"$TMP/out")" == 1 ]] && pass "missing binary: one line" || fail "missing binary: not one line: $(cat "$TMP/out")"
expect_out 'service redis: cannot start /nonexistent/redis-server' "the line names the service and the path"

# --- delays that freeze a syscall, a rule that never fires, faultbox's own connects ---
sed '/^def test_/,$d' "$TMP/binary.star" >"$TMP/more.star"
cat >>"$TMP/more.star" <<'STAR'
def test_slow_disk():
    def slow():
        resp = api.post(path="/orders", body='{"item": "WIDGET"}')
        assert_eq(resp.status, 201)
        assert_true(resp.duration_ms >= 300, "took %d ms" % resp.duration_ms)
    fault(api, fsync=delay("300ms", label="slow fsync"), run=slow)

def test_never():
    def nothing():
        api.get(path="/health")
    fault(api, write=deny("EIO", path="/nonexistent/**", label="never"), run=nothing)

def test_refused_step():
    def down():
        resp = api.get(path="/health")
        assert_true(not resp.ok and "refused" in resp.error, "the step should be refused: " + resp.error)
    fault(api, connect=deny("ECONNREFUSED", label="api down"), run=down)

def test_parallel():
    r = parallel(lambda: api.get(path="/health").status,
                 lambda: api.post(path="/orders", body='{"item": "WIDGET"}').status)
    assert_eq(r, [200, 201])
STAR
"$FAULTBOX" test "$TMP/more.star" >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "more.star: exit 0" || { fail "more.star: exit $rc, want 0"; cat "$TMP/out"; }
expect_out '^--- PASS: test_slow_disk' "a 300 ms fsync delay is answered from a timer"
expect_out 'fault slow fsync: 1 hit' "the fsync delay counts its hit"
expect_out '^--- PASS: test_never' "a rule that never fired does not fail the test"
expect_out 'fault never: never fired' "and is reported"
expect_out '^--- PASS: test_refused_step' "a connect deny refuses faultbox's own step"
expect_out '^--- PASS: test_parallel' "parallel() steps against the api, results in argument order"
expect_out '^4 passed, 0 failed$' "summary of more.star"

# --- SIGINT and kill -9 mid-run ---------------------------------------------------------
CG_MOUNT="$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -n1)"
# The shop's services and one test whose step waits on a held SYN for 15 s.
sed '/^def test_/,$d' "$TMP/binary.star" >"$TMP/hang.star"
cat >>"$TMP/hang.star" <<'STAR'
def test_hangs():
    def held():
        search.get(path="/health", timeout="20s")
    fault(search, connect=delay("15s", label="held"), run=held)
STAR

# Waits until faultbox $1 has a run group with three populated service
# groups; prints the pids in it.
run_pids() {
  local fb="$1" deadline=$((SECONDS + 20)) groups
  while ((SECONDS < deadline)); do
    groups="$(find "$CG_MOUNT" -maxdepth 8 -type d -name "faultbox-run-$fb-*" 2>/dev/null)"
    if [[ -n "$groups" ]]; then
      local procs
      procs="$(find $groups -name cgroup.procs -exec cat {} + 2>/dev/null | sort -u)"
      if [[ "$(find $groups -mindepth 1 -type d | wc -l)" -ge 3 && "$(wc -w <<<"$procs")" -ge 3 ]]; then
        echo $procs
        return 0
      fi
    fi
    sleep 0.1
  done
  return 1
}
# How many of the pids still run. A zombie does not count: it has released
# everything, and its reaping is up to its parent (or init, once faultbox is gone).
alive() {
  local p n=0
  for p in "$@"; do [[ "$(ps -o stat= -p "$p" 2>/dev/null)" == [^Z]* ]] && n=$((n + 1)); done
  echo "$n"
}
run_groups() { find "$CG_MOUNT" -maxdepth 8 -type d -name "faultbox-run-$1-*" 2>/dev/null | wc -l; }

if [[ -z "$CG_MOUNT" ]]; then
  fail "no cgroup2 mount found"
else
  "$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
  BG=$!
  if pids="$(run_pids "$BG")"; then
    sleep 0.5  # inside the test body: the step's SYN is held
    fb="$BG"
    kill -INT "$BG"
    wait "$BG"; rc=$?; BG=""
    [[ $rc == 130 ]] && pass "SIGINT: exit 130" || { fail "SIGINT: exit $rc, want 130"; cat "$TMP/out"; }
    sleep 0.2
    n="$(alive $pids)"
    [[ "$n" == 0 ]] && pass "SIGINT: no service process left" || fail "SIGINT: $n of ($pids) still alive"
    left="$(run_groups "$fb")"
    [[ "$left" == 0 ]] && pass "SIGINT: no run cgroup left" || fail "SIGINT: $left run cgroups left"
  else
    fail "the hanging run never had its services up"; kill -9 "$BG"; BG=""
  fi

  "$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
  BG=$!
  if pids="$(run_pids "$BG")"; then
    fb="$BG"
    kill -9 "$BG"; wait "$BG" 2>/dev/null; BG=""
    run_dirs() { ls -d "${TMPDIR:-/tmp}/faultbox-run-$fb-"* 2>/dev/null | wc -l; }
    [[ "$(run_dirs)" -ge 1 ]] && pass "kill -9 leaves the run's folder (to be swept)" ||
      fail "kill -9 left no faultbox-run-$fb-* folder: nothing for the sweep to prove"
    # A short run: its start sweeps the dead run's groups and folder.
    "$FAULTBOX" test "$TMP/binary.star" --test test_full_disk_error_message >"$TMP/out" 2>&1 ||
      fail "the run after kill -9 failed: $(cat "$TMP/out")"
    sleep 0.2
    n="$(alive $pids)"
    [[ "$n" == 0 ]] && pass "kill -9: the next run swept every process" || fail "kill -9: $n of ($pids) still alive after the next run"
    left="$(run_groups "$fb")"
    [[ "$left" == 0 ]] && pass "kill -9: the next run removed the dead run's cgroup" || fail "kill -9: $left run cgroups left"
    [[ "$(run_dirs)" == 0 ]] && pass "kill -9: the next run removed the dead run's folder" ||
      fail "kill -9: the dead run's folder is still there: $(ls -d "${TMPDIR:-/tmp}/faultbox-run-$fb-"*)"
  else
    fail "the second hanging run never had its services up"; kill -9 "$BG"; BG=""
  fi
fi

# --- explore: a placement rule on the shop ---------------------------------------------
sed "s#\"../../build/examples/shop/#\"$SHOP_DIR/#" "$SRC/examples/shop/explore.star" >"$TMP/explore.star"
(cd "$TMP" && exec timeout 600 "$FAULTBOX" explore explore.star --test test_orders_survive_one_disk_error \
   --max-faults 1 --runs 200 -v) >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 ]] && pass "explore, tolerant test: exit 0" || { fail "explore, tolerant test: exit $rc"; cat "$TMP/out"; }
# Divergences or a repeated class (a real service's nondeterminism, reported)
# may follow the count; the claim checked is "complete".
expect_out '^--- PASS: test_orders_survive_one_disk_error: complete: [0-9]+ runs = [0-9]+ classes? without faults \+ [1-9][0-9]* placements(; .*)?$' \
  "explore, tolerant test: every placement tried (complete)"
for nth in 1st 2nd; do
  expect_out "placed: $nth write of api to \\\$RUN/api/orders\\.log faulted \\(deny ENOSPC\\)" "explore: the $nth order write placed, named"
done
(cd "$TMP" && exec timeout 600 "$FAULTBOX" explore explore.star --test test_every_order_is_kept \
   --max-faults 1 --runs 200 --trace-dir traces) >"$TMP/out" 2>&1
rc=$?
[[ $rc == 1 ]] && pass "explore, strict test: exit 1" || { fail "explore, strict test: exit $rc"; cat "$TMP/out"; }
expect_out 'order (WIDGET|GADGET) was not stored: 507' "explore, strict test: the failing placements' message"
nfail=$(grep -c '^    failing class ' "$TMP/out")
nplaced=$(grep -cE '^      placed: [12](st|nd) write of api to \$RUN/api/orders\.log faulted' "$TMP/out")
ntrace=0
for t in $(sed -n 's/^      trace: //p' "$TMP/out"); do [[ -f "$TMP/$t" || -f "$t" ]] && ntrace=$((ntrace + 1)); done
((nfail > 0 && nplaced == nfail && ntrace == nfail)) &&
  pass "explore, strict test: $nfail failing classes, each with its placement and its trace" ||
  fail "explore, strict test: $nfail failing classes, $nplaced named placements, $ntrace traces"
trace=$(sed -n 's/^      trace: //p' "$TMP/out" | head -1)
if [[ -n "$trace" ]]; then
  grep -qE '^# placements: placed at steps [0-9]+$' "$TMP/$trace" &&
    pass "the failing trace names its placed step" || fail "no '# placements:' line in $trace"
  (cd "$TMP" && exec timeout 300 "$FAULTBOX" replay "$trace") >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 1 ]] && pass "replay of a placed failure: exit 1" || { fail "replay of a placed failure: exit $rc"; cat "$TMP/out"; }
  expect_out '1 fault placement as explored' "replay: says it places the explored fault"
  expect_out '^replayed ([0-9]+)/\1 decisions$' "replay: every decision followed"
  expect_out '^verdict: FAIL .*order (WIDGET|GADGET) was not stored: 507.*\(as recorded\)$' "replay: the same failure"
else
  fail "no failing trace to replay"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

#!/usr/bin/env bash
# `faultbox explore` end to end (issue 5) on the exploration fixtures of
# bench/explore/ (small single-threaded services whose decisions are known,
# bench/explore/README.md), under the real supervisor:
#   - dpor exhausts independent work in one run (disjoint, four services),
#     where permutations needs 4! = 24 runs and says they repeat one class;
#   - dpor's class counts: 6 for two requests to one journal, 2 for two
#     clients of one store in 2 runs (no divergence: accepts are paired with
#     the connections they take); "complete" said only when exhausted;
#   - held SYNs are events: a connect delayed on the wire lands when a
#     decision releases its SYN (in the trace, replayed); two clients whose
#     connects are held: 6 classes in 6 runs (C(4,2) orders of two
#     connect → release chains on listen:store), no divergence;
#   - on redis-server (bench/explore/redis.star): two SETs to two servers,
#     six or more decisions each, complete after one class; to one server,
#     more than one class;
#   - dpor finds the lost update, every failing class has a trace, and a
#     failing trace replays to the same failure (exit 1, "replayed N/N");
#   - placements: the retry fixture with --max-faults 1 passes completely
#     (the retry masks one fault), with --max-faults 2 fails with the two
#     writes named by occurrence; k = 3 deterministic writes under a
#     times=1 rule (placements.star) make exactly k + 1 runs with
#     --max-faults 1, 1 + k + k(k-1)/2 with 2 and 2^k with 3, each
#     placement named;
#   - --json lists the class ids; --shard 1/2 and 2/2 together find exactly
#     the unsharded class ids;
#   - --dpor-order depth-first finds the same class ids as the default order;
#     -v prints the tree's peak, --json records it (peak_live_nodes), and
#     faultbox report reads files with and without it;
#   - a budget smaller than the space says how many alternatives remain;
#   - usage errors: a bad --shard, an unknown strategy and --dpor-order with
#     another strategy are exit 2.
# The specs name the fixtures of a build in build/; the copies tested here
# point at this build's (the only change).
# Usage (ctest): bash explore_test.sh FAULTBOX FIXTURE_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed (also when the environment cannot
# run it: the CI runs as root with every package).
set -u
FAULTBOX="$(realpath "$1")"
FIX="$(cd "$2" && pwd)"
SRC="$3"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[[ "$(id -u)" == 0 ]] || { fail "needs root (network namespaces, cgroups)"; exit 1; }
for f in explore_journal explore_relay explore_counter explore_retry; do
  [[ -x "$FIX/$f" ]] || { fail "no $f fixture in $FIX"; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for s in disjoint shared lost_update retry placements; do
  sed "s#\"../../build/fixtures/#\"$FIX/#g" "$SRC/bench/explore/$s.star" >"$TMP/$s.star"
  grep -q "\"$FIX/explore_" "$TMP/$s.star" || { fail "could not point $s.star at $FIX"; exit 1; }
done

run_faultbox() {  # ARGS... → $rc, $TMP/out; in $TMP, where failing runs' traces go
  (cd "$TMP" && exec timeout 600 "$FAULTBOX" "$@") >"$TMP/out" 2>&1
  rc=$?
}
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
expect_rc() {  # RC WHAT
  if [[ $rc == "$1" ]]; then pass "$2: exit $rc"; else fail "$2: exit $rc, wanted $1"; cat "$TMP/out"; fi
}

# --- independent work: one class -------------------------------------------------------
run_faultbox explore disjoint.star --test test_four_services --runs 50
expect_rc 0 "dpor, four independent services"
expect_out '^--- PASS: test_four_services: complete: 1 runs = 1 class without faults \+ 0 placements$' \
  "dpor exhausts independent work in one run"
run_faultbox explore disjoint.star --test test_four_services --runs 50 --strategy permutations
expect_rc 0 "permutations, four independent services"
expect_out 'complete: 24 runs = 1 class without faults \+ 0 placements; 23 runs repeated a class' \
  "permutations: 4! runs of one class"

run_faultbox explore disjoint.star --test test_one_service_two_requests --runs 50 --json "$TMP/whole.json"
expect_rc 0 "dpor, two requests to one journal"
expect_out 'complete: 6 runs = 6 classes without faults' "two requests to one service: 6 classes, one run each"
run_faultbox explore shared.star --runs 50 --trace-dir "$TMP/shared"
# The store's first accept began before the body (`# waiting accepts: store.main 1`):
# its accept event takes the second connection, paired by the backlog's order,
# so dpor never asks for that accept before the connect it needs.
expect_out 'complete: 2 runs = 2 classes without faults \+ 0 placements' "two clients of one store: 2 classes in 2 runs"
if grep -q 'divergence' "$TMP/out"; then fail "shared.star: a run diverged"; cat "$TMP/out"; else pass "shared.star: no run diverged"; fi
if grep -q '^# waiting accepts: store.main 1, client1.main 1, client2.main 1$' "$TMP/shared/"*-run1.log; then
  pass "the trace header counts the accepts that began before the body, per interface"
else fail "no '# waiting accepts: store.main 1, client1.main 1, client2.main 1' line in $TMP/shared/*-run1.log"; fi

# --- a real server (redis-server, Debian's package): the same two acceptance checks --------
[[ -x /usr/bin/redis-server ]] || fail "no /usr/bin/redis-server (run.sh installs it)"
cp "$SRC/bench/explore/redis.star" "$TMP/redis.star"
run_faultbox explore redis.star --runs 100 --trace-dir "$TMP/redis"
expect_rc 0 "dpor on redis-server"
expect_out 'test_two_servers: complete: 1 runs = 1 class without faults' \
  "two SETs to two independent redis servers: complete after one class"
if grep -qE 'test_one_server: complete: ([2-9]|[1-9][0-9]+) runs = ([2-9]|[1-9][0-9]+) classes without faults' "$TMP/out"; then
  pass "the same two SETs to one redis server: more than one class, each run once"
else fail "one redis server: not complete with more than one class"; cat "$TMP/out"; fi
if grep -q 'divergence' "$TMP/out"; then fail "redis: a run diverged"; cat "$TMP/out"; else pass "redis: no run diverged"; fi
# "each making at least six intercepted syscalls": count each server's decisions.
for r in r1 r2; do
  n=$(grep -cE "^step=[0-9]+ $r " "$TMP/redis/test_two_servers-dpor-run1.log")
  if (( n >= 6 )); then pass "$r made $n intercepted syscalls (decisions) for its SET"
  else fail "$r made only $n decisions in test_two_servers"; fi
done

# --- held SYNs are events (DESIGN.md §4): a connect delayed on the wire ------------------
# lands when a decision releases its SYN, after the delay; the trace shows the
# release, a replay follows it, and dpor orders two held SYNs like two connects.
cat >"$TMP/held.star" <<STAR
echo = service("echo", "$FIX/tcp_echo", interface("main", "tcp", 7301), args=["7301"],
               healthcheck=tcp("localhost:7301"))
relay = service("relay", "$FIX/explore_relay", interface("main", "tcp", 7302), args=["7302", "7301"],
                depends_on=[echo], healthcheck=tcp("localhost:7302"))

def test_relay_slow_connect():
    def body():
        r = relay.main.send("hello\n", timeout="5s")
        assert_true(r.ok, "send failed: %s" % r.error)
        assert_eq(r.body, "hello\n")
        assert_true(r.duration_ms >= 300, "the relay's connect was not delayed: %d ms" % r.duration_ms)
    fault(echo, connect=delay("300ms", label="slow echo"), run=body)
STAR
(cd "$TMP" && exec timeout 300 "$FAULTBOX" test held.star --trace-dir "$TMP/held") >"$TMP/out" 2>&1
rc=$?
expect_rc 0 "a relay whose connect is held 300 ms, serialized"
held_trace="$TMP/held/test_relay_slow_connect-seed1.log"
connect_step="$(sed -nE 's/^step=([0-9]+) relay connect echo\.main #1 @t1 -> hold-syn 300ms \[slow echo\]$/\1/p' "$held_trace")"
syn_step="$(sed -nE 's/^step=([0-9]+) relay syn echo\.main #1 @t1~syn -> allow$/\1/p' "$held_trace")"
if [[ -n "$connect_step" && -n "$syn_step" ]] && ((syn_step > connect_step)); then
  pass "the held SYN's release is a decision of the trace (step $syn_step), after the connect (step $connect_step)"
else fail "no 'relay syn echo.main' decision after the held connect in $held_trace"; cat "$held_trace"; fi
(cd "$TMP" && exec timeout 300 "$FAULTBOX" replay "$held_trace") >"$TMP/out" 2>&1
rc=$?
expect_rc 0 "replay of the held-SYN trace"
expect_out '^replayed ([0-9]+)/\1 decisions' "the replay follows every decision, the SYN's release included"
cat >>"$TMP/shared.star" <<'STAR'

def test_two_clients_slow_store():
    """Both clients' connects to the store are held 200 ms on the wire."""
    fault(store, connect=delay("200ms", label="slow store"), run=test_two_clients)
STAR
run_faultbox explore shared.star --test test_two_clients_slow_store --runs 50
expect_rc 0 "dpor, two clients whose connects are held"
# Each connect and each SYN's release is on listen:store (conservative: a held
# connect does not touch the backlog, but dependence reads identities, not
# outcomes), so the two chains connect → release interleave in C(4,2) = 6 classes.
expect_out 'complete: 6 runs = 6 classes without faults' "two held SYNs to one store: 6 classes, one run each"
if grep -q 'divergence' "$TMP/out"; then fail "held SYNs: a run diverged"; cat "$TMP/out"; else pass "held SYNs: no run diverged"; fi

# --- sharding: the union of the shards is the whole ------------------------------------
for i in 1 2; do
  run_faultbox explore disjoint.star --test test_one_service_two_requests --runs 50 --shard "$i/2" \
    --json "$TMP/shard$i.json"
  expect_rc 0 "shard $i/2"
done
if python3 - "$TMP/whole.json" "$TMP/shard1.json" "$TMP/shard2.json" <<'EOF'
import json, sys
ids = lambda p: set(json.load(open(p))["tests"][0]["classes"])
whole, a, b = (ids(p) for p in sys.argv[1:])
ok = len(whole) == 6 and all(len(c) == 16 for c in whole) and (a | b) == whole
print("whole", len(whole), "shard 1", len(a), "shard 2", len(b), "union", len(a | b))
sys.exit(0 if ok else 1)
EOF
then pass "--json class ids: shard 1/2 ∪ shard 2/2 = the unsharded set of 6"
else fail "shard union differs from the unsharded class ids"; fi

# --- --dpor-order: the same classes; the tree's peak in -v and --json ------------------
run_faultbox explore disjoint.star --test test_one_service_two_requests --runs 50 --dpor-order depth-first -v \
  --json "$TMP/dfs.json"
expect_rc 0 "--dpor-order depth-first"
expect_out '^explore test_one_service_two_requests: strategy dpor, .*, order depth-first$' "the header names the order"
expect_out '^--- PASS: test_one_service_two_requests: complete: 6 runs = 6 classes without faults \+ 0 placements; tree peak [1-9][0-9]* nodes$' \
  "depth-first: 6 classes; -v gives the tree's peak"
if python3 - "$TMP/whole.json" "$TMP/dfs.json" <<'EOF'
import json, sys
whole, dfs = (json.load(open(p)) for p in sys.argv[1:])
w, d = whole["tests"][0], dfs["tests"][0]
peak = lambda t: isinstance(t.get("peak_live_nodes"), int) and t["peak_live_nodes"] >= 1
ok = (whole["dpor_order"] == "fewest-preemptions" and dfs["dpor_order"] == "depth-first" and peak(w) and peak(d)
      and set(w["classes"]) == set(d["classes"]) and len(d["classes"]) == 6)
print("peaks", w.get("peak_live_nodes"), d.get("peak_live_nodes"))
sys.exit(0 if ok else 1)
EOF
then pass "--json: dpor_order and peak_live_nodes; depth-first's class ids = the default order's"
else fail "--json dpor_order / peak_live_nodes"; cat "$TMP/dfs.json"; fi
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); [t.pop("peak_live_nodes") for t in d["tests"]]; d.pop("dpor_order"); json.dump(d, open(sys.argv[2], "w"))' \
  "$TMP/whole.json" "$TMP/old.json"
for f in whole old; do
  run_faultbox report "$TMP/$f.json"
  expect_rc 0 "report reads $f.json"
  expect_out 'complete: 6 runs over 1 shard = 6 classes' "report of $f.json: the same summary"
done

# --- the lost update: found, traced, replayed ------------------------------------------
run_faultbox explore lost_update.star --test test_two_increments --runs 300 --trace-dir traces-lu
expect_rc 1 "dpor on the lost update"
expect_out '^--- FAIL: test_two_increments: complete: [0-9]+ runs' "the lost-update space is exhausted"
expect_out 'failing class [0-9a-f]{16} \(run [0-9]+\): .*an increment was lost' "dpor finds the lost update"
expect_out 'minimized: [0-9]+ (preemptions, already the fewest|→ [0-9]+ preemptions.*verified by a run that failed the same way)' \
  "a failing class's schedule is minimized (Z3) and a minimized one verified by a run"
expect_out 'more failing classes' "the summary lists the first failing classes, not all"
trace="$(grep -m1 -oE 'trace: traces-lu/[^ ]+\.log' "$TMP/out" | sed 's/^trace: //')"
if [[ -n "$trace" && -f "$TMP/$trace" ]]; then
  pass "the failing class's trace is written ($trace)"
  grep -q '^# test: test_two_increments .*strategy: dpor' "$TMP/$trace" && pass "trace header: strategy dpor" ||
    fail "trace header lacks the strategy"
  python3 "$SRC/tests/e2e/trace_clocks.py" "$TMP/$trace" >/dev/null 2>&1 && pass "the trace passes trace_clocks.py" ||
    fail "trace_clocks.py rejects $trace"
  run_faultbox replay "$trace"
  expect_rc 1 "replay of a failing dpor trace"
  expect_out 'replayed ([0-9]+)/\1 decisions' "the dpor trace replays every decision"
  expect_out 'an increment was lost' "the replay fails the same way"
else
  fail "no trace path printed for the failing class"
fi
run_faultbox explore lost_update.star --test test_two_increments --runs 3
expect_out 'budget spent: 3 runs, [0-9]+ classes .*; [1-9][0-9]* known alternatives remain' \
  "a spent budget says how many alternatives remain"

# --- pct: its change points in the trace header, and the trace replays ------------------
run_faultbox explore lost_update.star --test test_two_increments --runs 3 --strategy pct --trace-dir traces-pct
expect_rc 1 "pct on the lost update"
pct_trace="$(ls "$TMP"/traces-pct/*-pct-run1.log 2>/dev/null | head -1)"
if [[ -n "$pct_trace" ]] && grep -qE '^# schedule: pct depth=3 k=[0-9]+ change-points=[0-9]+,[0-9]+ seed=1$' "$pct_trace"; then
  pass "a pct trace names its depth, k, change points and seed"
else
  fail "no pct trace with its # schedule: line"; head -12 "$pct_trace" 2>/dev/null
fi
grep -q '^# warning: schedule' "$pct_trace" 2>/dev/null && fail "the schedule note is not a determinism warning"

# --- fault placements -----------------------------------------------------------------
run_faultbox explore retry.star --test test_records_one_fault --runs 50 --max-faults 1
expect_rc 0 "retry, one fault per run"
expect_out 'complete: 3 runs = 1 class without faults \+ 2 placements' "one fault: the retry masks each placement"
run_faultbox explore retry.star --test test_records_one_fault --runs 50 --max-faults 2
expect_rc 1 "retry, two faults per run"
expect_out 'complete: [0-9]+ runs = 1 class without faults \+ [0-9]+ placements' "two faults: exhausted"
expect_out 'placed: 1st write of recorder to \$RUN/recorder/records\.log faulted \(deny EIO\); 2nd write' \
  "two faults on one record: named by occurrence"

# k = 3 deterministic writes, each a placement (issue 5's count).
for mf_runs_placed in "1 4 3" "2 7 6" "3 8 7"; do
  read -r mf runs placed <<<"$mf_runs_placed"
  run_faultbox explore placements.star --runs 50 --max-faults "$mf" -v
  expect_rc 0 "three writes, --max-faults $mf"
  expect_out "^--- PASS: test_three_writes: complete: $runs runs = 1 class without faults \\+ $placed placements; tree peak [0-9]+ nodes\$" \
    "three writes, --max-faults $mf: exactly $runs runs"
  named=$(grep -c '^    placed: ' "$TMP/out")
  [[ $named == "$placed" ]] && pass "--max-faults $mf: $placed placement runs, each named" ||
    fail "--max-faults $mf: $named 'placed:' lines, wanted $placed"
done
expect_out 'placed: 1st write of journal to \$RUN/journal/journal\.log faulted \(deny EIO\); 2nd write of journal to \$RUN/journal/journal\.log faulted \(deny EIO\); 3rd write' \
  "--max-faults 3: all three writes failed in one run, named"

# --- usage ---------------------------------------------------------------------------
run_faultbox explore disjoint.star --shard 3/2
expect_rc 2 "--shard 3/2"
expect_out 'shard wants I/N' "--shard 3/2: says what it wants"
run_faultbox explore disjoint.star --strategy bfs
expect_rc 2 "--strategy bfs"
run_faultbox explore disjoint.star --strategy pct --dpor-order depth-first
expect_rc 2 "--strategy pct --dpor-order depth-first"
expect_out 'dpor-order goes with --strategy dpor' "--dpor-order with pct: says why"

echo "$failures failed"
[[ $failures == 0 ]]

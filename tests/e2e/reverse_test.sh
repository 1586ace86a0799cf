#!/usr/bin/env bash
# `faultbox replay TRACE --reverse A:B` end to end (issue 5, item 5: targeted
# reversals) on bench/explore/lost_update.star (two clients increment a
# counter through a relay; bench/explore/README.md has its decisions), under
# the real supervisor:
#   - a recorded run of test_two_increments; from its step lines, A = the
#     relay's read of the first request ("front read test #1") and B = the
#     other client's first SEND, recorded after it: "let the second client
#     send before the relay reads the first request". Feasible: it prints
#     "reversal:" with its preemptions, runs, says "realized:" with B's event
#     before A's, prints the verdict and writes TEST-reversed-A-B.log into
#     --trace-dir, which replays with plain `faultbox replay` (exit 0 or 1 as
#     its verdict says, "replayed N/N");
#   - infeasible pairs print "infeasible:" with the cycle, each decision as
#     step=N, and exit 2 — a receive before the send it consumed ("caused
#     by"), and the relay's connect before its own read ("program order");
#     nothing runs, so no trace is written;
#   - usage errors exit 2 naming the trace's decision count: B <= A, B out of
#     range, A = 0, malformed values, --trace-dir without --reverse.
# The spec names the fixtures of a build in build/; the copy tested here
# points at this build's (the only change).
# Usage (ctest): bash reverse_test.sh FAULTBOX FIXTURE_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed, 77 skipped (not root).
set -u
FAULTBOX="$(realpath "$1")"
FIX="$(cd "$2" && pwd)"
SRC="$3"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[[ "$(id -u)" == 0 ]] || { echo "skipped: needs root (network namespaces, cgroups)"; exit 77; }
for f in explore_relay explore_counter; do
  [[ -x "$FIX/$f" ]] || { fail "no $f fixture in $FIX"; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
sed "s#\"../../build/fixtures/#\"$FIX/#g" "$SRC/bench/explore/lost_update.star" >"$TMP/lost_update.star"
grep -q "\"$FIX/explore_" "$TMP/lost_update.star" || { fail "could not point lost_update.star at $FIX"; exit 1; }

run_faultbox() {  # ARGS... → $rc, $TMP/out; in $TMP
  (cd "$TMP" && exec timeout 300 "$FAULTBOX" "$@") >"$TMP/out" 2>&1
  rc=$?
}
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
expect_rc() {  # RC WHAT
  if [[ $rc == "$1" ]]; then pass "$2: exit $rc"; else fail "$2: exit $rc, wanted $1"; cat "$TMP/out"; fi
}
step_of() {  # TRACE ERE → the step of the first decision line matching ERE ("" if none)
  grep -E '^step=[0-9]+ ' "$1" | grep -E -m1 -- "$2" | sed -E 's/^step=([0-9]+) .*/\1/'
}

# --- a recorded run whose steps give a feasible pair -----------------------------------
# The order of a recorded run depends on its seed: take the first seed whose
# trace has the other client's first SEND after the relay's first read.
TRACE="" A="" B=""
for seed in 1 2 3 4 5 6 7 8 9 10; do
  run_faultbox test lost_update.star --test test_two_increments --seed "$seed" --trace-dir "$TMP/rec"
  t="$TMP/rec/test_two_increments-seed$seed.log"
  [[ -f "$t" ]] || { fail "seed $seed: no trace $t"; cat "$TMP/out"; continue; }
  first_client=$(grep -E -m1 '^step=1 test/[0-9]+ SEND front.main #1 ' "$t" | awk '{print $2}')
  read_at=$(step_of "$t" '^step=[0-9]+ front read test #1 ')
  [[ -n "$first_client" && -n "$read_at" ]] || continue
  other_at=$(grep -E '^step=[0-9]+ test/[0-9]+ SEND front.main #1 ' "$t" | grep -vF " $first_client " |
             head -1 | sed -E 's/^step=([0-9]+) .*/\1/')
  if [[ -n "$other_at" ]] && ((other_at > read_at)); then
    TRACE="$t" A="$read_at" B="$other_at" FIRST="$first_client"
    break
  fi
done
[[ -n "$TRACE" ]] || { fail "no recorded run (seeds 1-10) has the second SEND after the relay's first read"; exit 1; }
DECISIONS=$(grep -cE '^step=[0-9]+ ' "$TRACE")
pass "recorded $TRACE: $DECISIONS decisions; reversing $A (front read test #1) and $B (the other client's SEND)"

# --- a feasible reversal --------------------------------------------------------------------
run_faultbox replay "$TRACE" --reverse "$A:$B" --trace-dir "$TMP/rev"
if [[ $rc == 0 || $rc == 1 ]]; then pass "reversed run: exit $rc (its verdict)"; else fail "reversed run: exit $rc"; cat "$TMP/out"; fi
expect_out "^reversal: decision $B \(test/[0-9]+ SEND front.main #1\) before decision $A \(front read test #1 @t1\): [0-9]+ preemptions? \((proven minimal|greedy)" \
  "the reversal and its preemptions"
expect_out "^realized: step=[0-9]+ test/[0-9]+ SEND front.main #1 ran before step=[0-9]+ front read test #1 @t1$" \
  "the new run has B's event before A's"
expect_out '^--- (PASS|FAIL): test_two_increments$' "the reversed run's verdict"
expect_out '^verdict: (PASS|FAIL lost_update.star)' "the verdict line"
NEW="$TMP/rev/test_two_increments-reversed-$A-$B.log"
expect_out "^trace: $NEW$" "the new trace's path"
if [[ -f "$NEW" ]]; then
  pass "the reversed trace exists"
  # In the new trace: the other client's first SEND comes before the relay's first read.
  s_send=$(step_of "$NEW" " test/[0-9]+ SEND front.main #1 " | head -1)
  s_other=$(grep -E '^step=[0-9]+ test/[0-9]+ SEND front.main #1 ' "$NEW" | grep -vF " $FIRST " | head -1 |
            sed -E 's/^step=([0-9]+) .*/\1/')
  s_read=$(step_of "$NEW" '^step=[0-9]+ front read test #1 ')
  if [[ -n "$s_other" && -n "$s_read" ]] && ((s_other < s_read)); then
    pass "reversed trace: the other client's SEND (step $s_other) before the first read (step $s_read)"
  else
    fail "reversed trace: SEND at '${s_other}', first read at '${s_read}' (first SEND at ${s_send})"
  fi
  grep -qE '^# test: test_two_increments .*strategy: reversed ' "$NEW" && pass "header names the reversed schedule" ||
    fail "header: $(grep '^# test:' "$NEW")"
  verdict=$(grep -m1 '^# verdict:' "$NEW")
  want=1; [[ "$verdict" == "# verdict: PASS" ]] && want=0
  run_faultbox replay "$NEW"
  expect_rc "$want" "the reversed trace replays ($verdict)"
  expect_out '^replayed ([0-9]+)/\1 decisions$' "the reversed trace replays every decision"
else
  fail "no reversed trace at $NEW"
fi

# --- infeasible pairs: exit 2, the cycle, nothing run -------------------------------------
SEND1=$(step_of "$TRACE" "^step=[0-9]+ $FIRST SEND front.main #1 ")
CONNECT=$(step_of "$TRACE" '^step=[0-9]+ front connect counter.main #1 ')
run_faultbox replay "$TRACE" --reverse "$SEND1:$A"
expect_rc 2 "a receive before the send it consumed"
expect_out "^infeasible: decision $A cannot run before decision $SEND1; these orders form a cycle: .*step=$SEND1 $FIRST SEND front.main #1 -\[caused by\]-> step=$A front read test #1 @t1 .*-\[required\]-> " \
  "the cycle names the send, the receive and why"
run_faultbox replay "$TRACE" --reverse "$A:$CONNECT" --trace-dir "$TMP/none"
expect_rc 2 "the relay's connect before its own read"
expect_out "^infeasible: .*step=$A front read test #1 @t1 -\[program order\]-> step=$CONNECT front connect counter.main #1 @t1 -\[required\]-> step=$A " \
  "the cycle is the program order"
[[ -e "$TMP/none" ]] && fail "an infeasible reversal wrote into its --trace-dir" || pass "an infeasible reversal runs nothing"

# --- usage errors: exit 2 -------------------------------------------------------------------
for bad in "$B:$A" "$A:$A" "1:$((DECISIONS + 1))" "0:2" "x:2" "1:" "1-2" "1:2:3" " 1:2" "-1:2" "+1:2"; do
  run_faultbox replay "$TRACE" "--reverse=$bad"
  expect_rc 2 "--reverse '$bad'"
  expect_out "has $DECISIONS decisions" "--reverse '$bad' names the trace's decision count"
done
run_faultbox replay "$TRACE" --trace-dir "$TMP/x"
expect_rc 2 "--trace-dir without --reverse"

echo "$failures failures"
((failures == 0))

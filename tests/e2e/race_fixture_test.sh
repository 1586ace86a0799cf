#!/usr/bin/env bash
# The race fixture of issue 4 (item 6) under `faultbox test`: tests/e2e/race/
# race.star with the race_stock and race_shop fixtures, under the real
# supervisor.
#   - test_one_reservation passes;
#   - two reservations one after the other: OK, then SOLDOUT (stock counts);
#   - stock down (connect deny): the shop answers an error, and once the
#     fault is gone it sells again (a refused or cut connection ends one
#     request, never a service);
#   - test_last_item_sold_once (parallel()): it may pass or fail depending on
#     the schedule, but a failure must be the race, "the last item was sold
#     twice", never anything else;
#   - serialized, --runs 50 --trace-dir: both verdicts seen, every failure the
#     double sale, the summary adds up to 50, each run's trace kept with the
#     printed verdict in its header, every trace passes trace_clocks.py (an
#     independent check of ShiViz's regex and clock rules);
#   - replay (issue 4, item 5 and Acceptance): a failing trace replays to the
#     same failure 20/20 (exit 1), a passing one to a pass 20/20 (exit 0);
#     another seed in the header changes nothing; one decision edited (an
#     identity that is never enabled; a send and its receive swapped) is a
#     divergence at that step, exit 4, with the expected and enabled events;
#     a --free trace is exit 2 in one line; a truncated or garbled trace is
#     exit 2 naming file:line;
#   - `faultbox explore` (issue 5): dpor, fewest preemptions first, finds the
#     oversell of test_last_item_sold_once and of test_browse_race (where
#     random schedules rarely do: bench/explore/README.md) within 40 and 100 runs,
#     and a failing class's trace replays to the same failure.
# race.star names the fixtures of a build in build/; the copy tested here
# points at this build's instead (the only change to the spec).
# Usage (ctest): bash race_fixture_test.sh FAULTBOX FIXTURE_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed (also when the environment cannot
# run it: the CI runs as root with every package).
set -u
FAULTBOX="$(realpath "$1")"  # the runs below cd into the spec's folder
FIX="$(cd "$2" && pwd)"
SRC="$3"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[[ "$(id -u)" == 0 ]] || { fail "needs root (network namespaces, cgroups)"; exit 1; }
for f in race_stock race_shop; do
  [[ -x "$FIX/$f" ]] || { fail "no $f fixture in $FIX"; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}
run_faultbox() {  # ARGS... → $rc, $TMP/out; in $TMP, where failing runs' traces go
  (cd "$TMP" && exec timeout 120 "$FAULTBOX" "$@") >"$TMP/out" 2>&1
  rc=$?
}

sed "s#\"../../../build/fixtures/#\"$FIX/#" "$SRC/tests/e2e/race/race.star" >"$TMP/race.star"
[[ "$(grep -c "\"$FIX/race_" "$TMP/race.star")" == 2 ]] || { fail "could not point the spec at $FIX"; exit 1; }

# --- the spec as shipped: one reservation ---------------------------------------------
run_faultbox check "$TMP/race.star"
[[ $rc == 0 ]] && pass "race.star: faultbox check exit 0" || { fail "faultbox check: exit $rc"; cat "$TMP/out"; }

run_faultbox test "$TMP/race.star" --test test_one_reservation
[[ $rc == 0 ]] && pass "test_one_reservation: exit 0" || { fail "test_one_reservation: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_one_reservation ' "one reservation gets the item"
expect_out '^1 passed, 0 failed$' "summary line"

# --- the services' behaviour, without parallel() ---------------------------------------
sed '/^def test_/,$d' "$TMP/race.star" >"$TMP/more.star"
cat >>"$TMP/more.star" <<'STAR'
def test_second_reservation_sold_out():
    a = shop.main.send("RESERVE\n")
    b = shop.main.send("RESERVE\n")
    assert_eq([a.body, b.body], ["OK\n", "SOLDOUT\n"])

def test_stock_down_then_back():
    def down():
        r = shop.main.send("RESERVE\n")
        assert_eq(r.body, "ERROR stock unreachable\n")
    fault(stock, connect=deny("ECONNREFUSED", label="stock down"), run=down)
    r = shop.main.send("RESERVE\n")
    assert_eq(r.body, "OK\n", "after the fault the shop sells again")
STAR
run_faultbox test "$TMP/more.star"
[[ $rc == 0 ]] && pass "more.star: exit 0" || { fail "more.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_second_reservation_sold_out ' "the second reservation finds stock empty"
expect_out '^--- PASS: test_stock_down_then_back ' "stock down: an error, then sales again"
expect_out 'fault stock down: [1-9][0-9]* hits?' "the connect deny refused the shop's connect"
expect_out '^2 passed, 0 failed$' "summary of more.star"

# --- two reservations of the last item at once, one run ---------------------------------
# One run, any schedule: a pass, or the race's own failure — nothing else
# (no refused step, no ERROR from the shop, no crash).
run_faultbox test "$TMP/race.star" --test test_last_item_sold_once
if [[ $rc == 0 ]]; then
  expect_out '^--- PASS: test_last_item_sold_once ' "one of two reservations got the last item"
elif [[ $rc == 1 ]]; then
  expect_out '^--- FAIL: test_last_item_sold_once ' "the race showed in this schedule"
  expect_out 'race\.star:[0-9]+:[0-9]+: the last item was sold twice' "and the failure is the double sale"
else
  fail "test_last_item_sold_once: exit $rc, want 0 or 1"
  cat "$TMP/out"
fi

# --- serialized mode finds the race: --runs 50 ----------------------------------------------
# As a user would: in the spec's folder, relative paths, every run's trace kept.
# Seeds 1..50 drive the random schedules; some must let both GETs through
# first (FAIL), some must not (PASS).
RUNS=50
(cd "$TMP" && exec timeout 600 "$FAULTBOX" test race.star --test test_last_item_sold_once \
   --runs $RUNS --trace-dir traces) >"$TMP/out" 2>&1
rc=$?
cp "$TMP/out" "$TMP/runs.out"
[[ $rc == 1 ]] && pass "--runs $RUNS: exit 1 (some run failed)" || { fail "--runs $RUNS: exit $rc, want 1"; cat "$TMP/out"; }
npass="$(grep -cE '^--- PASS: test_last_item_sold_once \[seed [0-9]+\] \([0-9]+ms\)$' "$TMP/runs.out")"
nfail="$(grep -cE '^--- FAIL: test_last_item_sold_once \[seed [0-9]+\] \([0-9]+ms\)$' "$TMP/runs.out")"
((npass > 0)) && pass "--runs $RUNS: $npass runs passed" || fail "--runs $RUNS: no run passed (want both verdicts)"
((nfail > 0)) && pass "--runs $RUNS: $nfail runs failed" || fail "--runs $RUNS: no run failed (want both verdicts)"
((npass + nfail == RUNS)) && pass "--runs $RUNS: $npass + $nfail run headers" ||
  { fail "--runs $RUNS: $npass passed + $nfail failed headers, want $RUNS"; cat "$TMP/runs.out"; }
expect_out "^$npass passed, $nfail failed\$" "summary line adds up to $RUNS"
# The seeds are 1..50, each once.
seeds="$(grep -oE '^--- (PASS|FAIL): test_last_item_sold_once \[seed [0-9]+\]' "$TMP/runs.out" | grep -oE '[0-9]+' | sort -n | tr '\n' ' ')"
[[ "$seeds" == "$(seq -s ' ' 1 $RUNS) " ]] && pass "--runs $RUNS: seeds 1..$RUNS" || fail "--runs $RUNS: seeds are: $seeds"
# Every failure is the double sale: the line after each FAIL header is the
# assertion's file:line:col and message, nothing else.
other="$(awk '/^--- FAIL: /{getline l; if (l !~ /^    race\.star:[0-9]+:[0-9]+: the last item was sold twice$/) print $0 " / " l}' "$TMP/runs.out")"
[[ -z "$other" ]] && pass "--runs $RUNS: every failure is \"the last item was sold twice\"" ||
  fail "--runs $RUNS: failures other than the double sale: $other"
# Every run's trace is kept, its path printed, and its header verdict is the printed one.
ntraces="$(find "$TMP/traces" -name '*.log' | wc -l)"
[[ "$ntraces" == "$RUNS" ]] && pass "--trace-dir: $RUNS traces" || fail "--trace-dir: $ntraces traces, want $RUNS"
mismatch=""
for n in $(seq 1 $RUNS); do
  f="traces/test_last_item_sold_once-seed$n.log"
  verdict="$(grep -oE "^--- (PASS|FAIL): test_last_item_sold_once \\[seed $n\\]" "$TMP/runs.out" | awk '{print $2}' | tr -d :)"
  header="$(sed -n 's/^# verdict: \([A-Z]*\).*/\1/p' "$TMP/$f" 2>/dev/null)"
  grep -qxF "    trace: $f" "$TMP/runs.out" || mismatch+=" seed $n: no 'trace: $f' line;"
  [[ -n "$verdict" && "$verdict" == "$header" ]] || mismatch+=" seed $n: printed $verdict, trace says '$header';"
  grep -qE "^# test: test_last_item_sold_once  run: $n  strategy: random  seed: $n\$" "$TMP/$f" 2>/dev/null ||
    mismatch+=" seed $n: header test line is '$(grep '^# test:' "$TMP/$f" 2>/dev/null)';"
done
[[ -z "$mismatch" ]] && pass "each run's trace path printed, its header names run, seed and the printed verdict" ||
  fail "traces vs output:$(tr ';' '\n' <<<"$mismatch" | head -n 6 | tr '\n' ';')"
# Every trace passes an independent check of ShiViz's parsing and clock rules.
if python3 "$SRC/tests/e2e/trace_clocks.py" "$TMP"/traces/*.log >"$TMP/clocks" 2>&1; then
  pass "all $ntraces traces pass trace_clocks.py (ShiViz's regex and clock rules, real arrows)"
else
  fail "trace_clocks.py rejects traces:"; grep -v '^ok: ' "$TMP/clocks"
fi

# --- replay: a failing trace to the same failure, a passing trace to a pass, 20/20 ----------
fail_trace="$(awk '/^--- FAIL: /{f=1} f && /^    trace: /{print $2; exit}' "$TMP/runs.out")"
pass_trace="$(awk '/^--- PASS: /{f=1} f && /^    trace: /{print $2; exit}' "$TMP/runs.out")"
decisions() { grep -cE '^step=[0-9]+ ' "$1"; }
# replay_n TRACE TIMES WANT_RC WANT_VERDICT_ERE WHAT: replays from the spec's
# folder; each replay must exit WANT_RC, replay every decision and print the
# recorded verdict, the same each time.
replay_n() {
  local trace="$1" times="$2" want_rc="$3" want_verdict="$4" what="$5" n i bad=0 verdicts=""
  n="$(decisions "$TMP/$trace")"
  for ((i = 1; i <= times; i++)); do
    (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay "$trace") >"$TMP/out" 2>&1
    rc=$?
    if [[ $rc != "$want_rc" ]] || ! grep -qxF "replayed $n/$n decisions" "$TMP/out" ||
       ! grep -qE "^verdict: $want_verdict \\(as recorded\\)\$" "$TMP/out"; then
      bad=$((bad + 1))
      echo "  replay $i of $trace: exit $rc, want $want_rc with 'replayed $n/$n decisions' and /$want_verdict/:"
      sed 's/^/    /' "$TMP/out"
    fi
    verdicts+="$(grep '^verdict: ' "$TMP/out")"$'\n'
  done
  [[ $bad == 0 ]] && pass "$what: $times/$times replays exit $want_rc, replayed $n/$n decisions" ||
    fail "$what: $bad of $times replays wrong"
  [[ "$(sort -u <<<"${verdicts%$'\n'}" | wc -l)" == 1 ]] && pass "$what: the same verdict every time" ||
    fail "$what: verdicts differ: $(sort <<<"$verdicts" | uniq -c)"
}
if [[ -z "$fail_trace" || ! -f "$TMP/$fail_trace" ]]; then
  fail "no failing trace to replay ('$fail_trace')"
else
  replay_n "$fail_trace" 20 1 'FAIL race\.star:[0-9]+:[0-9]+ the last item was sold twice' "failing trace $fail_trace"
fi
if [[ -z "$pass_trace" || ! -f "$TMP/$pass_trace" ]]; then
  fail "no passing trace to replay ('$pass_trace')"
else
  replay_n "$pass_trace" 20 0 'PASS' "passing trace $pass_trace"
fi

if [[ -n "$fail_trace" && -f "$TMP/$fail_trace" ]]; then
  FT="$TMP/$fail_trace"
  N="$(decisions "$FT")"
  # --- the seed in the header changes nothing: replay follows the decisions ------------
  sed -E 's/^(# test: .*  seed: )[0-9]+$/\1987654321/' "$FT" >"$TMP/reseeded.log"
  grep -qE '^# test: .*  seed: 987654321$' "$TMP/reseeded.log" || fail "could not change the seed in $FT"
  replay_n reseeded.log 3 1 'FAIL race\.star:[0-9]+:[0-9]+ the last item was sold twice' "failing trace, seed changed to 987654321"
  if [[ -n "$pass_trace" && -f "$TMP/$pass_trace" ]]; then
    sed -E 's/^(# test: .*  seed: )[0-9]+$/\1987654321/' "$TMP/$pass_trace" >"$TMP/reseeded-pass.log"
    replay_n reseeded-pass.log 3 0 'PASS' "passing trace, seed changed to 987654321"
  fi

  # --- one decision edited: a divergence at that step, exit 4 ----------------------------
  # expect_divergence FILE STEP EXPECTED WHAT: the edited trace still passes
  # the independent checker (so the replay must diverge, not reject the file),
  # and the replay stops at STEP with the expected event and the enabled ones.
  expect_divergence() {
    local file="$1" step="$2" expected="$3" what="$4"
    python3 "$SRC/tests/e2e/trace_clocks.py" "$TMP/$file" >"$TMP/clocks" 2>&1 ||
      { fail "$what: the edited trace is not well formed (test bug): $(cat "$TMP/clocks")"; return; }
    (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay "$file") >"$TMP/out" 2>&1
    rc=$?
    [[ $rc == 4 ]] && pass "$what: exit 4" || { fail "$what: exit $rc, want 4"; cat "$TMP/out"; }
    expect_out "^DIVERGED at decision $step/$N: " "$what: names decision $step/$N"
    grep -qxF "  expected: $expected" "$TMP/out" && pass "$what: prints the expected event" ||
      { fail "$what: no line '  expected: $expected'"; cat "$TMP/out"; }
    if awk '/^  enabled:$/{f=1; next} f && /^    [^ ]/{n++} END{exit !(n > 0)}' "$TMP/out"; then
      pass "$what: lists the enabled events"
    else
      fail "$what: no '  enabled:' line followed by enabled events"; cat "$TMP/out"
    fi
    grep -q '^replayed ' "$TMP/out" && fail "$what: a divergent replay claims 'replayed'"
  }
  # (a) a decision's identity changed to an event that is never enabled: the
  # first decision of a service, its occurrence index moved far off.
  ln="$(grep -nE '^step=[0-9]+ ' "$FT" | grep -vE '^[0-9]+:step=[0-9]+ test' | head -n1 | cut -d: -f1)"
  read -r step ident < <(sed -n "${ln}p" "$FT" | sed -E 's/^step=([0-9]+) (.*) -> .*/\1 \2/')
  bogus="$(sed -E 's/ #([0-9]+)/ #4\1/' <<<"$ident")"
  sed -E "${ln}s/ #([0-9]+)/ #4\1/" "$FT" >"$TMP/edited.log"
  if cmp -s "$FT" "$TMP/edited.log"; then
    fail "could not edit decision $step ($ident) in $FT"
  else
    expect_divergence edited.log "$step" "$bogus" "decision $step edited to '$bogus'"
  fi
  # (b) two decisions of different hosts swapped: the first service-to-service
  # receive and the send it receives — the receive cannot be enabled before
  # its data was sent. The step numbers swap, the events (and their clocks)
  # stay where they are, so the file still validates.
  swap="$(python3 - "$FT" "$SRC/tests/e2e" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import trace_clocks as tc
problems = []
events = tc.shiviz_events(sys.argv[1], open(sys.argv[1]).read(), problems)
hosts = {e.host for e in events}
for r in events:
    if r.step in (None, "-") or not r.is_receive() or r.host.startswith("test") or r.resource not in hosts:
        continue
    senders = [s for s in events if s.host == r.resource and s.step not in (None, "-") and s.is_send()
               and s.peer_is(r.host) and tc.first_learner(events, s, r.host) is r]
    if senders:
        s = senders[-1]
        print(s.step, r.step, r.text.split(" ", 1)[1].split(" -> ")[0])
        break
PY
)"
  read -r send_step recv_step recv_ident <<<"$swap"
  if [[ -z "$swap" ]] || ((send_step >= recv_step)); then
    fail "no service-to-service send and receive to swap in $FT ('$swap')"
  else
    sed -E -e "s/^step=$send_step /step=SWAP /" -e "s/^step=$recv_step /step=$send_step /" -e "s/^step=SWAP /step=$recv_step /" \
      "$FT" >"$TMP/swapped.log"
    expect_divergence swapped.log "$send_step" "$recv_ident" "decisions $send_step and $recv_step swapped (send and its receive)"
  fi

  # --- malformed traces: exit 2 with file:line -------------------------------------------
  # expect_malformed FILE LINE WHAT: exit 2, one line naming FILE:LINE ("" = any line).
  expect_malformed() {
    local file="$1" line="$2" what="$3"
    (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay "$file") >"$TMP/out" 2>&1
    rc=$?
    [[ $rc == 2 ]] && pass "$what: exit 2" || { fail "$what: exit $rc, want 2"; cat "$TMP/out"; }
    expect_out "$(sed 's/[.]/\\./g' <<<"$file"):${line:-[0-9]+}:" "$what: names $file:${line:-LINE}"
  }
  size="$(wc -c <"$FT")"
  for pct in 30 55 80; do
    off=$((size * pct / 100))
    # Mid-line: the byte before the cut is not a newline.
    while [[ "$(tail -c +$off "$FT" | head -c 1 | od -An -c | tr -d ' ')" == '\n' ]]; do off=$((off + 1)); done
    head -c "$off" "$FT" >"$TMP/cut$pct.log"
    expect_malformed "cut$pct.log" "" "trace cut mid-line at byte $off of $size"
  done
  # Cut right after a clock line: the event has no event line.
  clock_line="$(grep -nE '^[^#].* \{.*\}$' "$FT" | sed -n 5p | cut -d: -f1)"
  head -n "$clock_line" "$FT" >"$TMP/cut-clock.log"
  expect_malformed cut-clock.log "" "trace cut after a clock line"
  # Cut between two events: the decisions are there, the end of the run is not.
  # Not a divergence of the program: a truncated file.
  event_line=$((clock_line + 1))
  head -n "$event_line" "$FT" >"$TMP/cut-pair.log"
  expect_malformed cut-pair.log "" "trace cut between two events (line $event_line)"
  head -n -2 "$FT" >"$TMP/cut-last.log"
  expect_malformed cut-last.log "" "trace without its last event (the driver's return)"
  # A garbled clock (no closing brace), a skipped tick, a garbled event line.
  sed "${clock_line}s/}\$//" "$FT" >"$TMP/garbled-clock.log"
  expect_malformed garbled-clock.log "$clock_line" "a clock without its closing brace"
  host="$(sed -n "${clock_line}p" "$FT" | cut -d' ' -f1)"
  own="$(sed -n "${clock_line}p" "$FT" | grep -oE "\"$host\":[0-9]+" | cut -d: -f2)"
  sed "${clock_line}s/\"$host\":$own/\"$host\":$((own + 1))/" "$FT" >"$TMP/skipped-tick.log"
  expect_malformed skipped-tick.log "$clock_line" "a skipped tick in $host's own entry"
  sed "${event_line}s/.*/garbage instead of an event/" "$FT" >"$TMP/garbled-event.log"
  expect_malformed garbled-event.log "$event_line" "a garbled event line"
fi

# --- a --free trace cannot be replayed: exit 2, one line ------------------------------------
(cd "$TMP" && exec timeout 120 "$FAULTBOX" test race.star --test test_last_item_sold_once --free \
   --trace-dir free) >"$TMP/out" 2>&1
rc=$?
[[ $rc == 0 || $rc == 1 ]] && pass "--free run: exit $rc" || { fail "--free run: exit $rc, want 0 or 1"; cat "$TMP/out"; }
expect_out '^    trace: free/test_last_item_sold_once-seed1\.log \(--free: not replayable\)$' "--free: its trace is printed as not replayable"
if [[ -f "$TMP/free/test_last_item_sold_once-seed1.log" ]]; then
  grep -qxF '# replayable: no (--free)' "$TMP/free/test_last_item_sold_once-seed1.log" &&
    pass "--free trace header: replayable: no (--free)" || fail "--free trace header lacks '# replayable: no (--free)'"
  python3 "$SRC/tests/e2e/trace_clocks.py" "$TMP/free/test_last_item_sold_once-seed1.log" >"$TMP/clocks" 2>&1 &&
    pass "--free trace passes trace_clocks.py" || { fail "--free trace rejected by trace_clocks.py"; cat "$TMP/clocks"; }
  (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay free/test_last_item_sold_once-seed1.log) >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 2 ]] && pass "replay of a --free trace: exit 2" || { fail "replay of a --free trace: exit $rc, want 2"; cat "$TMP/out"; }
  [[ "$(wc -l <"$TMP/out")" == 1 ]] && pass "replay of a --free trace: one line" ||
    { fail "replay of a --free trace: not one line:"; cat "$TMP/out"; }
  expect_out '--free' "replay of a --free trace: the line says why (--free)"
else
  fail "--free run wrote no trace into free/"
fi

# --- explore: dpor finds the oversell ------------------------------------------------------
# Budgets: the oversell came at run 3 and run 32 here; explore runs its whole
# budget (no stop at the first failure), hence the longer timeout.
for t_runs in "test_last_item_sold_once 40" "test_browse_race 100"; do
  read -r t runs <<<"$t_runs"
  (cd "$TMP" && exec timeout 400 "$FAULTBOX" explore race.star --test $t --runs $runs --trace-dir explore) >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 1 ]] && pass "explore $t: exit 1 (the oversell found)" || { fail "explore $t: exit $rc, want 1"; cat "$TMP/out"; }
  first=$(sed -n 's/^    failing class [0-9a-f]* (run \([0-9]*\)).*/\1/p' "$TMP/out" | head -1)
  grep -q 'the last item was sold twice' "$TMP/out" && [[ -n "$first" ]] &&
    pass "explore $t: first failing class at run $first, the double sale" ||
    fail "explore $t: no failing class with the double sale"
  trace=$(sed -n 's/^      trace: //p' "$TMP/out" | head -1)
  if [[ -n "$trace" ]]; then
    (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay "$trace") >"$TMP/out" 2>&1
    rc=$?
    [[ $rc == 1 ]] && grep -qE '^verdict: FAIL .*the last item was sold twice \(as recorded\)$' "$TMP/out" &&
      pass "explore $t: its failing trace replays to the same failure" ||
      { fail "explore $t: replay of $trace: exit $rc"; cat "$TMP/out"; }
  else
    fail "explore $t: no trace path printed"
  fi
done

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

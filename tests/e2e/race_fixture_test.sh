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
#     twice", never anything else.
# race.star names the fixtures of a build in build/; the copy tested here
# points at this build's instead (the only change to the spec).
# Usage (ctest): bash race_fixture_test.sh FAULTBOX FIXTURE_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed (also when the environment cannot
# run it: the CI runs as root with every package).
set -u
FAULTBOX="$1"
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
run_faultbox() {  # ARGS... → $rc, $TMP/out
  timeout 120 "$FAULTBOX" "$@" >"$TMP/out" 2>&1
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

# --- two reservations of the last item at once ------------------------------------------
# TEMPORARY GUARD: until `faultbox test` supports parallel() (issue 4, the
# deterministic driver) it refuses it with a one-line reason; then this test
# cannot run yet and is reported as such. Once parallel() lands, this branch
# is dead and the checks below always run (the coordinator then adds the
# `--runs 50` checks of serialized mode: some runs pass, some fail, and the
# failing trace replays). Remove the guard then.
run_faultbox test "$TMP/race.star" --test test_last_item_sold_once
if grep -q 'parallel() is not supported by `faultbox test` yet' "$TMP/out"; then
  echo "note: parallel() is not supported by faultbox test yet: test_last_item_sold_once not run (temporary guard)"
else
  # One run, any schedule: a pass, or the race's own failure — nothing else
  # (no refused step, no ERROR from the shop, no crash).
  if [[ $rc == 0 ]]; then
    expect_out '^--- PASS: test_last_item_sold_once ' "one of two reservations got the last item"
  elif [[ $rc == 1 ]]; then
    expect_out '^--- FAIL: test_last_item_sold_once ' "the race showed in this schedule"
    expect_out 'race\.star:[0-9]+:[0-9]+: the last item was sold twice' "and the failure is the double sale"
  else
    fail "test_last_item_sold_once: exit $rc, want 0 or 1"
    cat "$TMP/out"
  fi
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

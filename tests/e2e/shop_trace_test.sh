#!/usr/bin/env bash
# The shop's traces (issue 4, Acceptance): examples/shop/faultbox.star in
# binary mode with a real redis-server, serialized (the default), every run's
# trace kept with --trace-dir, as a user would run it from the spec's folder.
#   - the three seed tests pass serialized, each trace's path is printed;
#   - each trace's header: spec and binaries with their sha256 (checked
#     against sha256sum), test, run, strategy, seed, verdict, replayable;
#   - each trace passes trace_clocks.py, an independent reading of the file
#     as ShiViz parses it and of ShiViz's clock rules (own host present, own
#     entry 1, 2, 3… per host, no reference beyond a host's count, referenced
#     hosts have events), with every arrow a real message;
#   - test_checkout_when_redis_down's arrows follow the real flow: driver→api,
#     api→redis, redis→api, api→driver (trace_clocks.py --flow redis-down);
#   - each fault shows in its trace as the outcome and label of the event it
#     hit; a file path is normalized to $RUN/…;
#   - `faultbox replay` of each trace, five times: exit 0, replayed N/N
#     decisions, the recorded verdict, no warning.
# faultbox.star names the binaries of a build in build/; the copy tested here
# points at this build's instead (the only change to the spec).
# Usage (ctest): bash shop_trace_test.sh FAULTBOX SHOP_BIN_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed (also when the environment cannot
# run it: the CI runs as root with every package).
set -u
FAULTBOX="$(realpath "$1")"  # the runs below cd into the spec's folder
SHOP_DIR="$(cd "$2" && pwd)"
SRC="$3"
CHECK="$SRC/tests/e2e/trace_clocks.py"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

[[ "$(id -u)" == 0 ]] || { fail "needs root (network namespaces, cgroups, iptables)"; exit 1; }
command -v redis-server >/dev/null || { fail "redis-server is not installed"; exit 1; }
command -v python3 >/dev/null || { fail "python3 is not installed"; exit 1; }
for f in shop-api shop-search; do
  [[ -x "$SHOP_DIR/$f" ]] || { fail "no $f in $SHOP_DIR"; exit 1; }
done

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}

sed "s#\"../../build/examples/shop/#\"$SHOP_DIR/#" "$SRC/examples/shop/faultbox.star" >"$TMP/faultbox.star"
grep -q "$SHOP_DIR/shop-api" "$TMP/faultbox.star" || { fail "could not point the spec at $SHOP_DIR"; exit 1; }

# --- the three seed tests, serialized, every trace kept ------------------------------------
(cd "$TMP" && exec timeout 300 "$FAULTBOX" test faultbox.star --trace-dir traces) >"$TMP/out" 2>&1
rc=$?
cp "$TMP/out" "$TMP/test.out"
[[ $rc == 0 ]] && pass "faultbox test (serialized): exit 0" || { fail "faultbox test: exit $rc, want 0"; cat "$TMP/out"; }
TESTS=(test_checkout_when_redis_down test_search_timeout_doesnt_block_checkout test_full_disk_error_message)
for t in "${TESTS[@]}"; do
  expect_out "^--- PASS: $t \\([0-9]+ms\\)\$" "$t passes serialized"
  trace="traces/$t-seed1.log"
  grep -qxF "    trace: $trace" "$TMP/test.out" && pass "$t: trace path printed" || fail "$t: no line '    trace: $trace'"
  [[ -s "$TMP/$trace" ]] && pass "$t: $trace written" || fail "$t: $trace missing or empty"
done
expect_out '^3 passed, 0 failed$' "summary line"
ntraces="$(find "$TMP/traces" -name '*.log' 2>/dev/null | wc -l)"
[[ "$ntraces" == 3 ]] && pass "three traces in traces/" || fail "$ntraces traces in traces/, want 3"

# --- the headers --------------------------------------------------------------------------
sha() { sha256sum "$1" | cut -d' ' -f1; }
spec_sha="$(sha "$TMP/faultbox.star")"
for t in "${TESTS[@]}"; do
  f="$TMP/traces/$t-seed1.log"
  [[ -f "$f" ]] || continue
  want="$(printf '%s\n' \
    '# faultbox trace 1' \
    "# spec: faultbox.star sha256:$spec_sha" \
    "# binary: redis sha256:$(sha /usr/bin/redis-server)" \
    "# binary: search sha256:$(sha "$SHOP_DIR/shop-search")" \
    "# binary: api sha256:$(sha "$SHOP_DIR/shop-api")" \
    "# test: $t  run: 1  strategy: random  seed: 1" \
    '# verdict: PASS' \
    '# replayable: yes')"
  got="$(sed -n '3,10p' "$f")"
  [[ "$got" == "$want" ]] && pass "$t: header names the spec, each binary with its sha256, test, run, strategy, seed, verdict" ||
    fail "$t: header is
$got
want
$want"
  grep -q '^# warning:' "$f" && fail "$t: determinism warning in the trace: $(grep '^# warning:' "$f")"
done

# --- ShiViz's parsing and clock rules, checked independently ----------------------------------
if python3 "$CHECK" "$TMP"/traces/*.log >"$TMP/clocks" 2>&1; then
  pass "the three traces pass trace_clocks.py (ShiViz's regex and clock rules, real arrows)"
else
  fail "trace_clocks.py rejects traces:"; grep -v '^ok: ' "$TMP/clocks"
fi
# The arrows follow the real flow: driver→api, api→redis, redis→api, api→driver.
f="$TMP/traces/test_checkout_when_redis_down-seed1.log"
if python3 "$CHECK" --flow redis-down "$f" >"$TMP/clocks" 2>&1; then
  pass "redis down: arrows driver→api, api→redis, redis→api, api→driver"
  grep '^  arrow:' "$TMP/clocks"
else
  fail "redis down: the arrows do not follow the real flow:"; cat "$TMP/clocks"
fi

# --- each fault in its trace: the event it hit, with outcome and label ------------------------
# expect_event FILE ERE WHAT: an event line of FILE matches ERE.
expect_event() {
  if grep -qE -- "$2" "$1" 2>/dev/null; then pass "$3"; else fail "$3: no event line /$2/ in $1"; fi
}
expect_event "$TMP/traces/test_checkout_when_redis_down-seed1.log" \
  '^step=[0-9]+ api connect redis\.main #[0-9]+( @t[^ ]+)? -> deny ECONNREFUSED \[Redis down\]$' \
  "redis down: the api's connect to redis denied, labelled"
expect_event "$TMP/traces/test_search_timeout_doesnt_block_checkout-seed1.log" \
  '^step=[0-9]+ api connect search\.main #[0-9]+( @t[^ ]+)? -> (hold-syn|delay) [^ ]+ \[search timeout\]$' \
  "search timeout: the api's connect to search delayed, labelled"
expect_event "$TMP/traces/test_full_disk_error_message-seed1.log" \
  '^step=[0-9]+ api write \$RUN/api/orders\.log #[0-9]+( @t[^ ]+)? -> deny ENOSPC \[disk full\]$' \
  "disk full: the api's write to \$RUN/api/orders.log denied, labelled"
# Identities never carry the run's own paths, pids or ephemeral ports.
if grep -hE '^step=' "$TMP"/traces/*.log | grep -E ' (/tmp/|/proc/[0-9]|/sys/fs/cgroup)|[:.][0-9]{5}( |$)|faultbox-run' >"$TMP/leaks"; then
  fail "identities carry run-specific paths, pids or ports:"; cat "$TMP/leaks"
else
  pass "no identity carries a run directory, pid or port"
fi
expect_event "$TMP/traces/test_checkout_when_redis_down-seed1.log" \
  '^step=- test response api\.public #[0-9]+ -> status (200|503)$' "redis down: the checkout's response in the trace"

# --- replay each trace: exit 0, every decision, the recorded verdict ---------------------------
# Five times each: a replay is exact every time, not most of the time.
REPLAYS=5
for t in "${TESTS[@]}"; do
  trace="traces/$t-seed1.log"
  [[ -f "$TMP/$trace" ]] || continue
  n="$(grep -cE '^step=[0-9]+ ' "$TMP/$trace")"
  ((n > 0)) || fail "$t: the trace has no decisions"
  good=0
  for ((i = 1; i <= REPLAYS; i++)); do
    (cd "$TMP" && exec timeout 120 "$FAULTBOX" replay "$trace") >"$TMP/out" 2>&1
    rc=$?
    if [[ $rc == 0 ]] && grep -qxF "replayed $n/$n decisions" "$TMP/out" &&
       grep -qE '^verdict: PASS \(as recorded\)$' "$TMP/out"; then
      good=$((good + 1))
    else
      echo "  replay $i of $t: exit $rc, want 0 with 'replayed $n/$n decisions' and 'verdict: PASS (as recorded)':"
      sed 's/^/    /' "$TMP/out"
    fi
    grep -q '^warning:' "$TMP/out" && fail "replay $t: warns: $(grep '^warning:' "$TMP/out")"
  done
  [[ $good == "$REPLAYS" ]] && pass "replay $t: $REPLAYS/$REPLAYS exit 0, replayed $n/$n decisions, verdict PASS as recorded" ||
    fail "replay $t: $good of $REPLAYS replays exact"
done

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

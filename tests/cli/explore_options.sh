#!/usr/bin/env bash
# `faultbox explore --dpor-order`: parsed (each order accepted, an unknown
# one refused), documented by `faultbox help explore`, and a usage error
# (exit 2, one line) with a strategy other than dpor. Parsing comes before
# the spec is read, so an accepted flag gets as far as "cannot read" — no
# root, no services (tests/e2e/explore_test.sh runs the orders for real).
# Usage (ctest): bash explore_options.sh FAULTBOX_BIN REPO_ROOT
set -u
FAULTBOX="$1"
source "$2/tests/cli/lib/assertions.bash"

run "$FAULTBOX" help explore
expect_rc 0 "help explore"
expect_out "^usage: faultbox explore .*\[--dpor-order fewest-preemptions\|depth-first\|random\]" "help explore: usage"
expect_out "^  explore +--dpor-order ORDER +dpor's branch order" "help explore: the flag's line"

for order in fewest-preemptions depth-first random; do
  for strategy in "" "--strategy dpor"; do
    # shellcheck disable=SC2086  # $strategy is two words or none
    run "$FAULTBOX" explore no-such-spec.star $strategy --dpor-order "$order"
    expect_rc 2 "--dpor-order $order $strategy: parsed, then the spec is missing"
    expect_err "cannot read no-such-spec.star" "--dpor-order $order $strategy: parsed"
    grep -q "dpor-order" <<<"$ERR" && fail "--dpor-order $order $strategy: refused: $ERR"
  done
done
run "$FAULTBOX" explore no-such-spec.star --dpor-order=depth-first --seed 7
expect_rc 2 "--dpor-order=depth-first"
expect_err "cannot read no-such-spec.star" "--dpor-order=depth-first: parsed"

run "$FAULTBOX" explore no-such-spec.star --dpor-order breadth-first
expect_rc 2 "--dpor-order breadth-first"
expect_err "^faultbox: explore: --dpor-order: .*breadth-first.*\(usage: faultbox explore SPEC" \
  "--dpor-order breadth-first: names the flag, the value and the usage"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "--dpor-order breadth-first: want a one-line message, got: $ERR"

run "$FAULTBOX" explore no-such-spec.star --dpor-order
expect_rc 2 "--dpor-order without a value"

for strategy in pct random permutations; do
  for args in "--strategy $strategy --dpor-order depth-first" "--dpor-order fewest-preemptions --strategy $strategy"; do
    # shellcheck disable=SC2086
    run "$FAULTBOX" explore no-such-spec.star $args
    expect_rc 2 "$args"
    expect_err "^faultbox: explore: --dpor-order goes with --strategy dpor \(the strategy is $strategy\)$" "$args"
    [ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "$args: want a one-line message, got: $ERR"
    [ -z "$OUT" ] || fail "$args: stdout not empty: $OUT"
  done
done
# Without the flag the other strategies parse as before.
run "$FAULTBOX" explore no-such-spec.star --strategy pct
expect_rc 2 "--strategy pct without --dpor-order"
expect_err "cannot read no-such-spec.star" "--strategy pct without --dpor-order: parsed"

finish

#!/usr/bin/env bash
# faultbox --help / help [CMD] / --version, unknown commands, commands not
# built yet, docs/cli.md against `faultbox help`, and `faultbox replay`'s
# usage errors (no TRACE, a missing or malformed trace): output and exit
# codes (DESIGN.md §7).
# Usage (ctest): bash help_and_usage.sh FAULTBOX_BIN REPO_ROOT
set -u
FAULTBOX="$1"
source "$2/tests/cli/lib/assertions.bash"

run "$FAULTBOX" --help
expect_rc 0 "--help"
for cmd in check starlark test explore replay report help; do
  expect_out "^  $cmd " "--help lists $cmd"
done
grep -qE "^  explore .*not yet available" <<<"$OUT" && fail "--help still marks explore as not yet available"
grep -qE "^  report .*not yet available" <<<"$OUT" && fail "--help still marks report as not yet available"
grep -qE "^  replay .*not yet available" <<<"$OUT" && fail "--help still marks replay as not yet available"
expect_out "--runs N" "--help shows the flags table"
expect_out "exit codes" "--help explains exit codes"

# docs/cli.md holds the same tables: every flag `faultbox help` shows is there,
# and each command's status row says what `faultbox help` says.
DOC="$2/docs/cli.md"
while read -r flag; do
  grep -qF -- "\`$flag\`" "$DOC" || fail "flag $flag of 'faultbox --help' is missing from docs/cli.md"
done < <(sed -n '/^flags:/,/^$/p' <<<"$OUT" | awk 'NR > 1 && NF >= 2 { sub(/^ +[^ ]+ +/, ""); split($0, a, "  "); print a[1] }' | sed 's/, -h$//')
for cmd in check starlark test explore replay report help; do
  grep -q "faultbox $cmd" "$DOC" || fail "command $cmd is missing from docs/cli.md"
done
for cmd in check starlark test explore replay report help; do
  grep -qE "^\| \`faultbox $cmd .*\| available" "$DOC" || fail "docs/cli.md does not say $cmd is available"
done
grep -qF '### `faultbox replay TRACE [--reverse A:B [--trace-dir DIR]] [--rr SERVICE] [-v]`' "$DOC" || fail "docs/cli.md has no section for faultbox replay"
grep -qF '### `faultbox report RESULTS.json... [--json FILE] [--junit FILE]`' "$DOC" || fail "docs/cli.md has no section for faultbox report"

run "$FAULTBOX" help
expect_rc 0 "help"
expect_out "^usage: faultbox COMMAND" "help"

run "$FAULTBOX" help check
expect_rc 0 "help check"
expect_out "^usage: faultbox check SPEC" "help check"

run "$FAULTBOX" check --help
expect_rc 0 "check --help"
expect_out "^usage: faultbox check SPEC" "check --help"

run "$FAULTBOX" help replay
expect_rc 0 "help replay"
expect_out "^usage: faultbox replay TRACE \[--reverse A:B \[--trace-dir DIR\]\] \[--rr SERVICE\] \[-v\]$" "help replay"
expect_out "^  replay +--rr SERVICE " "help replay shows --rr"
expect_out "^  replay +-v " "help replay shows -v"
expect_out "exit 4" "help replay names the divergence exit code"
grep -q "not yet available" <<<"$OUT" && fail "help replay: replay is available now: $OUT"
grep -qE "^  (test|explore|report) " <<<"$OUT" && fail "help replay shows other commands' flags: $OUT"

run "$FAULTBOX" replay --help
expect_rc 0 "replay --help"
expect_out "^usage: faultbox replay TRACE" "replay --help"

run "$FAULTBOX" help explore
expect_rc 0 "help explore"
grep -q "not yet available" <<<"$OUT" && fail "help explore: explore is available now: $OUT"
expect_out "--strategy NAME" "help explore shows its flags"
expect_out "complete: N runs" "help explore says what complete means"

run "$FAULTBOX" help frobnicate
expect_rc 2 "help of unknown command"

run "$FAULTBOX" --version
expect_rc 0 "--version"
expect_out "^faultbox [0-9]+\.[0-9]+\.[0-9]+$" "--version"

run "$FAULTBOX" frobnicate
expect_rc 2 "unknown command"
expect_err "unknown command \"frobnicate\"" "unknown command"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "unknown command: want a one-line message, got: $ERR"

# explore is available: a spec it cannot read is exit 2, one line.
run "$FAULTBOX" explore no-such-spec.star
expect_rc 2 "explore without a readable spec"
expect_err "cannot read no-such-spec.star" "explore without a readable spec"
run "$FAULTBOX" explore no-such-spec.star --shard 0/2
expect_rc 2 "explore --shard 0/2"
expect_err "shard wants I/N" "explore --shard 0/2"

# report is available: no RESULTS is a usage error, a file it cannot read is exit 2, one line
# (tests/e2e/report_test.sh checks the merge itself).
run "$FAULTBOX" report
expect_rc 2 "report without RESULTS"
expect_err "usage: faultbox report RESULTS" "report without RESULTS"
run "$FAULTBOX" report no-such-results.json
expect_rc 2 "report of a missing file"
expect_err "^faultbox report: no-such-results.json: cannot read the file" "report of a missing file"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "report of a missing file: want a one-line message, got: $ERR"

# replay is available: usage errors and a trace it cannot read are exit 2, one line.
run "$FAULTBOX" replay
expect_rc 2 "replay without TRACE"
expect_err "usage: faultbox replay TRACE" "replay without TRACE"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "replay without TRACE: want a one-line message, got: $ERR"
grep -q "not yet available" <<<"$ERR" && fail "replay without TRACE: replay is available now: $ERR"

run "$FAULTBOX" replay --rr
expect_rc 2 "replay --rr without SERVICE"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
run "$FAULTBOX" replay "$TMP/no-such-trace.log"
expect_rc 2 "replay of a missing trace"
expect_err "^faultbox replay: $TMP/no-such-trace.log: cannot read the file" "replay of a missing trace"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "replay of a missing trace: want a one-line message, got: $ERR"
[ -z "$OUT" ] || fail "replay of a missing trace: stdout not empty: $OUT"

printf 'not a trace\n' >"$TMP/garbage.log"
run "$FAULTBOX" replay "$TMP/garbage.log"
expect_rc 2 "replay of a file that is not a trace"
expect_err "^faultbox replay: $TMP/garbage.log:1: " "replay of a file that is not a trace names file and line"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "replay of a file that is not a trace: want a one-line message, got: $ERR"

run "$FAULTBOX"
expect_rc 2 "no command"

run "$FAULTBOX" check
expect_rc 2 "check without SPEC"
expect_err "usage: faultbox check SPEC" "check without SPEC"

finish

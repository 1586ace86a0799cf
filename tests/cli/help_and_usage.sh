#!/usr/bin/env bash
# faultbox --help / help [CMD] / --version, unknown commands and commands
# not built yet: output and exit codes (DESIGN.md §7).
# Usage (ctest): bash help_and_usage.sh FAULTBOX_BIN REPO_ROOT
set -u
FAULTBOX="$1"
source "$2/tests/cli/lib/assertions.bash"

run "$FAULTBOX" --help
expect_rc 0 "--help"
for cmd in check starlark test explore replay report help; do
  expect_out "^  $cmd " "--help lists $cmd"
done
expect_out "^  explore .*\[not yet available\]" "--help marks explore as not yet available"
expect_out "--runs N" "--help shows the flags table"
expect_out "exit codes" "--help explains exit codes"

# docs/cli.md holds the same flags table: every flag `faultbox help` shows is there.
DOC="$2/docs/cli.md"
while read -r flag; do
  grep -qF -- "\`$flag\`" "$DOC" || fail "flag $flag of 'faultbox --help' is missing from docs/cli.md"
done < <(sed -n '/^flags:/,/^$/p' <<<"$OUT" | awk 'NR > 1 && NF >= 2 { sub(/^ +[^ ]+ +/, ""); split($0, a, "  "); print a[1] }' | sed 's/, -h$//')
for cmd in check starlark test explore replay report help; do
  grep -q "faultbox $cmd" "$DOC" || fail "command $cmd is missing from docs/cli.md"
done

run "$FAULTBOX" help
expect_rc 0 "help"
expect_out "^usage: faultbox COMMAND" "help"

run "$FAULTBOX" help check
expect_rc 0 "help check"
expect_out "^usage: faultbox check SPEC" "help check"

run "$FAULTBOX" check --help
expect_rc 0 "check --help"
expect_out "^usage: faultbox check SPEC" "check --help"

run "$FAULTBOX" help explore
expect_rc 0 "help explore"
expect_out "not yet available" "help explore"
expect_out "--strategy NAME" "help explore shows its flags"

run "$FAULTBOX" help frobnicate
expect_rc 2 "help of unknown command"

run "$FAULTBOX" --version
expect_rc 0 "--version"
expect_out "^faultbox [0-9]+\.[0-9]+\.[0-9]+$" "--version"

run "$FAULTBOX" frobnicate
expect_rc 2 "unknown command"
expect_err "unknown command \"frobnicate\"" "unknown command"
[ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "unknown command: want a one-line message, got: $ERR"

for cmd in explore replay report; do
  run "$FAULTBOX" "$cmd" spec.star
  expect_rc 2 "$cmd (not yet available)"
  expect_err "$cmd is not yet available" "$cmd (not yet available)"
  [ "$(wc -l <<<"$ERR")" -eq 1 ] || fail "$cmd: want a one-line message, got: $ERR"
done

run "$FAULTBOX"
expect_rc 2 "no command"

run "$FAULTBOX" check
expect_rc 2 "check without SPEC"
expect_err "usage: faultbox check SPEC" "check without SPEC"

finish

# Helpers for the CLI tests, sourced by tests/cli/*.sh (kept out of that
# glob so ctest does not run it as a test of its own).
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# run CMD...: sets OUT (stdout), ERR (stderr), RC.
run() {
  local o e
  o="$(mktemp)"; e="$(mktemp)"
  "$@" >"$o" 2>"$e"
  RC=$?
  OUT="$(cat "$o")"; ERR="$(cat "$e")"
  rm -f "$o" "$e"
}
expect_rc() { [ "$RC" -eq "$1" ] || fail "$2: exit $RC, want $1 (stdout: $OUT) (stderr: $ERR)"; }
expect_out() { grep -qE -- "$1" <<<"$OUT" || fail "$2: stdout lacks /$1/: $OUT"; }
expect_err() { grep -qE -- "$1" <<<"$ERR" || fail "$2: stderr lacks /$1/: $ERR"; }
finish() {
  if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
  echo "all checks passed"
  exit 0
}

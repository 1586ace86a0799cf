#!/usr/bin/env bash
# faultbox starlark FILE: prints to stdout, exits 0; a Starlark error prints
# file:line:col, the line, a caret and a backtrace to stderr and exits 1.
# Usage (ctest): bash starlark_command.sh FAULTBOX_BIN REPO_ROOT
set -u
FAULTBOX="$1"
source "$2/tests/cli/lib/assertions.bash"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# A program that runs: print, the options of Dialect::all(), json, load().
cat >"$TMP/helper.star" <<'STAR'
def double(x):
    return 2 * x
STAR
cat >"$TMP/ok.star" <<'STAR'
load("helper.star", "double")
s = set([1, 2, 2])
n = 0
while n < 3:
    n += 1
if n == 3:
    print("hello", double(21), len(s), json.encode({"k": [1, 2]}), math.floor(2.5))
STAR
run "$FAULTBOX" starlark "$TMP/ok.star"
expect_rc 0 "ok program"
[ "$OUT" = 'hello 42 2 {"k":[1,2]} 2' ] || fail "ok program: stdout is '$OUT'"
[ -z "$ERR" ] || fail "ok program: stderr not empty: $ERR"

# A runtime error inside a function: location, line, caret, backtrace.
cat >"$TMP/err.star" <<'STAR'
def f(x):
    return 1 // x

print("before")
f(0)
STAR
run "$FAULTBOX" starlark "$TMP/err.star"
expect_rc 1 "runtime error"
expect_out '^before$' "runtime error"
expect_err "err.star:2:14: floored division by zero" "runtime error location"
expect_err '^ +return 1 // x$' "runtime error quotes the line"
expect_err '^  +\^$' "runtime error caret"
expect_err 'Traceback \(most recent call last\)' "runtime error backtrace"
expect_err "err.star:5:2: in <toplevel>" "backtrace names the call"

# A syntax error is reported the same way, exit 1.
printf 'x = (1,\n' >"$TMP/syntax.star"
run "$FAULTBOX" starlark "$TMP/syntax.star"
expect_rc 1 "syntax error"
expect_err "syntax.star:[0-9]+:[0-9]+: " "syntax error location"

# fail() is a Starlark error too.
printf 'fail("boom")\n' >"$TMP/fail.star"
run "$FAULTBOX" starlark "$TMP/fail.star"
expect_rc 1 "fail()"
expect_err "boom" "fail() message"

# Usage errors: exit 2.
run "$FAULTBOX" starlark "$TMP/missing.star"
expect_rc 2 "missing file"
expect_err "cannot read" "missing file"
run "$FAULTBOX" starlark
expect_rc 2 "no file"

finish

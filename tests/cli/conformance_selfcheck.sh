#!/usr/bin/env bash
# The conformance harness checks what it claims: run on the fixture root it
# passes; on copies where one "###" expectation is changed, one is removed,
# or one assertion is broken, exactly that chunk fails (and the run exits 1).
# Usage (ctest): bash conformance_selfcheck.sh FAULTBOX_BIN REPO_ROOT
set -uo pipefail

FAULTBOX="$1"
ROOT="$2"
HARNESS="$(dirname "$FAULTBOX")/starlark_conformance"
FIXTURE="$ROOT/tests/fixtures/conformance"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

[ -x "$HARNESS" ] || { echo "no harness binary at $HARNESS"; exit 1; }

# run ROOT [flags...]: sets OUT and RC.
run() {
  OUT="$("$HARNESS" "$@" --min-pass-rate 1 2>&1)"
  RC=$?
}

# 1. The unmodified fixture passes completely.
run "$FIXTURE"
[ "$RC" -eq 0 ] || fail "unmodified fixture: exit $RC, want 0"
grep -q '^8 passed, 0 failed$' <<<"$OUT" || fail "unmodified fixture: want '8 passed, 0 failed'"
[ "$RC" -eq 0 ] || echo "$OUT"

# mutate NAME SED-EXPR FILE: a copy of the fixture with one edit.
mutate() {
  rm -rf "$TMP/$1"
  cp -r "$FIXTURE" "$TMP/$1"
  sed -i "$2" "$TMP/$1/$3"
  cmp -s "$FIXTURE/$3" "$TMP/$1/$3" && fail "$1: the edit changed nothing"
}

# expect_chunk_fails NAME CHUNK_LINE REASON_REGEX
expect_chunk_fails() {
  run "$TMP/$1"
  [ "$RC" -eq 1 ] || fail "$1: exit $RC, want 1"
  grep -q "^  chunk at line $2: .*$3" <<<"$OUT" || { fail "$1: chunk at line $2 not reported failing with /$3/"; echo "$OUT"; }
  grep -q '^7 passed, 1 failed$' <<<"$OUT" || { fail "$1: want exactly one failing chunk"; echo "$OUT"; }
}

# 2. A changed expectation: the error still happens but no longer matches.
mutate changed 's/### "division by zero"/### "no such error message"/' starlark/testdata/selfcheck.star
expect_chunk_fails changed 10 'does not match pattern "no such error message"'

# 3. A removed expectation: the error becomes unexpected.
mutate removed 's/ ### "out of range"//' starlark/testdata/selfcheck.star
expect_chunk_fails removed 12 'unexpected error: .*out of range'

# 4. An expectation on a line that does not fail.
mutate unmet 's/^assert.eq(len(set(\[1, 1, 2\])), 2)$/& ### "boom"/' starlark/testdata/selfcheck.star
expect_chunk_fails unmet 17 'expected error matching "boom", got none'

# 5. A broken assertion (reported by the native assert module, chunk goes on).
mutate assertion 's/^assert.eq(1 + 1, 2)$/assert.eq(1 + 1, 3)/' starlark/testdata/selfcheck.star
expect_chunk_fails assertion 1 'line 7: assertion failed: 2 != 3'

# 6. Resolver mode: a changed expectation on a static error.
mutate resolver 's/### "undefined: undefined_name"/### "undefined: other"/' resolve/testdata/selfcheck.star
expect_chunk_fails resolver 4 'does not match pattern "undefined: other"'

# 7. Parser mode: a changed expectation on a syntax error.
mutate parser "s/### \`got '\\\\\\*', want primary\`/### \`want nothing\`/" syntax/testdata/selfcheck.star
expect_chunk_fails parser 4 'does not match pattern "want nothing"'

# 8. The expected-failures list: a listed failing chunk no longer fails the run,
#    and a listed chunk that passes is reported as "now passing".
printf 'starlark/testdata/selfcheck.star:10  # deliberately broken copy\n' >"$TMP/expected.txt"
OUT="$("$HARNESS" "$TMP/changed" --expected-failures "$TMP/expected.txt" --min-pass-rate 0.5 2>&1)"; RC=$?
[ "$RC" -eq 0 ] || { fail "expected failure listed: exit $RC, want 0"; echo "$OUT"; }
OUT="$("$HARNESS" "$FIXTURE" --expected-failures "$TMP/expected.txt" 2>&1)"
grep -q 'now passing, remove from list: starlark/testdata/selfcheck.star:10' <<<"$OUT" || fail "a passing listed chunk is not reported as now passing"

# 9. The same holds for a real starlark-go file when one is installed:
#    changing the first expectation of syntax/testdata/errors.star fails its chunk.
REAL=/usr/share/gocode/src/go.starlark.net
if [ -f "$REAL/syntax/testdata/errors.star" ]; then
  mkdir -p "$TMP/real/syntax/testdata"
  cp "$REAL/syntax/testdata/errors.star" "$TMP/real/syntax/testdata/"
  run "$TMP/real"
  before="$OUT"
  line="$(grep -n '###' "$TMP/real/syntax/testdata/errors.star" | head -1 | cut -d: -f1)"
  sed -i "${line}s/###.*/### \"this pattern matches nothing\"/" "$TMP/real/syntax/testdata/errors.star"
  run "$TMP/real"
  [ "$RC" -eq 1 ] || fail "real errors.star with a changed expectation: exit $RC, want 1"
  grep -q "line $line: error .* does not match pattern \"this pattern matches nothing\"" <<<"$OUT" ||
    { fail "real errors.star: changed expectation on line $line not reported"; echo "$before"; echo "$OUT"; }
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "conformance self-check: all checks passed"

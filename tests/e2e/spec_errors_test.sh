#!/usr/bin/env bash
# Vocabulary misuse found while a test body runs is a spec error: exit 2 with
# the call site (issue 3: "a misspelled errno (exit 2)"; "a fault on
# clock_gettime is a spec error").
# Usage: spec_errors_test.sh FAULTBOX
set -u
FAULTBOX="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
failures=0
check() {  # name spec-body expected-message
  local name="$1" body="$2" want="$3"
  cat >"$TMP/$name.star" <<SPEC
a = service("a", "/bin/sleep", interface("m", "tcp", 1), args=["30"])
def test_x():
$body
SPEC
  "$FAULTBOX" test "$TMP/$name.star" >"$TMP/out" 2>&1
  local rc=$?
  if [[ $rc == 2 ]] && grep -q -- "$want" "$TMP/out" && grep -q "$name.star:3:" "$TMP/out"; then
    echo "ok: $name: exit 2, call site and cause"
  else
    echo "FAIL: $name: exit $rc"; cat "$TMP/out"; failures=$((failures + 1))
  fi
}
check errno '    fault(a, write=deny("ENOSPCC"), run=lambda: None)' 'unknown errno "ENOSPCC" (close matches: ENOSPC)'
check vdso '    fault(a, clock_gettime=deny("EIO"), run=lambda: None)' 'clock_gettime is answered by the vDSO'
# A failed assertion stays a test failure (exit 1).
cat >"$TMP/assert.star" <<'SPEC'
a = service("a", "/bin/sleep", interface("m", "tcp", 1), args=["30"])
def test_x():
    assert_true(False, "on purpose")
SPEC
"$FAULTBOX" test "$TMP/assert.star" >"$TMP/out" 2>&1
rc=$?
if [[ $rc == 1 ]] && grep -q "on purpose" "$TMP/out"; then echo "ok: assertion: exit 1"; else echo "FAIL: assertion: exit $rc"; cat "$TMP/out"; failures=$((failures + 1)); fi
if ((failures)); then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"

#!/usr/bin/env bash
# faultbox check SPEC: the MISSION.md spec lists its three services and three
# tests (exit 0); errors print file:line:col, the line, a caret (and "did you
# mean service" for a misspelled builtin) and exit 2.
# Usage (ctest): bash check_command.sh FAULTBOX_BIN REPO_ROOT
set -u
FAULTBOX="$1"
ROOT="$2"
source "$ROOT/tests/cli/lib/assertions.bash"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
SHOP="$ROOT/examples/shop/images.star"

run "$FAULTBOX" check "$SHOP"
expect_rc 0 "shop spec"
expect_out "3 services, 3 tests" "shop summary"
expect_out "^  api +image company/api:latest$" "api service"
expect_out "^  redis +image redis:7$" "redis service"
expect_out "^  search +image company/search:latest$" "search service"
expect_out "interface public +http +:8080" "api interface"
expect_out "interface main +redis +:6379" "redis interface"
expect_out "healthcheck http localhost:8080/health" "api healthcheck"
expect_out "healthcheck tcp localhost:6379" "redis healthcheck"
expect_out "^  test_checkout_when_redis_down +Cart still works if Redis cache is gone" "test 1"
expect_out "^  test_search_timeout_doesnt_block_checkout +Slow search shouldn't cascade" "test 2"
expect_out "^  test_full_disk_error_message +When disk is full" "test 3"

# `servce(` for `service(`: location, the line, a caret, and the hint.
line="$(grep -n 'service("api"' "$SHOP" | head -1 | cut -d: -f1)"
sed 's/service("api"/servce("api"/' "$SHOP" >"$TMP/faultbox.star"
run "$FAULTBOX" check "$TMP/faultbox.star"
expect_rc 2 "servce typo"
expect_err "faultbox.star:$line:7: undefined: servce \\(did you mean service\\?\\)" "servce typo location and hint"
expect_err '^ +api = servce\("api",$' "servce typo quotes the line"
expect_err '^ {8}\^$' "servce typo caret under column 7"

# A vocabulary error at run time of the top level: an unknown errno.
cat >"$TMP/errno.star" <<'STAR'
db = service("db", "/bin/true", interface("main", "tcp", 5432))
rule = deny("ECONREFUSED")
STAR
run "$FAULTBOX" check "$TMP/errno.star"
expect_rc 2 "unknown errno"
expect_err 'errno.star:2:12: deny: unknown errno "ECONREFUSED" \(close matches: ECONNREFUSED' "unknown errno"
expect_err '^ +rule = deny\("ECONREFUSED"\)$' "unknown errno quotes the line"

# A Go Faultbox builtin that is not supported says so.
cat >"$TMP/unsupported.star" <<'STAR'
mock = mock_service("auth", interface("main", "http", 9000))
STAR
run "$FAULTBOX" check "$TMP/unsupported.star"
expect_rc 2 "unsupported builtin"
expect_err "not supported: mock_service" "unsupported builtin"

# Both binary and image.
cat >"$TMP/both.star" <<'STAR'
api = service("api", "./api", interface("public", "http", 8080), image="x:1")
STAR
run "$FAULTBOX" check "$TMP/both.star"
expect_rc 2 "binary and image"
expect_err "either a binary or image=, not both" "binary and image"

# A missing spec file is a usage error.
run "$FAULTBOX" check "$TMP/nonexistent.star"
expect_rc 2 "missing spec"
expect_err "cannot read" "missing spec"

finish

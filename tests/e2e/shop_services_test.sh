#!/usr/bin/env bash
# The demo's services end to end, without faultbox: a real redis-server,
# shop-search and shop-api on free ports. Failures are produced by hand
# (redis stopped, frozen or killed; search killed or replaced by a listener
# that never answers; /dev/full as the order log) and each check asserts the
# api's documented answer: never a 500 because a dependency failed.
# Usage (ctest): bash shop_services_test.sh SHOP_API_BIN SHOP_SEARCH_BIN
# Exit 0 all checks passed, 1 some failed, 77 a needed tool is missing.
set -u
API_BIN="$1"
SEARCH_BIN="$2"

for tool in redis-server redis-cli curl python3; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -CONT "$pid" 2>/dev/null  # a SIGSTOPped redis must be able to die
    kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# start NAME CMD...: runs CMD in the background, output in $TMP/NAME.log;
# sets LAST_PID.
start() {
  local name="$1"; shift
  "$@" >"$TMP/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

show_logs() {
  local f
  for f in "$TMP"/*.log; do echo "--- $(basename "$f")"; tail -n 30 "$f"; done
}

# Free ports: bound to port 0 by the kernel, then released.
read -r REDIS_PORT SEARCH_PORT API_PORT API2_PORT < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

# request METHOD PORT PATH [BODY] [CURL ARGS...]: sets STATUS, BODY, SECS.
request() {
  local method="$1" port="$2" path="$3" body="${4:-}"
  shift 4 2>/dev/null || shift $#
  local out
  out="$(curl -s -o "$TMP/body" -w '%{http_code} %{time_total}' --max-time 15 \
    -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} "$@" \
    "http://127.0.0.1:$port$path")"
  STATUS="${out%% *}"
  SECS="${out##* }"
  BODY="$(cat "$TMP/body" 2>/dev/null)"
}
expect_status() {  # REGEX WHAT
  if [[ "$STATUS" =~ ^($1)$ ]]; then pass "$2 ($STATUS)"; else fail "$2: status $STATUS, want $1; body: $BODY"; fi
}
expect_body() {  # ERE WHAT
  if grep -qE -- "$1" <<<"$BODY"; then pass "$2"; else fail "$2: body lacks /$1/: $BODY"; fi
}
expect_faster() {  # SECONDS WHAT (a sanity bound, not a benchmark)
  if awk -v t="$SECS" -v max="$1" 'BEGIN { exit !(t < max) }'; then
    pass "$2 (${SECS}s)"
  else
    fail "$2: took ${SECS}s, want < $1s"
  fi
}
# wait_until SECONDS CMD...: polls CMD until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
redis() { redis-cli -p "$REDIS_PORT" "$@"; }
healthy() { curl -sf --max-time 2 "http://127.0.0.1:$1/health"; }

# --- start: redis, search, api ------------------------------------------------
mkdir -p "$TMP/redis"
start redis redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$TMP/redis"
REDIS_PID=$LAST_PID
start search env PORT="$SEARCH_PORT" "$SEARCH_BIN"
SEARCH_PID=$LAST_PID
wait_until 10 redis ping || { fail "redis-server did not start"; show_logs; exit 1; }

API_ENV=(REDIS_ADDR="127.0.0.1:$REDIS_PORT" SEARCH_URL="http://localhost:$SEARCH_PORT")
start api env "${API_ENV[@]}" PORT="$API_PORT" ORDERS_FILE="$TMP/orders.log" "$API_BIN"
API_PID=$LAST_PID
# A second api whose order log is /dev/full (every write: ENOSPC).
start api-diskfull env "${API_ENV[@]}" PORT="$API2_PORT" ORDERS_FILE=/dev/full "$API_BIN"
API2_PID=$LAST_PID

for port in "$SEARCH_PORT" "$API_PORT" "$API2_PORT"; do
  wait_until 10 healthy "$port" || { fail "no healthy service on port $port"; show_logs; exit 1; }
done
pass "redis, search and two apis are up"

# --- everything up -------------------------------------------------------------
request GET "$SEARCH_PORT" "/search?q=tshirt"
expect_status 200 "search answers"
expect_body '"sku":"TSHIRT"' "search finds the T-shirt"

request POST "$API_PORT" /cart/add '{"sku": "TSHIRT", "qty": 2}'
expect_status 200 "cart/add"
expect_body '"source":"redis"' "cart/add stored in redis"
[[ "$(redis HGET cart:default TSHIRT)" == 2 ]] && pass "redis holds the cart line" ||
  fail "redis HGET cart:default TSHIRT = '$(redis HGET cart:default TSHIRT)', want 2"
request GET "$API_PORT" /cart
expect_status 200 "GET /cart"
expect_body '"qty":2,"sku":"TSHIRT".*"source":"redis"' "GET /cart reads the cart from redis"

# Carts are per X-Cart-Id: alice's line goes to cart:alice, not the default cart.
request POST "$API_PORT" /cart/add '{"sku": "CAP"}' -H 'X-Cart-Id: alice'
expect_status 200 "cart/add for another cart"
[[ "$(redis HGET cart:alice CAP)" == 1 && "$(redis HGET cart:default CAP)" == "" ]] &&
  pass "X-Cart-Id selects the cart" || fail "cart:alice/CAP = '$(redis HGET cart:alice CAP)', want 1 (and no CAP in cart:default)"
request POST "$API_PORT" /cart/add '{"sku": "CAP"}' -H 'X-Cart-Id: no spaces'
expect_status 400 "a malformed X-Cart-Id is a 400"

request POST "$API_PORT" /cart/add '{"sku": "nope"' # malformed JSON
expect_status 400 "malformed JSON is a 400"
request POST "$API_PORT" /cart/add '{"sku": "MUG", "qty": 0}'
expect_status 400 "qty 0 is a 400"

# One connection kept open across all those requests (the first api's and
# the second one's: two named shop-api in all).
n="$(redis CLIENT LIST | grep -c 'name=shop-api')"
[[ "$n" == 2 ]] && pass "each api holds one redis connection" ||
  fail "want 2 redis connections named shop-api (one per api), got $n: $(redis CLIENT LIST)"

request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status 200 "checkout"
expect_body '"status":"confirmed"' "checkout confirms"
expect_body '"cart_source":"redis"' "checkout read the cart from redis"
expect_body '"recommendations":\[\{"name"' "checkout got recommendations from search"
expect_body '"search":"ok"' "checkout says search was ok"
[[ "$(redis EXISTS cart:default)" == 0 ]] && pass "checkout cleared the cart in redis" ||
  fail "cart:default still exists in redis after checkout"

request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status 400 "checkout of an empty cart is a 400"
expect_body 'cart is empty' "empty cart says so"

# --- orders -------------------------------------------------------------------
request POST "$API_PORT" /orders '{"item": "WIDGET"}'
expect_status 201 "order saved"
request POST "$API_PORT" /orders '{"item": "MUG"}'
expect_status 201 "second order saved"
lines="$(grep -c '"item":"\(WIDGET\|MUG\)"' "$TMP/orders.log" 2>/dev/null)"
[[ "$lines" == 2 ]] && pass "both orders are in the order log" ||
  fail "order log has $lines matching lines, want 2: $(cat "$TMP/orders.log" 2>&1)"

request POST "$API2_PORT" /orders '{"item": "WIDGET"}'
expect_status 507 "order on a full disk is a 507"
expect_body 'disk full: no space left on device' "the 507 says the disk is full"

# --- search killed, then search hanging --------------------------------------------
kill "$SEARCH_PID"; wait "$SEARCH_PID" 2>/dev/null
request POST "$API_PORT" /cart/add '{"sku": "HOODIE"}'
request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status 200 "checkout with search down"
expect_body '"search":"skipped: search unreachable' "checkout notes search was unreachable"
expect_faster 4 "checkout with search down returns quickly"

# A listener that accepts (the kernel completes the handshake) and never
# answers: only the api's read timeout can end that call.
start blackhole python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
time.sleep(600)' "$SEARCH_PORT"
wait_until 10 python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
  "$SEARCH_PORT" || fail "the silent search stand-in did not start"
request POST "$API_PORT" /cart/add '{"sku": "HOODIE"}'
request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status 200 "checkout with a search that never answers"
expect_body 'search did not answer in time' "checkout notes the search timeout"
expect_faster 4 "checkout does not wait for a silent search"

# --- redis frozen, then killed ------------------------------------------------------
request POST "$API_PORT" /cart/add '{"sku": "SOCKS"}'
expect_body '"source":"redis"' "cart/add reaches redis before it freezes"
kill -STOP "$REDIS_PID"
request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status '200|503' "checkout with redis frozen: 200 or 503, not 500"
expect_faster 4 "checkout with redis frozen returns quickly"
kill -CONT "$REDIS_PID"

# The api reconnects after its back-off: wait until a cart/add lands in redis,
# so that redis dies under a connection the api holds.
added_to_redis() {
  request POST "$API_PORT" /cart/add '{"sku": "CAP"}'
  grep -q '"source":"redis"' <<<"$BODY"
}
wait_until 10 added_to_redis && pass "the api reconnected to redis" ||
  fail "cart/add never reached redis again after it was resumed: $BODY"
n="$(redis CLIENT LIST | grep -c 'name=shop-api')"
[[ "$n" == 2 ]] && pass "still one connection per api after the reconnect" ||
  fail "want 2 redis connections named shop-api after the reconnect, got $n"

kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null
request POST "$API_PORT" /checkout '{"payment": "card"}'
expect_status '200|503' "checkout with redis down: 200 or 503, not 500"
if [[ "$STATUS" == 200 ]]; then
  expect_body '"cart_source":"local"' "checkout with redis down used the local store"
  expect_body '"fallback":"redis unavailable' "checkout notes the fallback"
  expect_body '"sku":"CAP"' "the local store kept the cart"
fi
request POST "$API_PORT" /cart/add '{"sku": "MUG"}'
expect_status 200 "cart/add with redis down"
expect_body '"source":"local"' "cart/add with redis down uses the local store"
request GET "$API_PORT" /cart
expect_status 200 "GET /cart with redis down"
expect_body '"sku":"MUG".*"source":"local"' "GET /cart with redis down reads the local store"
# A cart this process never saw cannot come from anywhere: 503.
request POST "$API2_PORT" /checkout '{"payment": "card"}' -H 'X-Cart-Id: never-seen'
expect_status 503 "checkout of an unknown cart with redis down is a 503"
expect_body 'cart unavailable' "the 503 says the cart is unavailable"

# --- shutdown -----------------------------------------------------------------------
# Exited = a zombie (our child, not reaped yet) or gone.
exited() { [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != [^Z]* ]]; }
kill -TERM "$API_PID"
if wait_until 10 exited "$API_PID"; then
  wait "$API_PID"; rc=$?
  [[ "$rc" == 0 ]] && pass "the api exits 0 on SIGTERM" || fail "the api exited $rc on SIGTERM"
else
  fail "the api did not exit within 10 s of SIGTERM"
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  show_logs
  exit 1
fi
echo "all checks passed"

#!/usr/bin/env bash
# Container mode with an image beyond the repository's own programs (issue 6,
# acceptance): nginx:1, Debian's nginx built into a FROM scratch image by
# tests/images/build_test_images.sh, as a reverse proxy in front of the shop's
# api (company/api:latest) and redis (redis:7). nginx is a master that forks
# two workers (user www-data); every request is served by a worker.
#   - /api/health through the proxy: 200 with the api's own body;
#   - api refuses connects: the worker's connect fails, nginx answers 502;
#   - api's SYNs held 5 s (a netfilter queue in api's namespace): nginx's
#     proxy_connect_timeout 2s fires, 504 after at least 2 s;
#   - write=deny("ENOSPC") on nginx's log files: the worker's error-log write
#     fails, the 502 still goes out, nginx keeps serving (200 next);
#   - a serialized run with --trace-dir: a worker's connect to api.public
#     (thread ordinal not 1, the master's), nginx:1's image id in the
#     header; the log-disk-full trace (refused
#     connect, denied log write, 502, then a 200) replays N/N;
#   - while a run holds a step: master + 2 workers, the workers forked by the
#     master, in its cgroup, as www-data, each under our filter on top of
#     Docker's; SIGINT then ends the run (exit 130), nothing left;
#   - after every run no container, network or shim folder of that faultbox.
# The plain proxy trace (api answers with two small writes, nginx reads them
# with non-blocking readv) once diverged on replay about once in 25-100: the
# second write's bytes had not reached nginx when its read was decided. Since
# quiescence waits for a released send to be acknowledged
# (scheduler::output_delivered) 20 of 20 replayed; it is still checked here
# for its content only, and the log trace is the one replayed.
# Usage (ctest): bash container_nginx_test.sh FAULTBOX BUILD_DIR SOURCE_DIR
# Exit 0 all checks passed, 1 some failed (also when no Docker daemon
# answers: never a skip), 77 not root.
set -u
FAULTBOX="$1"
BUILD="$2"
SRC="$3"

[[ "$(id -u)" == 0 ]] || { echo "SKIP: needs root (Docker, seccomp handover, netfilter queues)"; exit 77; }

TMP="$(mktemp -d)"
BG=""
cleanup() {
  [[ -n "$BG" ]] && kill -9 "$BG" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
expect_out() {  # ERE WHAT
  if grep -qE -- "$1" "$TMP/out"; then pass "$2"; else fail "$2: output lacks /$1/"; cat "$TMP/out"; fi
}

source "$SRC/tests/e2e/containers_lib.sh"
require_docker_daemon
bash "$SRC/tests/images/build_test_images.sh" "$BUILD" nginx:1 company/api:latest redis:7 faultbox-test/hello:latest >"$TMP/images" 2>&1 ||
  { fail "building the test images"; cat "$TMP/images"; exit 1; }


cat >"$TMP/services.star" <<'STAR'
web = service("web",
    interface("http", "http", 80),
    image="nginx:1",
    depends_on=["api"],
    healthcheck=http("localhost:80/health"),
)
api = service("api",
    interface("public", "http", 8080),
    image="company/api:latest",
    depends_on=["redis"],
    healthcheck=http("localhost:8080/health"),
)
redis = service("redis",
    interface("main", "redis", 6379),
    image="redis:7",
    healthcheck=tcp("localhost:6379"),
)
STAR

cp "$TMP/services.star" "$TMP/web.star"
cat >>"$TMP/web.star" <<'STAR'

def test_proxy():
    r = web.get(path="/api/health")
    assert_eq(r.status, 200)
    assert_true('"status":"ok"' in r.body, "the api's own body through nginx: " + r.body)

def test_api_down():
    def down():
        r = web.get(path="/api/health")
        assert_eq(r.status, 502)
        assert_true("502 Bad Gateway" in r.body, "nginx's own 502 page: " + r.body)
    fault(api, connect=deny("ECONNREFUSED", label="api down"), run=down)

def test_api_slow():
    def slow():
        r = web.get(path="/api/health")
        assert_eq(r.status, 504)
        assert_true("504 Gateway Time-out" in r.body, "nginx's own 504 page: " + r.body)
        # nginx cannot give up before its proxy_connect_timeout (2s), and the
        # driver's own connect to nginx is not the one held for 5 s.
        assert_true(r.duration_ms >= 2000, "504 before proxy_connect_timeout: %dms" % r.duration_ms)
        assert_true(r.duration_ms < 5000, "504 only after the held SYN's 5 s: %dms" % r.duration_ms)
    fault(api, connect=delay("5s", label="api slow"), run=slow)

def test_log_disk_full():
    def refused():
        # nginx logs the refused connect (error.log) before it answers.
        r = web.get(path="/api/health")
        assert_eq(r.status, 502)
        r = web.get(path="/health")
        assert_eq(r.status, 200)
    def full():
        fault(api, connect=deny("ECONNREFUSED", label="api refused"), run=refused)
    fault(web, write=deny("ENOSPC", path="/var/log/nginx/*", label="log disk full"), run=full)
STAR

# --- the four tests, serialized (the default) -----------------------------------------
"$FAULTBOX" test "$TMP/web.star" >"$TMP/out" 2>&1 &
BG=$!
wait "$BG"; rc=$?; fb="$BG"; BG=""
[[ $rc == 0 ]] && pass "web.star: exit 0" || { fail "web.star: exit $rc"; cat "$TMP/out"; }
expect_out '^--- PASS: test_proxy \([0-9]+ms\)$' "through nginx's worker to the api container: 200 with the api's body"
expect_out '^--- PASS: test_api_down \([0-9]+ms\)$' "api refuses the worker's connect: nginx answers 502"
expect_out '^    fault api down: [1-9][0-9]* hits?$' "api down: the fault hit"
expect_out '^--- PASS: test_api_slow \([0-9]+ms\)$' "api's SYN held: nginx's proxy_connect_timeout fires, 504 in [2 s, 5 s)"
expect_out '^    fault api slow: [1-9][0-9]* hits?$' "api slow: a SYN was held"
expect_out '^--- PASS: test_log_disk_full \([0-9]+ms\)$' "log disk full: nginx still answers 502, then 200"
expect_out '^    fault log disk full: [1-9][0-9]* hits?$' "log disk full: the worker's log writes failed"
grep -q 'never fired' "$TMP/out" && fail "a fault never fired: $(cat "$TMP/out")"
expect_out '^4 passed, 0 failed$' "summary line"
nothing_left "$fb" "web.star"

# --- a trace across containers that replays -------------------------------------------------
# test_proxy and test_log_disk_full.
"$FAULTBOX" test "$TMP/web.star" --test 'test_[pl]*' --trace-dir "$TMP/traces" >"$TMP/out" 2>&1 &
BG=$!
wait "$BG"; rc=$?; fb="$BG"; BG=""
[[ $rc == 0 ]] && pass "serialized run with --trace-dir: exit 0" || { fail "traced run: exit $rc"; cat "$TMP/out"; }
expect_out '^2 passed, 0 failed$' "traced run: both tests"
nothing_left "$fb" "traced run"
web_image="$(docker image inspect --format '{{.Id}}' nginx:1)"
proxy="$TMP/traces/test_proxy-seed1.log"
full="$TMP/traces/test_log_disk_full-seed1.log"
if [[ -f "$proxy" && -f "$full" ]]; then
  # Threads are numbered by depth in the service's process tree: the master
  # (nginx is single-threaded) is t1, its forked workers t2 and t3.
  grep -qE '^step=[0-9]+ web connect api\.public #1 @t([2-9]|[1-9][0-9]+) -> allow$' "$proxy" &&
    pass "the trace shows a forked worker (not the master, t1) connecting to api.public" ||
    fail "no worker → api.public connect in $proxy: $(grep -v '^[a-z]* {' "$proxy")"
  grep -qE '^step=[0-9]+ api (recvfrom|read) web #1 ' "$proxy" &&
    pass "the api container's receive is named after its peer, web" || fail "no api ← web receive in $proxy"
  grep -qxF "# binary: web $web_image" "$proxy" && pass "the header names nginx:1's image id" ||
    fail "the header lacks web's image id $web_image: $(grep '^# binary' "$proxy")"
  # Exactly this order in one worker: the refused connect, the error log's
  # write denied, then the 502 written to the client.
  events="$(grep -E '^step=' "$full" | sed -E 's/^step=[0-9-]+ //')"
  want_order="$(printf '%s\n' \
    'web connect api\.public #1 @(t[0-9.]+) -> deny ECONNREFUSED \[api refused\]' \
    'web write /var/log/nginx/error\.log #1 @t[0-9.]+ -> deny ENOSPC \[log disk full\]' \
    'web writev test #1 @t[0-9.]+ -> allow' \
    'test response web\.http #1 -> status 502')"
  awk -v want="$want_order" 'BEGIN { n = split(want, w, "\n"); i = 1 }
       i <= n && $0 ~ "^" w[i] "$" { i++ } END { exit i <= n }' <<<"$events" &&
    pass "log disk full: refused connect, error.log write denied ENOSPC, then the 502 goes out" ||
    fail "log disk full: the trace lacks that order: $events"
  threads="$(grep -E '^web (connect api\.public|write /var/log/nginx/error\.log|writev test) #1 ' <<<"$events" |
             sed -E 's/.* @(t[0-9.]+) .*/\1/' | sort -u)"
  [[ "$(wc -l <<<"$threads")" == 1 && "$threads" != t1 ]] &&
    pass "log disk full: one worker ($threads) did all three" || fail "log disk full: threads $threads"
  # The proxy trace is not replayed: see "Known limit" at the top.
  "$FAULTBOX" replay "$full" >"$TMP/out" 2>&1
  rc=$?
  [[ $rc == 0 ]] && pass "replay test_log_disk_full: exit 0" || { fail "replay test_log_disk_full: exit $rc"; cat "$TMP/out"; }
  expect_out '^replayed ([0-9]+)/\1 decisions$' "replay enforced every recorded decision"
  expect_out '^    fault log disk full: [1-9][0-9]* hits?$' "replay: the log fault hit again"
  expect_out '^verdict: PASS \(as recorded\)$' "replay: verdict as recorded"
else
  fail "traces not written: $(ls "$TMP/traces" 2>&1)"
fi

# --- master + forked workers under our filter; SIGINT --------------------------------------
cp "$TMP/services.star" "$TMP/hang.star"
cat >>"$TMP/hang.star" <<'STAR'

def test_hangs():
    def held():
        web.get(path="/health", timeout="30s")
    fault(web, connect=delay("25s", label="held"), run=held)
STAR
# Waits until faultbox $1's web container runs nginx with its two workers;
# prints the master's host pid.
nginx_master() {
  local deadline=$((SECONDS + 60)) id p kids
  while ((SECONDS < deadline)); do
    id="$(docker ps --filter label=faultbox.service=web --format '{{.ID}} {{.Label "faultbox.owner"}}' |
          awk -v p="$1" '$2 ~ "^"p":" {print $1}')"
    if [[ -n "$id" ]]; then
      p="$(docker inspect -f '{{.State.Pid}}' "$id" 2>/dev/null)"
      kids="$(cat /proc/"$p"/task/*/children 2>/dev/null | wc -w)"
      if [[ -n "$p" && "$p" != 0 && "$(readlink "/proc/$p/exe" 2>/dev/null)" == */nginx && "$kids" == 2 ]]; then
        echo "$p"; return 0
      fi
    fi
    sleep 0.2
  done
  return 1
}
"$FAULTBOX" test "$TMP/hang.star" >"$TMP/out" 2>&1 &
BG=$!
if master="$(nginx_master "$BG")"; then
  plain="$(docker run -d --rm faultbox-test/hello:latest)"
  pp="$(docker inspect -f '{{.State.Pid}}' "$plain")"
  theirs="$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$pp/status")"
  docker kill "$plain" >/dev/null 2>&1
  cgroup="$(cat "/proc/$master/cgroup")"
  workers="$(cat /proc/"$master"/task/*/children)"
  for p in $master $workers; do
    name="$([[ $p == "$master" ]] && echo master || echo "worker $p")"
    mode="$(awk '/^Seccomp:/ {print $2}' "/proc/$p/status")"
    ours="$(awk '/^Seccomp_filters:/ {print $2}' "/proc/$p/status")"
    [[ "$mode" == 2 && -n "$theirs" && "$ours" == $((theirs + 1)) ]] &&
      pass "nginx $name runs under our filter on top of Docker's (filters $ours = Docker's $theirs + 1)" ||
      fail "nginx $name: seccomp mode $mode, $ours filters; a plain container has $theirs"
    [[ "$(readlink "/proc/$p/exe")" == */nginx ]] || fail "nginx $name: exe $(readlink "/proc/$p/exe")"
  done
  # The trace's thread ordinals (t1 the master, t2/t3 the workers) hold only
  # if these are all of the container's processes, each single-threaded.
  rel="$(sed -n 's/^0:://p' "/proc/$master/cgroup")"
  procs=""
  for root in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [[ -n "$rel" && -f "$root$rel/cgroup.procs" ]]; then procs="$(sort -n "$root$rel/cgroup.procs" | xargs)"; break; fi
  done
  [[ "$procs" == "$(printf '%s\n' $master $workers | sort -n | xargs)" ]] &&
    pass "the web container's cgroup holds exactly the master and its two workers" ||
    fail "the web container's cgroup ($rel) holds [$procs], not master $master + workers $workers"
  threads="$(for p in $master $workers; do awk '/^Threads:/ {print $2}' "/proc/$p/status"; done | xargs)"
  [[ "$threads" == "1 1 1" ]] && pass "master and workers are single-threaded" || fail "threads per process: $threads"
  for p in $workers; do
    [[ "$(awk '/^PPid:/ {print $2}' "/proc/$p/status")" == "$master" &&
       "$(awk '/^Uid:/ {print $2}' "/proc/$p/status")" == 33 && "$(cat "/proc/$p/cgroup")" == "$cgroup" ]] &&
      pass "worker $p: forked by the master, user www-data (33), in the container's cgroup" ||
      fail "worker $p: ppid $(awk '/^PPid:/ {print $2}' "/proc/$p/status"), $(grep '^Uid:' "/proc/$p/status")"
  done
  sleep 1  # inside the test body: the step's SYN is held
  fb="$BG"
  kill -INT "$BG"
  wait "$BG"; rc=$?; BG=""
  [[ $rc == 130 ]] && pass "SIGINT: exit 130" || { fail "SIGINT: exit $rc, want 130"; cat "$TMP/out"; }
  nothing_left "$fb" "SIGINT"
else
  fail "the hanging run never had nginx and its two workers up: $(cat "$TMP/out")"
  kill -9 "$BG"; BG=""
fi

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"

#!/usr/bin/env bash
# Container mode's cost against binary mode (issue 6, item 7), through the
# faultbox binary, one faultbox at a time. Two measurements:
#
#  (a) per test: a run's start (network, container, shim handover),
#      healthcheck, body and teardown. Specs of N tests against the echo
#      server behind a tcp healthcheck, as faultbox-test/echo:latest
#      (container mode) and as the very /echo binary copied out of that image
#      (binary mode); each test's body is one `echo.main.send("x\n")` (which
#      ends after TcpExchange's 200 ms idle gap: the echo server never
#      closes) or `pass` (the lifecycle alone). Per test: the ms faultbox
#      prints on its PASS line (the whole run: start to teardown), median
#      over N tests × R repetitions; and the wall time of one `faultbox test`
#      divided by N. For context, the daemon's own costs over its API
#      (curl): an Internal network made and removed; a container of the same
#      image created, started, killed and removed.
#
#  (b) per intercepted syscall: bench/containers/loop_server.c, one static
#      binary, makes K calls in a loop and times them itself (clock_gettime,
#      a vDSO call that is never intercepted). Run bare on the host, in a
#      plain `docker run` (Docker's own seccomp profile only), as a binary
#      service and as the only program of a FROM scratch image — the same
#      file in all four. Under faultbox (--free, so every call is answered on
#      the supervisor's fast path and not scheduled) the test body asks the
#      service for one measurement and prints it. Modes: getppid (outside
#      the vocabulary: the filter runs, nobody is notified), write of one byte
#      to /dev/null (notified, no rule), and the same write while a
#      write=deny("ENOSPC") rule is active (the rule inspects the fd: a
#      character device goes through). Median over R repetitions.
#
#   bench/bench_containers.sh [FAULTBOX] [--quick] [--keep] [--part a|b]
#
# FAULTBOX defaults to build/faultbox (faultbox-shim must sit beside it);
# build it with CMAKE_BUILD_TYPE=Release for numbers worth keeping (a Debug
# supervisor took about twice as long per notification here). Needs root, a Docker
# daemon, gcc with the static glibc, and faultbox-test/echo:latest (bash
# tests/images/build_test_images.sh BUILD_DIR faultbox-test/echo:latest).
# It builds one image of its own, faultbox-bench/loop:latest, and removes it
# at the end (--keep keeps it and the work directory). --quick: fewer tests,
# repetitions and calls (about a minute); --part a or b: only that half. The tables go to stdout, progress
# to stderr. Nothing is judged: timing goals live in bench/README.md.
#
# Exit status: 0 measured, 2 usage or environment error (no daemon, no
# image, a run that did not pass).
set -euo pipefail

usage() { sed -n 's/^#   \(bench\/bench_containers.sh .*\)/usage: \1/p' "$0"; }

FAULTBOX=build/faultbox
QUICK=0
KEEP=0
PART=ab
NEXT_IS_PART=0
for arg in "$@"; do
  if [[ $NEXT_IS_PART == 1 ]]; then
    [[ $arg == a || $arg == b ]] || { usage >&2; exit 2; }
    PART=$arg
    NEXT_IS_PART=0
    continue
  fi
  case $arg in
    --quick) QUICK=1 ;;
    --keep) KEEP=1 ;;
    --part) NEXT_IS_PART=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) FAULTBOX=$arg ;;
  esac
done

say() { printf 'bench_containers: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
readonly ECHO_IMAGE=faultbox-test/echo:latest
readonly LOOP_IMAGE=faultbox-bench/loop:latest

if [[ $QUICK == 1 ]]; then
  TESTS=4     # (a) tests per spec
  REPS=3      # repetitions of everything
  CALLS=50000 # (b) calls per measurement
else
  TESTS=10
  REPS=5
  CALLS=200000
fi

[[ -x $FAULTBOX ]] || die "$FAULTBOX is not an executable faultbox (build it, or pass its path)"
FAULTBOX=$(realpath "$FAULTBOX")
[[ -x $(dirname "$FAULTBOX")/faultbox-shim ]] || die "no faultbox-shim beside $FAULTBOX (ninja faultbox-shim)"
[[ $(id -u) == 0 ]] || die "needs root (seccomp handover, network namespaces, Docker)"
command -v docker >/dev/null || die "the docker CLI is missing (apt-get install docker.io)"
command -v curl >/dev/null || die "curl is missing"
SOCKET=${DOCKER_HOST:-unix:///var/run/docker.sock}
SOCKET=${SOCKET#unix://}
curl -sf --max-time 5 --unix-socket "$SOCKET" http://docker/_ping >/dev/null ||
  die "no Docker daemon answers at $SOCKET (start one as root: nohup dockerd >/tmp/dockerd.log 2>&1 &)"
docker image inspect "$ECHO_IMAGE" >/dev/null 2>&1 ||
  die "image $ECHO_IMAGE is missing: bash tests/images/build_test_images.sh BUILD_DIR $ECHO_IMAGE"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_containers.XXXXXX")
cleanup() {
  if [[ $KEEP == 1 ]]; then
    say "work directory $WORK and image $LOOP_IMAGE kept"
  else
    docker image rm "$LOOP_IMAGE" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
mkdir -p "$WORK/cwd" "$WORK/out" "$WORK/loop-image"

# --- the programs: the same file in the image and on the host ----------------

# The echo server: copied out of its image, so binary mode runs the very
# binary the container does.
cid=$(docker create --label faultbox.bench=1 "$ECHO_IMAGE")
docker cp "$cid:/echo" "$WORK/echo" >/dev/null
docker rm "$cid" >/dev/null
chmod 0755 "$WORK/echo"

# The loop: compiled here, then put into an image of its own.
gcc -static -O2 -Wall -Wextra -o "$WORK/loop-image/loop_server" "$HERE/containers/loop_server.c" 2>"$WORK/gcc.log" ||
  { cat "$WORK/gcc.log" >&2; die "gcc -static bench/containers/loop_server.c failed"; }
cat >"$WORK/loop-image/Dockerfile" <<'EOF'
FROM scratch
COPY loop_server /loop_server
ENTRYPOINT ["/loop_server"]
CMD ["7100"]
EOF
DOCKER_BUILDKIT=0 docker build -q --label faultbox.bench=1 -t "$LOOP_IMAGE" "$WORK/loop-image" >/dev/null 2>"$WORK/build.log" ||
  { cat "$WORK/build.log" >&2; die "docker build of $LOOP_IMAGE failed"; }
LOOP="$WORK/loop-image/loop_server"

# --- the specs -----------------------------------------------------------------

# echo_spec FILE BODY SERVICE_ARGS: N tests, each of them BODY.
echo_spec() {
  {
    echo "echo = service(\"echo\", $3"
    echo "               healthcheck=tcp(\"localhost:7000\"))"
    for ((t = 1; t <= TESTS; t++)); do
      printf '\ndef test_echo_%02d():\n%s\n' "$t" "$2"
    done
  } >"$1"
}
# One exchange; the echo server never closes, so the step's reply ends
# after TcpExchange's 200 ms idle gap — the same in both modes.
SEND_BODY='    r = echo.main.send("x\n")
    assert_eq(r.body, "x\n")'
EMPTY_BODY='    pass'
BINARY_ECHO="\"$WORK/echo\", interface(\"main\", \"tcp\", 7000), env={\"ECHO_LOG\": \"echo.log\"},"
CONTAINER_ECHO="interface(\"main\", \"tcp\", 7000), image=\"$ECHO_IMAGE\", env={\"ECHO_LOG\": \"echo.log\"},"
echo_spec "$WORK/send_binary.star" "$SEND_BODY" "$BINARY_ECHO"
echo_spec "$WORK/send_container.star" "$SEND_BODY" "$CONTAINER_ECHO"
echo_spec "$WORK/empty_binary.star" "$EMPTY_BODY" "$BINARY_ECHO"
echo_spec "$WORK/empty_container.star" "$EMPTY_BODY" "$CONTAINER_ECHO"

# loop_spec FILE SERVICE_ARGS: one measurement per mode, printed as
# "RESULT MODE NS".
loop_spec() {
  cat >"$1" <<EOF
loop = service("loop", $2
               healthcheck=tcp("localhost:7100"))

def measure(mode):
    r = loop.main.send(mode + " $CALLS\n", timeout="120s")
    print("RESULT " + mode + " " + r.body.strip())

def test_getppid():
    measure("getppid")

def test_write():
    measure("write")

def test_write_under_rule():
    def body():
        measure("write")
    fault(loop, write=deny("ENOSPC", label="disk full"), run=body)
EOF
}
loop_spec "$WORK/loop_binary.star" "\"$LOOP\", interface(\"main\", \"tcp\", 7100), args=[\"7100\"],"
loop_spec "$WORK/loop_container.star" "interface(\"main\", \"tcp\", 7100), image=\"$LOOP_IMAGE\","

# --- helpers ---------------------------------------------------------------------

now_ns() { date +%s%N; }

# median of the numbers on stdin ("–" when there are none)
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "–"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    print m }'
}

# faultbox test SPEC [ARGS...]: its output in $LAST_LOG, its wall ms in
# $WALL. The bench stops unless every test passed.
RUN=0
LAST_LOG=
WALL=
faultbox_test() {
  RUN=$((RUN + 1))
  local log=$WORK/out/$RUN.log start end rc=0
  start=$(now_ns)
  (cd "$WORK/cwd" && "$FAULTBOX" test "$@") >"$log" 2>&1 || rc=$?
  end=$(now_ns)
  if [[ $rc != 0 ]]; then
    tail -20 "$log" >&2
    die "faultbox test $* exited $rc (log above)"
  fi
  LAST_LOG=$log
  WALL=$(((end - start) / 1000000))
}

# One call to the daemon's API, timed: prints ms; the body goes to $WORK/api.
api_ms() {  # METHOD PATH [JSON]
  local start end code
  start=$(now_ns)
  code=$(curl -s -o "$WORK/api" -w '%{http_code}' --unix-socket "$SOCKET" -X "$1" \
           -H 'Content-Type: application/json' ${3:+--data "$3"} "http://docker/v1.41$2")
  end=$(now_ns)
  [[ $code == 2* ]] || die "docker API $1 $2: HTTP $code $(cat "$WORK/api")"
  echo $(((end - start) / 1000000))
}

json_id() { sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p' "$WORK/api"; }

# The daemon's own lifecycle costs, appended to the files named below.
docker_costs() {
  local name=faultbox-bench-$$-$RUN net id t1 t2 t3 t4 t5
  t1=$(api_ms POST /networks/create "{\"Name\":\"$name\",\"Internal\":true,\"Labels\":{\"faultbox.bench\":\"1\"}}")
  net=$(json_id)
  t2=$(api_ms POST "/containers/create?name=$name" \
         "{\"Image\":\"$ECHO_IMAGE\",\"Labels\":{\"faultbox.bench\":\"1\"},\"HostConfig\":{\"NetworkMode\":\"$name\"}}")
  id=$(json_id)
  t3=$(api_ms POST "/containers/$id/start")
  t4=$(api_ms POST "/containers/$id/kill")
  t5=$(api_ms DELETE "/containers/$id?force=true&v=true")
  t1=$((t1 + $(api_ms DELETE "/networks/$net")))
  echo "$t1" >>"$WORK/docker_network"
  echo "$t2" >>"$WORK/docker_create"
  echo "$t3" >>"$WORK/docker_start"
  echo "$((t4 + t5))" >>"$WORK/docker_remove"
  echo "$((t2 + t3 + t4 + t5))" >>"$WORK/docker_container"
}

# --- (a) per test --------------------------------------------------------------------

if [[ $PART == *a* ]]; then
  say "(a) $TESTS tests × $REPS repetitions per spec, interleaved"
  for ((r = 1; r <= REPS; r++)); do
    for body in send empty; do
      for mode in binary container; do
        faultbox_test "$WORK/${body}_$mode.star"
        echo "$WALL" >>"$WORK/a_wall_${body}_$mode"
        sed -n 's/^--- PASS: .* (\([0-9]*\)ms)$/\1/p' "$LAST_LOG" >>"$WORK/a_test_${body}_$mode"
        say "  $body/$mode repetition $r: $WALL ms for $TESTS tests"
      done
    done
    docker_costs
  done
fi

# --- (b) per syscall -------------------------------------------------------------------

if [[ $PART == *b* ]]; then
  say "(b) $CALLS calls per measurement × $REPS repetitions"
  for ((r = 1; r <= REPS; r++)); do
    for m in getppid write; do
      "$LOOP" "$m" "$CALLS" >>"$WORK/b_bare_$m"
      docker run --rm --label faultbox.bench=1 "$LOOP_IMAGE" "$m" "$CALLS" >>"$WORK/b_docker_$m"
    done
    for mode in binary container; do
      faultbox_test "$WORK/loop_$mode.star" --free
      grep -q 'never fired' "$LAST_LOG" || die "the disk-full rule fired on /dev/null? $(cat "$LAST_LOG")"
      # Tests run in definition order: getppid, write, write under the rule.
      sed -n 's/^RESULT getppid //p' "$LAST_LOG" >>"$WORK/b_${mode}_getppid"
      sed -n 's/^RESULT write //p' "$LAST_LOG" | sed -n 1p >>"$WORK/b_${mode}_write"
      sed -n 's/^RESULT write //p' "$LAST_LOG" | sed -n 2p >>"$WORK/b_${mode}_rule"
    done
    say "  repetition $r done"
  done
fi

# --- the tables ----------------------------------------------------------------------------

med() { median <"$WORK/$1"; }
all() { tr '\n' ' ' <"$WORK/$1" | sed 's/ $//'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "–") printf "%.2f", a / b; else print "–" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a - b }'; }
per_test() { awk -v w="$(med "$1")" -v n="$TESTS" 'BEGIN { printf "%.0f", w / n }'; }

echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r);" \
  "Docker $(docker version --format '{{.Server.Version}}' 2>/dev/null) (API 1.41); $(date -u +%Y-%m-%d)."
echo "faultbox: $FAULTBOX; $TESTS tests per spec, $REPS repetitions, $CALLS calls per measurement."

if [[ $PART == *a* ]]; then
  echo
  echo "(a) per test: start + healthcheck + body + teardown (serialized, the default)"
  echo
  echo "| test body | mode | ms per test (PASS line, median of $((TESTS * REPS))) | min | max | wall of \`faultbox test\` / $TESTS (median of $REPS) |"
  echo "|---|---|---|---|---|---|"
  for body in send empty; do
    for mode in binary container; do
      f=a_test_${body}_$mode
      printf '| %s | %s | %s | %s | %s | %s |\n' "$([[ $body == send ]] && echo 'echo.main.send' || echo 'pass')" "$mode" \
        "$(med "$f")" "$(sort -g "$WORK/$f" | head -1)" "$(sort -g "$WORK/$f" | tail -1)" "$(per_test "a_wall_${body}_$mode")"
    done
  done
  eb=$(med a_test_empty_binary)
  ec=$(med a_test_empty_container)
  daemon=$(awk -v n="$(med docker_network)" -v k="$(med docker_container)" 'BEGIN { printf "%.0f", n + k }')
  echo
  echo "A container test costs $(minus "$ec" "$eb") ms more than a binary one ($(ratio "$ec" "$eb")×, empty bodies;"
  echo "$(minus "$(med a_test_send_container)" "$(med a_test_send_binary)") ms with the echo step)."
  echo "The daemon's own part, over its API with curl (median of $REPS): network create + remove $(med docker_network) ms;"
  echo "a container of the same image: create $(med docker_create) ms, start $(med docker_start) ms, kill + remove $(med docker_remove) ms;"
  echo "$daemon ms in all (curl's own start included), against $ec ms for a whole empty container test and"
  echo "$eb ms for a binary one: what faultbox adds on top of the daemon (shim handover, Internal probe, SYN queue,"
  echo "supervisor, healthcheck) is $(minus "$ec" "$daemon") ms by this difference — within this machine's noise of the daemon's figures."
fi

if [[ $PART == *b* ]]; then
  echo
  echo "(b) per syscall: ns per call, median of $REPS (the loop times itself; --free)"
  echo
  echo "| call | bare host | docker run (Docker's filter only) | binary mode | container mode | container / binary |"
  echo "|---|---|---|---|---|---|"
  row() {  # LABEL BARE DOCKER KEY
    local bm cm
    bm=$(med "b_binary_$4")
    cm=$(med "b_container_$4")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$bm" "$cm" "$(ratio "$cm" "$bm")"
  }
  row "getppid (filtered, not notified)" "$(med b_bare_getppid)" "$(med b_docker_getppid)" getppid
  row "write /dev/null (notified, no rule)" "$(med b_bare_write)" "$(med b_docker_write)" write
  row "write /dev/null, write=deny(\"ENOSPC\") active" "–" "–" rule
  echo
  echo "Every sample (ns): binary write: $(all b_binary_write); container write: $(all b_container_write);"
  echo "binary under the rule: $(all b_binary_rule); container under the rule: $(all b_container_rule)."
fi

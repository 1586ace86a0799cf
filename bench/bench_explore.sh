#!/usr/bin/env bash
# The exploration benchmark (issue 5, item 9): `faultbox explore` on the
# fixtures of bench/explore/, whose class counts are known (README.md there),
# with each strategy — dpor, permutations, pct, random. Per test and
# strategy: runs to exhaust, classes found, redundant runs (runs that
# repeated a class), failing classes, runs to the first failure (the median
# over several seeds for random and pct); then the goals, each PASS or MISS
# with its numbers. Not a timed test: wall times are printed, never judged.
#
#   bench/bench_explore.sh [FAULTBOX] [--quick] [--keep]
#
# FAULTBOX defaults to build/faultbox. Run it from the repository root: the
# specs' binary= paths are ../../build/fixtures/NAME, relative to
# bench/explore/, so the fixtures must be built into build/ whichever
# faultbox runs them. --quick: smaller sampling budgets (a few minutes on 2
# cores); --keep: keep the work directory (JSON, logs, every run's trace).
# The table goes to stdout, progress to stderr. Explorations run one after
# the other, never in parallel: two would perturb each other's quiescence
# waits on a small machine.
#
# Exit status: 0 when every goal passed, 1 when one was missed, 2 on a usage
# or environment error (a faultbox exploration that could not run).
set -euo pipefail

usage() { sed -n 's/^#   //p' "$0" | head -1 | sed 's/^/usage: /'; }

FAULTBOX=build/faultbox
QUICK=0
KEEP=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --keep) KEEP=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *) FAULTBOX=$arg ;;
  esac
done

if [[ ! -f bench/explore/model.py || ! -f bench/explore/summarize.py ]]; then
  echo "bench_explore: run me from the repository root (bench/explore/ not found in $PWD)" >&2
  exit 2
fi
if [[ ! -x $FAULTBOX ]]; then
  echo "bench_explore: $FAULTBOX is not an executable faultbox (build it, or pass its path)" >&2
  exit 2
fi
for f in explore_journal explore_relay explore_counter explore_retry race_stock race_shop; do
  if [[ ! -x build/fixtures/$f ]]; then
    echo "bench_explore: build/fixtures/$f missing: the specs' binary= paths point into build/ (build the fixtures there)" >&2
    exit 2
  fi
done

ROOT=$PWD
FAULTBOX=$(realpath "$FAULTBOX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench_explore.XXXXXX")
if [[ $KEEP == 1 ]]; then
  echo "bench_explore: work directory $WORK (kept)" >&2
else
  trap 'rm -rf "$WORK"' EXIT
fi
# faultbox writes minimized traces beside the others and anything else it
# writes into its working directory: run it from a scratch directory so the
# repository stays clean.
mkdir -p "$WORK/cwd" "$WORK/json" "$WORK/logs" "$WORK/traces"

if [[ $QUICK == 1 ]]; then
  ENUM=200     # dpor and permutations: enough to exhaust every fixture
  SAMPLE=20    # random and pct, from seed 1
  SEEDS=3      # first-failure samples for random and pct
  FF=20        # budget of each first-failure sample
else
  ENUM=500
  SAMPLE=100
  SEEDS=5
  FF=50
fi
SEED_STRIDE=1000  # first seeds 1, 1001, 2001, …: disjoint seed streams

MANIFEST=$WORK/manifest.tsv
printf 'spec\ttest\tmax_faults\tstrategy\trole\tseed\tbudget\tjson\trc\tseconds\tlog\ttraces\n' >"$MANIFEST"
{
  echo "mode=$([[ $QUICK == 1 ]] && echo quick || echo full)"
  echo "faultbox=$FAULTBOX"
  echo "enum=$ENUM"
  echo "sample=$SAMPLE"
  echo "seeds=$SEEDS"
  echo "ff=$FF"
  echo "seed_stride=$SEED_STRIDE"
  echo "cores=$(nproc)"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "kernel=$(uname -r)"
} >"$WORK/setup.txt"

ENV_ERRORS=0
N=0
# explore SPEC TEST MAX_FAULTS STRATEGY ROLE SEED BUDGET
# Every run's trace is kept (--trace-dir) and -v logs each run's class, so
# summarize.py can check every class against bench/explore/model.py and name
# the trace of any class that one strategy found and dpor did not.
explore() {
  local spec=$1 test=$2 mf=$3 strategy=$4 role=$5 seed=$6 budget=$7
  N=$((N + 1))
  local json=$WORK/json/$N.json log=$WORK/logs/$N.log traces=$WORK/traces/$N
  local args=(explore "$ROOT/bench/explore/$spec" --test "$test" --strategy "$strategy" --runs "$budget"
              --seed "$seed" --max-faults "$mf" --json "$json" --trace-dir "$traces" -v)
  printf 'bench_explore: %-17s %-30s --max-faults %s %-12s seed %-5s budget %s\n' \
    "$spec" "$test" "$mf" "$strategy" "$seed" "$budget" >&2
  local start end rc=0
  start=$(date +%s%N)
  (cd "$WORK/cwd" && "$FAULTBOX" "${args[@]}") >"$log" 2>&1 || rc=$?
  end=$(date +%s%N)
  if [[ $rc -ne 0 && $rc -ne 1 ]]; then
    ENV_ERRORS=$((ENV_ERRORS + 1))
    echo "bench_explore: faultbox exited $rc; its output:" >&2
    tail -5 "$log" >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$spec" "$test" "$mf" "$strategy" "$role" "$seed" \
    "$budget" "$json" "$rc" "$(( (end - start) / 1000000 ))" "$log" "$traces" >>"$MANIFEST"
}

# Failing classes dpor found for the last exploration (0 when none or no JSON).
failing_of() {
  python3 -c 'import json,sys
try: print(len(json.load(open(sys.argv[1]))["tests"][0]["failures"]))
except Exception: print(0)' "$1"
}

CONFIGS=(
  "disjoint.star test_two_services 1"
  "disjoint.star test_four_services 1"
  "disjoint.star test_one_service_two_requests 1"
  "shared.star test_two_clients 1"
  "lost_update.star test_two_increments 1"
  "lost_update.star test_sequential_increments 1"
  "retry.star test_records_one_fault 1"
  "retry.star test_records_two_faults 1"
  "retry.star test_records_one_fault 2"
  "retry.star test_records_two_faults 2"
  "placements.star test_three_writes 1"
  "placements.star test_three_writes 2"
  # The race fixture: no known class count; measured for runs to the first
  # failure, so random and pct are sampled over seeds whatever dpor found.
  "race.star test_last_item_sold_once 1 race"
  "race.star test_browse_race 1 race"
)

for config in "${CONFIGS[@]}"; do
  read -r spec test mf kind <<<"$config"
  explore "$spec" "$test" "$mf" dpor enum 1 "$ENUM"
  dpor_failing=$(failing_of "$WORK/json/$N.json")
  explore "$spec" "$test" "$mf" permutations enum 1 "$ENUM"
  for strategy in random pct; do
    explore "$spec" "$test" "$mf" "$strategy" sample 1 "$SAMPLE"
    # Runs to the first failure only where there is a failure to find.
    if [[ $dpor_failing -gt 0 || ${kind:-} == race ]]; then
      for ((k = 1; k < SEEDS; k++)); do
        explore "$spec" "$test" "$mf" "$strategy" first-failure $((1 + k * SEED_STRIDE)) "$FF"
      done
    fi
  done
done

rc=0
python3 "$ROOT/bench/explore/summarize.py" "$WORK" || rc=$?
if [[ $ENV_ERRORS -gt 0 ]]; then
  echo "bench_explore: $ENV_ERRORS explorations could not run (see above)" >&2
  exit 2
fi
exit "$rc"
